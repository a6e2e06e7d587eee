using System.Globalization;

namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>
/// Seat labels "{Row}-{Number}", computed on demand from a seat index so that a 50,000-seat zone stores no strings:
/// row = index / seatsPerRow written A..Z, AA, AB, … (spreadsheet columns), number = index % seatsPerRow + 1.
/// </summary>
internal static class SeatLabels
{
    public static string Format(int seatIndex, int seatsPerRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seatIndex);
        ArgumentOutOfRangeException.ThrowIfLessThan(seatsPerRow, 1);
        var row = RowName(seatIndex / seatsPerRow);
        var number = (seatIndex % seatsPerRow) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"{row}-{number}");
    }

    /// <summary>Row 0 is "A", 25 "Z", 26 "AA", 27 "AB", 701 "ZZ", 702 "AAA".</summary>
    public static string RowName(int rowIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowIndex);
        Span<char> buffer = stackalloc char[8];
        var position = buffer.Length;
        var n = rowIndex + 1;
        while (n > 0)
        {
            n--;
            buffer[--position] = (char)('A' + (n % 26));
            n /= 26;
        }

        return new string(buffer[position..]);
    }
}
