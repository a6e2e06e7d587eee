using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Availability;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;
using Xunit.Abstractions;

namespace OnSale.Gateway.Tests.Availability;

/// <summary>
/// The warm-up (CONTRACT.md §3, <c>Gateway:Availability:WarmUpBefore</c>): a performance about to go on sale is in cache
/// and fresh before its crowd arrives, and not before its window nor after it opens; counted in backend calls on the mock.
/// </summary>
public sealed class WarmUpTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Performance = 2001;
    private readonly FakeTimeProvider _time = TestClock.Create();
    private MockBackendHost _mock = null!;

    public async Task InitializeAsync() => _mock = await MockBackendHost.StartAsync(_time);

    public async Task DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Round_OnSaleWithinTheWindow_FetchesItBeforeAnyBuyerAsks()
    {
        await _mock.Control.SetOnSaleAtAsync(Performance, _time.GetUtcNow().AddMinutes(10));
        await using var gateway = await StartAsync(freshFor: "00:00:05");

        await WaitForCallsAsync(1, "the warm-up fetched the performance's availability");
        var before = await AvailabilityCallsAsync();
        using var read = await gateway.Client.GetAsync($"/api/v1/performances/{Performance}/availability");

        read.EnsureSuccessStatusCode();
        Assert.Equal(before, await AvailabilityCallsAsync()); // The first buyer found it in cache.
        var held = gateway.Get<AvailabilityService>().Held(Performance);
        Assert.NotNull(held);
        Assert.False(held.Value.Fallback);
    }

    [Fact]
    public async Task Round_OnSaleBeyondTheWindow_FetchesNothing_UntilTheWindowOpens()
    {
        await _mock.Control.SetOnSaleAtAsync(Performance, _time.GetUtcNow().AddMinutes(45));
        await using var gateway = await StartAsync();
        var warmUp = WarmUpOf(gateway);
        await Eventually.HoldsAsync(() => CallsAsync("GetPerformances"), n => n >= 1, "the warm-up read the performances");

        await warmUp.RoundAsync(CancellationToken.None);
        await warmUp.RoundAsync(CancellationToken.None);
        Assert.Equal(0, await AvailabilityCallsAsync());

        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await warmUp.RoundAsync(CancellationToken.None);

        Assert.Equal(1, await AvailabilityCallsAsync());
    }

    [Fact]
    public async Task Round_WithinTheWindow_KeepsItFresh_ThenStopsOnceItOpens()
    {
        var opensAt = _time.GetUtcNow().AddMinutes(10);
        await _mock.Control.SetOnSaleAtAsync(Performance, opensAt);
        await using var gateway = await StartAsync(freshFor: "00:00:00.200");
        var warmUp = WarmUpOf(gateway);
        var availability = gateway.Get<AvailabilityService>();
        await WaitForCallsAsync(1, "the first warm-up");

        var first = availability.Held(Performance)!.Value.AsOf;
        var before = await AvailabilityCallsAsync();
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(300); // past the fresh period, on the cache's (real) clock
            _time.Advance(TimeSpan.FromSeconds(1));
            await warmUp.RoundAsync(CancellationToken.None);
        }

        Assert.True(await AvailabilityCallsAsync() - before >= 3, "one refresh a fresh period while the window lasts");
        Assert.True(availability.Held(Performance)!.Value.AsOf > first, "the held answer is newer");

        _time.Advance(opensAt - _time.GetUtcNow());
        await Task.Delay(300);
        await warmUp.RoundAsync(CancellationToken.None); // a loop's round may still be out: let it end
        var opened = await AvailabilityCallsAsync();
        await Task.Delay(300);
        _time.Advance(TimeSpan.FromSeconds(1));
        await warmUp.RoundAsync(CancellationToken.None);
        await warmUp.RoundAsync(CancellationToken.None);

        Assert.Equal(opened, await AvailabilityCallsAsync());
    }

    [Fact]
    public async Task Start_WarmUpBeforeZero_IsOff()
    {
        await _mock.Control.SetOnSaleAtAsync(Performance, _time.GetUtcNow().AddMinutes(10));
        await using var gateway = await StartAsync(warmUpBefore: "00:00:00");

        await WarmUpOf(gateway).RoundAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(200);

        Assert.Equal(0, await AvailabilityCallsAsync());
        Assert.Equal(0, await CallsAsync("GetPerformances"));
    }

    [Fact]
    public async Task Start_WarmUpBeforeNegative_IsRefusedNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var gateway = await StartAsync(warmUpBefore: "-00:01:00");
        });

        Assert.Contains("Gateway:Availability:WarmUpBefore must not be negative", Infrastructure.ContractConfigurationTests.Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WarmUpBeforeOfAMonth_StartsWarmingADayAhead()
    {
        await _mock.Control.SetOnSaleAtAsync(Performance, _time.GetUtcNow().AddDays(2));
        await using var gateway = await StartAsync(warmUpBefore: "30.00:00:00");
        var warmUp = WarmUpOf(gateway);

        Assert.Equal(TimeSpan.FromDays(1), gateway.Get<IOptions<AvailabilityOptions>>().Value.WarmUpWindow);
        await warmUp.RoundAsync(CancellationToken.None);
        Assert.Equal(0, await AvailabilityCallsAsync());

        _time.Advance(TimeSpan.FromHours(25));
        await Task.Delay(100);
        await warmUp.RoundAsync(CancellationToken.None);
        Assert.True(await AvailabilityCallsAsync() >= 1);
    }

    /// <summary>
    /// Two nodes on one Redis, both warming the same performance every round: the shared cache (second level, backplane,
    /// distributed lock) makes one node's call serve both, so the box sees about one call a fresh period, not two.
    /// </summary>
    [Fact]
    public async Task Round_TwoNodesOnOneRedis_WarmThePerformanceAboutOnceAFreshPeriodBetweenThem()
    {
        const int Rounds = 10;
        await _mock.Control.SetOnSaleAtAsync(Performance, _time.GetUtcNow().AddMinutes(10));
        await using var redis = await RedisServerProcess.StartAsync("everysec");
        var shared = new Dictionary<string, string?>
        {
            ["Gateway:Store"] = "Redis",
            ["Gateway:Redis:Configuration"] = redis.Configuration,
        };
        await using var first = await StartAsync(freshFor: "00:00:00.300", extra: shared);
        await using var second = await StartAsync(freshFor: "00:00:00.300", extra: shared);
        await WaitForCallsAsync(1, "the first warm-up");
        var nodes = new[] { WarmUpOf(first), WarmUpOf(second) };

        var before = await AvailabilityCallsAsync();
        for (var i = 0; i < Rounds; i++)
        {
            await Task.Delay(350); // past the fresh period: every round finds the answer due
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(nodes.Select(n => n.RoundAsync(CancellationToken.None)));
        }

        var calls = await AvailabilityCallsAsync() - before;
        output.WriteLine($"{calls} backend calls for {Rounds} rounds of two nodes (each node alone would make {Rounds})");
        Assert.True(calls >= Rounds / 2, $"{calls} calls: the warm-up kept it fresh");
        Assert.True(calls <= Rounds + (Rounds / 2), $"{calls} calls for {Rounds} rounds of two nodes: they did not share the cache");
    }

    private Task<GatewayHost> StartAsync(string warmUpBefore = "00:30:00", string? freshFor = null, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Availability:WarmUpBefore"] = warmUpBefore };
        if (freshFor is not null)
        {
            settings["Gateway:Availability:FreshFor"] = freshFor;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return GatewayHost.StartAsync(time: _time, mock: _mock, settings: settings);
    }

    /// <summary>The gateway's warm-up worker, for a test to run a round itself.</summary>
    internal static WarmUp WarmUpOf(GatewayHost gateway) => gateway.Services.GetServices<IHostedService>().OfType<WarmUp>().Single();

    private Task<long> AvailabilityCallsAsync() => CallsAsync("GetAvailability");

    private async Task<long> CallsAsync(string operation) => (await _mock.Control.GetStatsAsync()).Calls.GetValueOrDefault(operation);

    private Task WaitForCallsAsync(long calls, string what) => Eventually.HoldsAsync(AvailabilityCallsAsync, n => n >= calls, what);
}
