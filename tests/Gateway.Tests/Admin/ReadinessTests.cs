using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Storage.Redis;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.Admin;

/// <summary>
/// The readiness checklist of each on-sale in the next 24 hours, last in <c>GET /admin/api/status</c>: listed soonest
/// first, each check named and explained, ready only when every one is ok.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private static readonly string[] CheckNames = ["backend_reachable", "cache_warm", "signing_keys_shared", "venue_origins_set", "store_durable"];
    private readonly FakeTimeProvider _time = TestClock.Create();
    private MockBackendHost _mock = null!;

    public async Task InitializeAsync() => _mock = await MockBackendHost.StartAsync(_time);

    public async Task DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Status_OnSalesInTheNextDay_ListedSoonestFirst_TheWarmOneReady_TheOtherSaysWhenItWarms()
    {
        var now = _time.GetUtcNow();
        await _mock.Control.SetOnSaleAtAsync(1003, now.AddHours(3));
        await _mock.Control.SetOnSaleAtAsync(2001, now.AddMinutes(10));
        await _mock.Control.SetOnSaleAtAsync(1002, now.AddDays(2));
        await using var gateway = await StartAsync();
        await WarmedAsync(gateway, 2001);

        var status = await StatusAsync(gateway);
        var readiness = status.GetProperty("readiness").EnumerateArray().ToList();

        Assert.Equal("readiness", status.EnumerateObject().Last().Name);
        Assert.Equal([2001, 1003], readiness.Select(r => r.GetProperty("performanceId").GetInt32()));
        Assert.Equal("Stadium Tour 2027", readiness[0].GetProperty("name").GetString());
        Assert.Equal(now.AddMinutes(10), readiness[0].GetProperty("onSaleAt").GetDateTimeOffset());
        Assert.All(readiness, r => Assert.Equal(CheckNames, r.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString())));
        Assert.All(readiness.SelectMany(r => r.GetProperty("checks").EnumerateArray()), c => Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("detail").GetString())));

        var soonest = Checks(readiness[0]);
        Assert.True(readiness[0].GetProperty("ready").GetBoolean(), Describe(readiness[0]));
        Assert.StartsWith("In cache", soonest["cache_warm"].Detail, StringComparison.Ordinal);

        var later = Checks(readiness[1]);
        Assert.False(readiness[1].GetProperty("ready").GetBoolean());
        Assert.Equal((false, "Warms at 11:30 UTC, 30 minutes before the opening."), later["cache_warm"]);
        Assert.All(later.Where(c => c.Key != "cache_warm"), c => Assert.True(c.Value.Ok, c.Key + ": " + c.Value.Detail));
    }

    [Fact]
    public async Task Status_BackendDown_NotReady_SayingTheCallsFailedAndTheCacheIsOld()
    {
        await using var gateway = await WarmAsync(freshFor: "00:00:00.200");
        Assert.True((await ReadinessOfAsync(gateway, 2001)).GetProperty("ready").GetBoolean());

        await _mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        _time.Advance(TimeSpan.FromSeconds(6)); // the successful calls leave the health window
        await Task.Delay(300); // the cached answer is due on the cache's clock
        await Availability.WarmUpTests.WarmUpOf(gateway).RoundAsync(CancellationToken.None);

        var report = await ReadinessOfAsync(gateway, 2001);
        var checks = Checks(report);
        Assert.False(report.GetProperty("ready").GetBoolean());
        Assert.False(checks["backend_reachable"].Ok);
        Assert.Matches("^(The one backend call|All [0-9]+ backend calls) in the last 5 seconds failed", checks["backend_reachable"].Detail);
        Assert.False(checks["cache_warm"].Ok);
        Assert.Contains("refreshing it failed", checks["cache_warm"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_DegradedMode_BackendNotReachable_SayingTheCircuitIsHeldOpen()
    {
        await using var gateway = await WarmAsync();

        (await gateway.SetModeAsync("degraded", "box office patching")).EnsureSuccessStatusCode();
        _time.Advance(TimeSpan.FromSeconds(3));

        var checks = Checks(await ReadinessOfAsync(gateway, 2001));
        Assert.Equal((false, "Degraded mode holds the circuit open: no call reaches the backend. Switch back to normal before the opening."), checks["backend_reachable"]);
    }

    [Fact]
    public async Task Status_NoVenueOrigins_NotReady_SayingNoPageMayEmbedTheWidget()
    {
        await using var gateway = await WarmAsync(venues: false);

        var report = await ReadinessOfAsync(gateway, 2001);

        Assert.False(report.GetProperty("ready").GetBoolean());
        Assert.Equal(
            (false, "No venue has origins (Gateway:Venues:{venueKey}:Origins): no venue page may embed the widget."),
            Checks(report)["venue_origins_set"]);
    }

    [Fact]
    public async Task Status_NoOnSaleInTheNextDay_ReadinessIsEmpty()
    {
        await _mock.Control.SetOnSaleAtAsync(2001, _time.GetUtcNow().AddDays(2));
        await using var gateway = await StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(gateway.Get<AvailabilityService>().KnownPerformances), l => l is not null, "the warm-up read the performances");

        var status = await StatusAsync(gateway);

        Assert.Equal(0, status.GetProperty("readiness").GetArrayLength());
    }

    [Fact]
    public async Task Status_RedisWithoutAnAppendOnlyFile_StoreNotDurable()
    {
        await using var redis = await RedisServerProcess.StartAsync("off");
        await using var gateway = await WarmAsync(extra: OnRedis(redis));

        var report = await ReadinessOfAsync(gateway, 2001);
        var checks = Checks(report);

        Assert.False(report.GetProperty("ready").GetBoolean());
        Assert.False(checks["store_durable"].Ok);
        Assert.StartsWith("Not durable: Redis keeps snapshots only", checks["store_durable"].Detail, StringComparison.Ordinal);
        Assert.Equal((true, "The signing key kept in Redis is the one this node signs with: a token from any node is valid on every node."), checks["signing_keys_shared"]);
    }

    [Fact]
    public async Task Status_RedisLostTheSigningKey_SigningKeysNotShared()
    {
        await using var redis = await RedisServerProcess.StartAsync("everysec");
        await using var gateway = await WarmAsync(extra: OnRedis(redis));
        Assert.True(Checks(await ReadinessOfAsync(gateway, 2001))["store_durable"].Ok);

        await (await gateway.Get<RedisConnection>().DatabaseAsync()).KeyDeleteAsync(RedisConnection.Prefix + "signing-key");
        _time.Advance(TimeSpan.FromSeconds(3));

        var signing = Checks(await ReadinessOfAsync(gateway, 2001))["signing_keys_shared"];
        Assert.False(signing.Ok);
        Assert.StartsWith("No signing key is kept in Redis", signing.Detail, StringComparison.Ordinal);
    }

    private Task<GatewayHost> StartAsync(bool venues = true, string? freshFor = null, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Availability:WarmUpBefore"] = "00:30:00" };
        if (venues)
        {
            settings["Gateway:Venues:royal-hall:Origins:0"] = "https://www.royalhall.example";
        }

        if (freshFor is not null)
        {
            settings["Gateway:Availability:FreshFor"] = freshFor;
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return GatewayHost.StartAsync(time: _time, mock: _mock, settings: settings);
    }

    /// <summary>A gateway whose performance 2001, on sale in ten minutes, is warm.</summary>
    private async Task<GatewayHost> WarmAsync(bool venues = true, string? freshFor = null, Dictionary<string, string?>? extra = null)
    {
        await _mock.Control.SetOnSaleAtAsync(2001, _time.GetUtcNow().AddMinutes(10));
        var gateway = await StartAsync(venues, freshFor, extra);
        await WarmedAsync(gateway, 2001);
        return gateway;
    }

    private static Dictionary<string, string?> OnRedis(RedisServerProcess redis) => new() { ["Gateway:Store"] = "Redis", ["Gateway:Redis:Configuration"] = redis.Configuration };

    private static Task WarmedAsync(GatewayHost gateway, int performanceId) =>
        Eventually.HoldsAsync(() => Task.FromResult(gateway.Get<AvailabilityService>().Held(performanceId)), h => h is { Fallback: false }, $"performance {performanceId} warmed");

    private static Task<JsonElement> StatusAsync(GatewayHost gateway) => gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status");

    private static async Task<JsonElement> ReadinessOfAsync(GatewayHost gateway, int performanceId) =>
        (await StatusAsync(gateway)).GetProperty("readiness").EnumerateArray().Single(r => r.GetProperty("performanceId").GetInt32() == performanceId);

    private static Dictionary<string, (bool Ok, string? Detail)> Checks(JsonElement report) =>
        report.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("ok").GetBoolean(), c.TryGetProperty("detail", out var d) ? d.GetString() : null),
            StringComparer.Ordinal);

    private static string Describe(JsonElement report) => report.GetRawText();
}
