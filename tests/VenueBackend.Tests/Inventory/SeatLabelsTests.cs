using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class SeatLabelsTests
{
    [Theory]
    [InlineData(0, 20, "A-1")]
    [InlineData(19, 20, "A-20")]
    [InlineData(20, 20, "B-1")]
    [InlineData(33, 20, "B-14")]
    [InlineData(25 * 10, 10, "Z-1")]
    [InlineData(26 * 10, 10, "AA-1")]
    [InlineData((27 * 10) + 4, 10, "AB-5")]
    [InlineData(9_999, 50, "GR-50")]
    public void Format_SeatIndex_ReturnsRowDashNumber(int index, int seatsPerRow, string expected)
    {
        Assert.Equal(expected, SeatLabels.Format(index, seatsPerRow));
    }

    [Theory]
    [InlineData(0, "A")]
    [InlineData(25, "Z")]
    [InlineData(26, "AA")]
    [InlineData(27, "AB")]
    [InlineData(51, "AZ")]
    [InlineData(52, "BA")]
    [InlineData(701, "ZZ")]
    [InlineData(702, "AAA")]
    public void RowName_RowIndex_CountsLikeSpreadsheetColumns(int row, string expected)
    {
        Assert.Equal(expected, SeatLabels.RowName(row));
    }

    [Fact]
    public void Format_NonPositiveSeatsPerRow_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SeatLabels.Format(1, 0));
    }
}
