using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Availability;

/// <summary>
/// The public reads speak standard HTTP caching (CONTRACT.md §2, RFC 9111 and RFC 5861), so that a CDN, a proxy or a
/// browser may carry the crowd: <c>Cache-Control: public, max-age, stale-if-error</c>, an <c>ETag</c> per version of
/// the data, <c>If-None-Match</c> answered <c>304</c>, and <c>HEAD</c> answered as <c>GET</c> without the body.
/// </summary>
public sealed class HttpCachingTests
{
    private const string Availability = "/api/v1/performances/1001/availability";
    private const string Performances = "/api/v1/performances";

    [Fact]
    public async Task GetAvailability_Fresh_MayBeKeptByAnyCacheForTheFreshPeriod()
    {
        await using var gateway = await GatewayHost.StartAsync(time: TestClock.Create());

        using var response = await gateway.Client.GetAsync(Availability);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cache = response.Headers.CacheControl!;
        Assert.True(cache.Public);
        Assert.Equal(TimeSpan.FromSeconds(2), cache.MaxAge); // Gateway:Availability:FreshFor
        Assert.Contains(cache.Extensions, e => e.Name == "stale-if-error" && e.Value == "300"); // Gateway:Availability:StaleIfError
        Assert.False(cache.NoCache);
        Assert.False(cache.NoStore);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(["Origin"], response.Headers.Vary); // the CORS answer depends on it, nothing else does
        Assert.Equal("0", response.Headers.GetValues("Age").Single());
    }

    [Fact]
    public async Task GetAvailability_TheSameData_KeepsItsETagAndNewDataGetsAnother()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);

        var first = await ETagAsync(gateway, Availability);
        var again = await ETagAsync(gateway, Availability);
        time.Advance(TimeSpan.FromSeconds(3)); // past the fresh period: the next read asks the backend, whose answer is newer
        var refreshed = await ETagAsync(gateway, Availability);

        Assert.Equal(first, again);
        Assert.NotEqual(first, refreshed);
    }

    [Fact]
    public async Task GetAvailability_StaleAnswer_IsCacheableToo_WithItsOwnETagAndItsAge()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        var fresh = await ETagAsync(gateway, Availability);
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        time.Advance(TimeSpan.FromSeconds(30));

        using var response = await gateway.Client.GetAsync(Availability);

        Assert.True((await GatewayHost.JsonAsync(response)).GetProperty("stale").GetBoolean());
        Assert.Equal("30", response.Headers.GetValues("Age").Single()); // older than max-age: a cache revalidates, or serves it on error
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.NotEqual(fresh, response.Headers.ETag!.Tag); // "stale": true is other data
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("W/{0}")] // If-None-Match compares weakly
    [InlineData("\"other\", {0}")]
    [InlineData("*")]
    public async Task GetAvailability_IfNoneMatchTheCurrentETag_Answers304WithoutABody(string ifNoneMatch)
    {
        await using var gateway = await GatewayHost.StartAsync(time: TestClock.Create());
        var tag = await ETagAsync(gateway, Availability);

        using var request = new HttpRequestMessage(HttpMethod.Get, Availability);
        request.Headers.TryAddWithoutValidation("If-None-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, ifNoneMatch, tag));
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(tag, response.Headers.ETag!.Tag);
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Equal("0", response.Headers.GetValues("Age").Single());
    }

    [Fact]
    public async Task GetAvailability_IfNoneMatchAnOldETag_AnswersTheNewData()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        var old = await ETagAsync(gateway, Availability);
        time.Advance(TimeSpan.FromSeconds(3));

        using var request = new HttpRequestMessage(HttpMethod.Get, Availability);
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(old));
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(old, response.Headers.ETag!.Tag);
        Assert.Equal(1001, (await GatewayHost.JsonAsync(response)).GetProperty("performanceId").GetInt32());
    }

    [Theory]
    [InlineData(Availability)]
    [InlineData(Performances)]
    public async Task Head_OnRealKestrel_AnswersAsGetWithoutTheBody(string path)
    {
        await using var gateway = await KestrelGateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var get = await client.GetAsync(path);
        var body = await get.Content.ReadAsByteArrayAsync();

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Equal("application/json", head.Content.Headers.ContentType!.MediaType);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
    }

    [Fact]
    public async Task Head_InTheTestHost_WritesNoBodyEither()
    {
        await using var gateway = await GatewayHost.StartAsync(time: TestClock.Create());
        await gateway.Client.GetAsync(Availability); // first the slow path fills the cache, then the fast one answers

        foreach (var _ in Enumerable.Range(0, 2))
        {
            using var head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Availability));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.NotNull(head.Headers.ETag);
        }
    }

    [Fact]
    public async Task GetPerformances_IsCacheableForItsFreshPeriod_WithETagAnd304()
    {
        await using var gateway = await GatewayHost.StartAsync(time: TestClock.Create());

        using var response = await gateway.Client.GetAsync(Performances);
        using var request = new HttpRequestMessage(HttpMethod.Get, Performances);
        request.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var revalidated = await gateway.Client.SendAsync(request);

        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.CacheControl.MaxAge); // Gateway:Availability:PerformancesFreshFor
        Assert.Contains(response.Headers.CacheControl.Extensions, e => e.Name == "stale-if-error");
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetAvailability_FromAVenuePage_GetsTheSameAnswerAsWithoutOrigin_PlusCors()
    {
        // The hot path and the endpoint, with CORS or without: one answer whichever writes it.
        await using var gateway = await GatewayHost.StartAsync(time: TestClock.Create(), settings: new Dictionary<string, string?>
        {
            ["Gateway:Venues:grand:Origins:0"] = "https://grand.example",
            ["Gateway:Venues:small:Origins:0"] = "https://small.example", // two origins: CORS itself varies by Origin
        });
        using var plain = await gateway.Client.GetAsync(Availability);
        using var again = await gateway.Client.GetAsync(Availability);
        using var request = new HttpRequestMessage(HttpMethod.Get, Availability);
        request.Headers.Add("Origin", "https://grand.example");

        using var fromVenue = await gateway.Client.SendAsync(request);

        Assert.Equal("https://grand.example", fromVenue.Headers.GetValues("Access-Control-Allow-Origin").Single());
        foreach (var response in new[] { again, fromVenue })
        {
            Assert.Equal(await plain.Content.ReadAsStringAsync(), await response.Content.ReadAsStringAsync());
            Assert.Equal(plain.Headers.ETag, response.Headers.ETag);
            Assert.Equal(plain.Headers.CacheControl, response.Headers.CacheControl);
            Assert.Equal(plain.Headers.GetValues("Age"), response.Headers.GetValues("Age"));
            Assert.Equal(plain.Content.Headers.ContentType, response.Content.Headers.ContentType);
            Assert.Equal(["Origin"], response.Headers.Vary);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    [Theory]
    [InlineData("/api/v1/performances/999999/availability")]
    [InlineData("/api/v1/performances/abc/availability")]
    public async Task GetAvailability_Problem_IsNeverStoredByACache(string path)
    {
        await using var gateway = await GatewayHost.StartAsync(time: TestClock.Create());

        using var response = await gateway.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Null(response.Headers.ETag);
    }

    private static async Task<string> ETagAsync(GatewayHost gateway, string path)
    {
        using var response = await gateway.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.Tag;
    }
}
