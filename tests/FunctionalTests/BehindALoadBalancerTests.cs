using System.Net;

namespace OnSale.FunctionalTests;

/// <summary>
/// Behind a load balancer every buyer arrives from the balancer's address: the gateway believes the
/// <c>X-Forwarded-For</c> of the proxies it is told of (<c>Gateway:Http:ForwardedHeaders</c>), and nobody else's.
/// </summary>
public sealed class BehindALoadBalancerTests : FunctionalTest
{
    private static readonly Dictionary<string, string> Limited = new() { ["Gateway:RateLimits:PerClientPerMinute"] = "3" };

    [Fact]
    public async Task AKnownProxy_PerClientLimitsKeyOnTheBuyerItForwards()
    {
        await using var gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath, new Dictionary<string, string>(Limited)
        {
            ["Gateway:Http:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });

        var first = await JoinsAsync(gateway, "203.0.113.7", 4);
        var second = await JoinsAsync(gateway, "203.0.113.8", 1);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, (HttpStatusCode)429], first);
        Assert.Equal([HttpStatusCode.Created], second);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("10.9.9.9")] // a proxy that is not the one this request came through
    public async Task NoKnownProxyInTheWay_AForwardedAddressIsIgnored(string? proxy)
    {
        var settings = new Dictionary<string, string>(Limited);
        if (proxy is not null)
        {
            settings["Gateway:Http:ForwardedHeaders:KnownProxies:0"] = proxy;
        }

        await using var gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath, settings);

        // Three "different buyers" that are one client claiming to be others: one share of the limit between them.
        var answers = new List<HttpStatusCode>();
        foreach (var claimed in new[] { "203.0.113.7", "203.0.113.8", "203.0.113.9", "203.0.113.10" })
        {
            answers.AddRange(await JoinsAsync(gateway, claimed, 1));
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, (HttpStatusCode)429], answers);
    }

    [Fact]
    public async Task AProxyThatIsNotAnAddress_RefusesToStartSayingWhy()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayProcess.StartAsync(Mock.SoapUrl, DataPath, new Dictionary<string, string>
        {
            ["Gateway:Http:ForwardedHeaders:KnownProxies:0"] = "the-balancer",
        }));

        Assert.Contains("KnownProxies must be IP addresses", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<HttpStatusCode>> JoinsAsync(GatewayProcess gateway, string forwardedFor, int count)
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/performances/1001/queue");
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await gateway.Client.SendAsync(request);
            answers.Add(response.StatusCode);
        }

        return answers;
    }
}
