using System.Net;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Tests.Infrastructure;

public sealed class ClientKeysTests
{
    [Fact]
    public void Of_IPv6AddressesOfOneSlash64_AreOneClient()
    {
        var a = ClientKeys.Of(IPAddress.Parse("2001:db8:1:2:aaaa::1"));
        var b = ClientKeys.Of(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:fffe"));
        var other = ClientKeys.Of(IPAddress.Parse("2001:db8:1:3::1"));

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.EndsWith("/64", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_IPv4AndItsMappedForm_AreOneClientAndOthersAreNot()
    {
        Assert.Equal(ClientKeys.Of(IPAddress.Parse("203.0.113.7")), ClientKeys.Of(IPAddress.Parse("::ffff:203.0.113.7")));
        Assert.NotEqual(ClientKeys.Of(IPAddress.Parse("203.0.113.7")), ClientKeys.Of(IPAddress.Parse("203.0.113.8")));
        Assert.Equal("unknown", ClientKeys.Of((IPAddress?)null));
    }
}
