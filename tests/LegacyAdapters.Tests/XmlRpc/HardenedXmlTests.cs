using System.Text;
using OnSale.LegacyAdapters.XmlRpc;

namespace OnSale.LegacyAdapters.Tests.XmlRpc;

public sealed class HardenedXmlTests
{
    [Fact]
    public void Load_NestedAsDeepAsAllowed_Loads()
    {
        var document = HardenedXml.Load(Nested(HardenedXml.MaxDepth + 1), 1024 * 1024, VenueOperation.GetAvailability);

        Assert.Equal(HardenedXml.MaxDepth, document.Root!.DescendantsAndSelf().Count() - 1);
    }

    [Theory]
    [InlineData(HardenedXml.MaxDepth + 2)]
    [InlineData(20_000)]
    public void Load_NestedDeeperThanAllowed_ThrowsProtocolErrorNamingTheLimit(int elements)
    {
        var error = Assert.Throws<ProtocolErrorException>(() => HardenedXml.Load(Nested(elements), 1024 * 1024, VenueOperation.GetAvailability));

        Assert.Contains($"deeper than {HardenedXml.MaxDepth} levels", error.Message, StringComparison.Ordinal);
        Assert.Equal(VenueOperation.GetAvailability, error.Operation);
    }

    private static byte[] Nested(int elements) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", elements)) + string.Concat(Enumerable.Repeat("</a>", elements)));
}
