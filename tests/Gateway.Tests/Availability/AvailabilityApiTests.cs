using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.Availability;

public sealed class AvailabilityApiTests
{
    private static readonly Dictionary<string, string?> FreshForAMinute = new() { ["Gateway:Availability:FreshFor"] = "00:01:00" };

    // The cache's own timing runs on the real clock: a short real fresh period lets its entries expire in a test.
    private static readonly Dictionary<string, string?> ShortFreshPeriod = new()
    {
        ["Gateway:Availability:FreshFor"] = "00:00:00.200",
        ["Gateway:Availability:StaleTolerance"] = "00:00:00",
    };

    [Fact]
    public async Task GetPerformances_BackendUp_ReturnsThePerformances()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var performances = await gateway.GetJsonAsync("/api/v1/performances");

        var hamlet = performances.EnumerateArray().Single(p => p.GetProperty("id").GetInt32() == 1001);
        Assert.Equal("Hamlet", hamlet.GetProperty("title").GetString());
        Assert.EndsWith("Z", hamlet.GetProperty("onSaleAt").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAvailability_BackendUp_ReturnsFreshZonesWithAsOf()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);

        using var response = await gateway.Client.GetAsync("/api/v1/performances/1001/availability");
        var body = await GatewayHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues("Age").Single());
        Assert.False(body.GetProperty("stale").GetBoolean());
        Assert.Equal(1001, body.GetProperty("performanceId").GetInt32());
        Assert.Equal(time.GetUtcNow(), body.GetProperty("asOf").GetDateTimeOffset());
        var stalls = body.GetProperty("zones")[0];
        Assert.Equal((1, "Stalls", 8500, 400, 400), (
            stalls.GetProperty("zoneId").GetInt32(), stalls.GetProperty("name").GetString(), stalls.GetProperty("priceCents").GetInt32(),
            stalls.GetProperty("capacity").GetInt32(), stalls.GetProperty("available").GetInt32()));
    }

    [Theory]
    [InlineData("999999")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task GetAvailability_UnknownPerformance_Returns404UnknownPerformance(string id)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Client.GetAsync($"/api/v1/performances/{id}/availability");

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "unknown_performance");
        Assert.Equal(0, (await gateway.Mock.Control.GetStatsAsync()).Calls.GetValueOrDefault("GetAvailability"));
    }

    [Fact]
    public async Task GetAvailability_1000ConcurrentReadersOfAColdCache_MakeOneBackendCall()
    {
        // Fresh for a minute: however long the 1,000 reads take on a busy machine, no second call is due.
        await using var gateway = await GatewayHost.StartAsync(settings: FreshForAMinute);
        await gateway.GetJsonAsync("/api/v1/performances"); // the list is cached separately

        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => gateway.Client.GetAsync("/api/v1/performances/1002/availability")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"]);
    }

    [Fact]
    public async Task GetAvailability_BackendDownAfterARead_ServesTheLastAnswerStaleWithAge()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        var first = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        time.Advance(TimeSpan.FromSeconds(30));

        using var response = await gateway.Client.GetAsync("/api/v1/performances/1001/availability");
        var body = await GatewayHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("stale").GetBoolean());
        Assert.Equal(first.GetProperty("asOf").GetDateTimeOffset(), body.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal("30", response.Headers.GetValues("Age").Single());
        Assert.Equal(first.GetProperty("zones").GetRawText(), body.GetProperty("zones").GetRawText());
    }

    [Fact]
    public async Task GetAvailability_BackendDownAndNeverKnown_Returns503AvailabilityUnknown()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances");
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        using var response = await gateway.Client.GetAsync("/api/v1/performances/1002/availability");

        await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "availability_unknown");
        Assert.True(response.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task GetAvailability_DegradedMode_ServesStaleWithoutCallingTheBackend()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded", "backend maintenance")).EnsureSuccessStatusCode();
        var callsBefore = (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"];
        time.Advance(TimeSpan.FromSeconds(10));

        var body = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");

        Assert.True(body.GetProperty("stale").GetBoolean());
        Assert.Equal(callsBefore, (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"]);
    }

    [Fact]
    public async Task GetAvailability_AfterAPurchase_ShowsTheSaleBeforeTheNextRefresh()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, settings: FreshForAMinute);
        await gateway.GetJsonAsync("/api/v1/performances/1003/availability");

        (await gateway.PurchaseAsync(Requests.Purchase(1003, 1, 4))).EnsureSuccessStatusCode();
        var body = await gateway.GetJsonAsync("/api/v1/performances/1003/availability");

        Assert.Equal(116, body.GetProperty("zones")[0].GetProperty("available").GetInt32());
        Assert.Equal(1, (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"]);
    }

    [Fact]
    public async Task GetAvailability_BackendHangsAfterARead_ServesTheLastAnswerStaleWithinTheDeadline()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: ShortFreshPeriod);
        var first = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        var callsBefore = (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"];
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Hang = true, Operations = ["GetAvailability"] });

        // Every answer is a 200 (a read past the deadline would be a 503): fresh until the entry expires, then stale
        // while its refresh hangs.
        await Eventually.HoldsAsync(
            async () =>
            {
                (await gateway.Client.GetAsync("/api/v1/performances/1001/availability")).EnsureSuccessStatusCode();
                return (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"];
            },
            calls => calls > callsBefore,
            "a refresh reaches the hung backend");
        var stale = await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await gateway.Client.GetAsync("/api/v1/performances/1001/availability");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await GatewayHost.JsonAsync(response);
            },
            body => body.GetProperty("stale").GetBoolean(),
            "the hung refresh is answered with the last known availability");

        Assert.Equal(first.GetProperty("asOf").GetDateTimeOffset(), stale.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(first.GetProperty("zones").GetRawText(), stale.GetProperty("zones").GetRawText());
    }

    [Fact]
    public async Task GetAvailability_OutageAfterTheEntryExpired_ServesTheLastAnswerStale()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, settings: ShortFreshPeriod);
        var first = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        var callsBefore = (await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"];

        // Our clock moves on by the fresh period alone (the cache's own timing is real): the answer is no longer fresh,
        // so reads ask the cache again, but not older than the fresh period with its tolerance (none here), so only the
        // failed refresh, not the age, can make it stale.
        time.Advance(TimeSpan.FromMilliseconds(200));
        var stale = await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await gateway.Client.GetAsync("/api/v1/performances/1001/availability");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("0", response.Headers.GetValues("Age").Single());
                return await GatewayHost.JsonAsync(response);
            },
            body => body.GetProperty("stale").GetBoolean(),
            "the refresh fails and the last known availability is served");

        Assert.Equal(first.GetProperty("asOf").GetDateTimeOffset(), stale.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(first.GetProperty("zones").GetRawText(), stale.GetProperty("zones").GetRawText());
        Assert.True((await gateway.Mock.Control.GetStatsAsync()).Calls["GetAvailability"] > callsBefore, "the refresh was tried");
    }

    [Fact]
    public async Task GetAvailability_RestartedDuringAnOutage_ServesTheLastKnownAnswerStaleWithItsAsOf()
    {
        var time = TestClock.Create();
        await using var mock = await MockBackendHost.StartAsync(time);
        var dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        JsonElement first, performances;
        await using (var gateway = await GatewayHost.StartAsync(time: time, mock: mock, dataPath: dataPath))
        {
            first = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
            performances = await gateway.GetJsonAsync("/api/v1/performances");
        }

        await mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        time.Advance(TimeSpan.FromMinutes(5));
        var restarted = await GatewayHost.StartAsync(time: time, mock: mock, dataPath: dataPath);
        try
        {
            using var response = await restarted.Client.GetAsync("/api/v1/performances/1001/availability");
            var body = await GatewayHost.JsonAsync(response);
            using var list = await restarted.Client.GetAsync("/api/v1/performances");
            using var neverRead = await restarted.Client.GetAsync("/api/v1/performances/1002/availability");
            using var madeUp = await restarted.Client.GetAsync("/api/v1/performances/999999/availability");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(body.GetProperty("stale").GetBoolean());
            Assert.Equal(first.GetProperty("asOf").GetDateTimeOffset(), body.GetProperty("asOf").GetDateTimeOffset());
            Assert.Equal("300", response.Headers.GetValues("Age").Single());
            Assert.Equal(first.GetProperty("zones").GetRawText(), body.GetProperty("zones").GetRawText());
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Equal(performances.GetRawText(), (await GatewayHost.JsonAsync(list)).GetRawText());
            await Problems.AssertAsync(neverRead, HttpStatusCode.ServiceUnavailable, "availability_unknown");
            await Problems.AssertAsync(madeUp, HttpStatusCode.NotFound, "unknown_performance");
        }
        finally
        {
            await restarted.DisposeAsync();
            restarted.DeleteData();
        }
    }
}
