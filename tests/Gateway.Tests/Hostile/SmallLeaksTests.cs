using System.Net;
using System.Net.Http.Headers;

namespace OnSale.Gateway.Tests.Hostile;

/// <summary>
/// The small leaks a hostile client finds first, on the real server: what it announces, what a browser may sniff,
/// what a broken request gets back, and who may read <c>/metrics</c>.
/// </summary>
public sealed class SmallLeaksTests
{
    [Theory]
    [InlineData("/api/v1/performances/1001/availability")]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/widget/v1/loader.js")]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    public async Task AnyAnswer_NamesNoServerAndForbidsSniffing(string path)
    {
        await using var gateway = await KestrelGateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };

        using var response = await client.GetAsync(path);

        Assert.Empty(response.Headers.Server);
        Assert.False(response.Headers.Contains("Server"));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("POST /api/v1/purchases", "application/json")]
    [InlineData("PUT /admin/api/mode", "application/json")]
    [InlineData("POST /api/v1/holds", "application/json")]
    public async Task BrokenChunkedBody_Answers400ProblemNot500(string requestLine, string contentType)
    {
        await using var gateway = await KestrelGateway.StartAsync();

        var answer = await gateway.SendRawAsync(
            $"{requestLine} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {contentType}\r\nAuthorization: Bearer {GatewayHost.AdminKey}\r\n" +
            "Idempotency-Key: broken-1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{\"mode\": \"degraded\"}\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"bad_request\"", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithoutTheAdminKey_Returns401AndWithItTheMetrics()
    {
        await using var gateway = await KestrelGateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };

        using var anonymous = await client.GetAsync("/metrics");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminKey) } };
        using var operator_ = await client.SendAsync(request);

        await Problems.AssertAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, operator_.StatusCode);
        Assert.Contains("onsale_", await operator_.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OnItsOwnPort_AnswersWithoutAKeyThereAndOnlyThere()
    {
        await using var gateway = await StartWithMetricsPortAsync();
        using var client = new HttpClient();

        using var onItsPort = await client.GetAsync(new Uri(gateway.Addresses[1], "/metrics"));
        using var onThePublicPort = await client.GetAsync(new Uri(gateway.Addresses[0], "/metrics"));

        Assert.Equal(HttpStatusCode.OK, onItsPort.StatusCode);
        await Problems.AssertAsync(onThePublicPort, HttpStatusCode.Unauthorized, "unauthorized");
    }

    /// <summary>
    /// The gateway with <c>Gateway:Metrics:Port</c> on a port found free: another test's server may take it between the
    /// finding and the binding, so a port taken meanwhile is replaced by another (three tries).
    /// </summary>
    private static async Task<KestrelGateway> StartWithMetricsPortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var metricsPort = KestrelGateway.FreePort();
            try
            {
                return await KestrelGateway.StartAsync(
                    new Dictionary<string, string?> { ["Gateway:Metrics:Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    0,
                    metricsPort);
            }
            catch (IOException taken) when (attempt < 3 && taken.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Taken between finding and binding: another port.
            }
        }
    }

    [Fact]
    public async Task Metrics_NoAdminKeyConfigured_DoesNotExistForTheWorld()
    {
        await using var gateway = await KestrelGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Admin:ApiKey"] = string.Empty });
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };

        using var response = await client.GetAsync("/metrics");

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }
}
