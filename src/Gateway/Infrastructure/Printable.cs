using System.Globalization;
using System.Text;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// What a text field may hold so that every place it goes can carry it: the backend's SOAP or XML-RPC request (XML 1.0
/// has no way to write most control characters), a log line, a support engineer's screen. One bad character must be
/// refused at the door with a clear problem, never found later by the replay worker.
/// </summary>
internal static class Printable
{
    /// <summary>
    /// Whether every character is one a person can see or a plain space: no control characters (C0, DEL, C1), no
    /// format characters, no lone surrogates, no noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF), no line or paragraph
    /// separators. Spaces are allowed inside (not at either end) only when <paramref name="allowSpaces"/>.
    /// </summary>
    public static bool IsPrintable(string value, bool allowSpaces)
    {
        if (value.Length == 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsSurrogate(c))
            {
                continue; // Pairs are checked as runes below.
            }

            if (c == ' ' ? !allowSpaces : !IsVisible(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                return false;
            }
        }

        var index = 0;
        while (index < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done
                || IsNoncharacter(rune.Value)
                || (rune.IsBmp is false && !IsVisible(Rune.GetUnicodeCategory(rune))))
            {
                return false;
            }

            index += consumed;
        }

        return true;
    }

    private static bool IsVisible(UnicodeCategory category) => category is not (
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
        or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.SpaceSeparator);

    private static bool IsNoncharacter(int codePoint) => (codePoint & 0xFFFE) == 0xFFFE || codePoint is >= 0xFDD0 and <= 0xFDEF;
}
