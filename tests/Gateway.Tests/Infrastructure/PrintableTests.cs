using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Tests.Infrastructure;

public sealed class PrintableTests
{
    [Theory]
    [InlineData("tok_ok")]
    [InlineData("tok_Ünïcødé_€")]
    [InlineData("tok_😀")]
    [InlineData("a")]
    public void IsPrintable_VisibleText_IsAccepted(string value) => Assert.True(Printable.IsPrintable(value, allowSpaces: false));

    [Theory]
    [InlineData("tok_\u0000")]
    [InlineData("tok_\u0001")]
    [InlineData("tok_\u001B")]
    [InlineData("tok_\u007F")]
    [InlineData("tok_\u0085")]
    [InlineData("tok_\u200B")]
    [InlineData("tok_\u2028")]
    [InlineData("tok_\uFFFE")]
    [InlineData("tok_\uFFFF")]
    [InlineData("tok_\uFDD0")]
    [InlineData("tok_\uE000")]
    [InlineData("tok ok")]
    [InlineData("tok_\u00A0")]
    [InlineData("")]
    public void IsPrintable_ControlFormatSurrogateOrSpace_IsRefused(string value) => Assert.False(Printable.IsPrintable(value, allowSpaces: false));

    [Theory]
    [InlineData("Box office patching", true)]
    [InlineData(" leading", false)]
    [InlineData("trailing ", false)]
    [InlineData("two\nlines", false)]
    [InlineData("tab\there", false)]
    public void IsPrintable_WithSpacesAllowed_TakesInnerSpacesOnly(string value, bool expected) =>
        Assert.Equal(expected, Printable.IsPrintable(value, allowSpaces: true));

    [Fact]
    public void IsPrintable_LoneSurrogates_AreRefused()
    {
        // Built here, not in attributes: the test runner's argument serialization would repair them.
        Assert.False(Printable.IsPrintable("tok_" + (char)0xD800, allowSpaces: false));
        Assert.False(Printable.IsPrintable("tok_" + (char)0xDC00 + "x", allowSpaces: false));
        Assert.False(Printable.IsPrintable("tok_" + (char)0xDBFF, allowSpaces: false));
    }

    [Fact]
    public void IsPrintable_NoncharacterOutsideTheBasicPlane_IsRefused() =>
        Assert.False(Printable.IsPrintable("tok_" + char.ConvertFromUtf32(0x1FFFE), allowSpaces: false));
}
