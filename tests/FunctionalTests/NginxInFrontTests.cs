using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using OnSale.Tests.Common;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.FunctionalTests;

/// <summary>
/// Debian's nginx with a plain <c>proxy_cache</c> (no <c>proxy_cache_valid</c>, no <c>proxy_cache_use_stale</c>: every
/// caching decision comes from the gateway's own headers) in front of the gateway as a real process: the availability
/// read is a shared cache's to keep (CONTRACT.md §2, "HTTP caching"; RFC 9111, RFC 5861's stale-if-error).
/// <c>X-Cache-Status</c> is nginx's <c>$upstream_cache_status</c>, added only to observe what nginx did.
/// </summary>
public sealed class NginxInFrontTests : FunctionalTest
{
    private const string Availability = "/api/v1/performances/1001/availability";
    private GatewayProcess _gateway = null!;
    private NginxProcess _nginx = null!;
    private HttpClient _client = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // A fresh period of one second keeps the wait for staleness short.
        _gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath, new Dictionary<string, string> { ["Gateway:Availability:FreshFor"] = "00:00:01" });
        await _gateway.KnowAvailabilityAsync(1001);
        _nginx = await NginxProcess.StartAsync($"""
            proxy_cache {NginxProcess.CacheZone};
            proxy_pass {_gateway.BaseAddress.GetLeftPart(UriPartial.Authority)};
            add_header X-Cache-Status $upstream_cache_status;
            """);
        _client = new HttpClient { BaseAddress = _nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public override async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task RepeatedReads_WithinTheFreshPeriod_AnsweredFromNginxsCache()
    {
        var before = await GatewayReadsAsync();

        // Five cache hits, read back to back: each answer nginx had to fetch (the first, and one more each time a fresh
        // period ran out on a slow machine) is one read at the gateway, and no hit is.
        var statuses = new List<string>();
        var cacheControl = string.Empty;
        while (statuses.Count(s => s == "HIT") < 5 && statuses.Count < 50)
        {
            var read = await ReadAsync(HttpMethod.Get);
            Assert.True(read.Status == HttpStatusCode.OK, $"{read}\n{_nginx.ErrorLog}");
            statuses.Add(read.Cache);
            cacheControl = read.CacheControl;
        }

        var fetched = statuses.Count(s => s is "MISS" or "EXPIRED");
        Assert.True(statuses.Count(s => s == "HIT") == 5, $"nginx's answers: {string.Join(", ", statuses)}; the gateway's Cache-Control: {cacheControl}");
        Assert.Equal("MISS", statuses[0]);
        Assert.Equal(fetched, await GatewayReadsAsync() - before);
    }

    [Fact]
    public async Task Read_AfterTheFreshPeriodWithTheGatewayStopped_NginxAnswersTheLastBodyStale()
    {
        var last = await ReadAsync(HttpMethod.Get);
        Assert.True(last.Status == HttpStatusCode.OK && last.Cache == "MISS", last.ToString());

        _gateway.Kill();
        await Assert.ThrowsAsync<HttpRequestException>(() => _gateway.Client.GetAsync(new Uri(Availability, UriKind.Relative)));

        // Fresh (HIT) until the gateway's max-age runs out, then served stale on the gateway's stale-if-error: always
        // 200 with the body nginx had.
        var stale = await Eventually.HoldsAsync(
            () => ReadAsync(HttpMethod.Get),
            read => read.Status != HttpStatusCode.OK || read.Body != last.Body || read.Cache != "HIT",
            "nginx's copy is no longer fresh");
        Assert.True(stale.Status == HttpStatusCode.OK, $"{stale}\nthe gateway's last answer: {last}\n{_nginx.ErrorLog}");
        Assert.Equal("STALE", stale.Cache);
        Assert.Equal(last.Body, stale.Body);
    }

    [Fact]
    public async Task Head_ThroughNginx_Answers200WithoutABody()
    {
        var head = await ReadAsync(HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, head.Status);
        Assert.Empty(head.Body);
    }

    private async Task<Answer> ReadAsync(HttpMethod method)
    {
        using var request = new HttpRequestMessage(method, Availability);
        using var response = await _client.SendAsync(request);
        var cache = response.Headers.TryGetValues("X-Cache-Status", out var values) ? string.Join(",", values) : "(none)";
        return new Answer(response.StatusCode, cache, response.Headers.CacheControl?.ToString() ?? "(none)", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Availability reads the gateway answered, all results (<c>onsale_availability_reads_total</c> on /metrics).</summary>
    private async Task<double> GatewayReadsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayProcess.AdminKey);
        using var response = await _gateway.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(line => line.StartsWith("onsale_availability_reads_total{", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    /// <summary>What nginx answered: its status, what its cache did, the gateway's Cache-Control it passed on, the body.</summary>
    private sealed record Answer(HttpStatusCode Status, string Cache, string CacheControl, string Body);
}
