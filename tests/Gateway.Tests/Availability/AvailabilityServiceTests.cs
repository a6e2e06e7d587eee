using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.MicrosoftHybridCache;

namespace OnSale.Gateway.Tests.Availability;

public sealed class AvailabilityServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly IVenueBackend _backend = Substitute.For<IVenueBackend>();
    private readonly IAvailabilityStore _store = Substitute.For<IAvailabilityStore>();
    private readonly TestMeterFactory _meters = new();
    private readonly List<IDisposable> _caches = [];

    public AvailabilityServiceTests()
    {
        _backend.GetPerformancesAsync(Arg.Any<CancellationToken>()).Returns(
            [new Performance(1001, "Hamlet", "Royal Hall", _time.GetUtcNow().AddDays(10), _time.GetUtcNow().AddDays(-1))]);
        _store.LoadAsync(Arg.Any<CancellationToken>()).Returns(new LastKnownAnswers(null, []));
    }

    public void Dispose()
    {
        _caches.ForEach(c => c.Dispose());
        _meters.Dispose();
    }

    [Fact]
    public async Task Adjust_WhileARefreshIsOnItsWay_IsNotUndoneByTheOlderAnswer()
    {
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        await service.GetAsync(1001, default);
        _time.Advance(TimeSpan.FromSeconds(3));

        // The refresh starts; a sale completes while its answer (counted before the sale) is on the way.
        var gate = new TaskCompletionSource<IReadOnlyList<Zone>>();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(gate.Task);
        var refresh = service.GetAsync(1001, default).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        service.Adjust(1001, 1, -3);
        gate.SetResult(Zones(10));
        var (_, snapshot) = await refresh;

        Assert.Equal(7, snapshot!.Zones[0].Available);
        Assert.Equal(7, service.LastKnownZone(1001, 1)!.Available);
    }

    [Fact]
    public async Task Adjust_BeforeTheRefreshStarted_IsTakenFromTheNewAnswer()
    {
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        await service.GetAsync(1001, default);
        service.Adjust(1001, 1, -3);
        _time.Advance(TimeSpan.FromSeconds(3));

        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(7)); // the backend counted the sale
        var (_, snapshot) = await service.GetAsync(1001, default);

        Assert.Equal(7, snapshot!.Zones[0].Available);
    }

    [Fact]
    public async Task TryPromise_NeverMoreThanLastKnownFreeLessPromised()
    {
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(5));
        await service.GetAsync(1001, default);

        var outcomes = new[] { service.TryPromise(1001, 1, 3), service.TryPromise(1001, 1, 3), service.TryPromise(1001, 1, 2) };

        Assert.Equal([PromiseOutcome.Promised, PromiseOutcome.NotEnoughSeats, PromiseOutcome.Promised], outcomes);
        Assert.Equal(5, service.Promised(1001, 1));
        Assert.Equal(PromiseOutcome.NeverKnown, service.TryPromise(1001, 9, 1));
    }

    [Fact]
    public async Task GetAsync_CacheServesItsFailSafeValue_StaleAlthoughYoungOnOurClock()
    {
        // A real FusionCache with a short real fresh period; our clock does not move, so only the failed refresh can
        // make the answer stale.
        var (service, _) = NewService(FusionCache(TimeSpan.FromMilliseconds(50)));
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        var (first, _) = await service.GetAsync(1001, default);
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).ThrowsAsync(new BackendUnavailableException("down", null, 503));

        var (outcome, snapshot) = await Eventually.HoldsAsync(
            () => service.GetAsync(1001, default).AsTask(),
            read => read.Outcome != AvailabilityOutcome.Fresh,
            "the expired entry is refreshed, fails and is served by the fail-safe");

        Assert.Equal(AvailabilityOutcome.Fresh, first);
        Assert.Equal(AvailabilityOutcome.Stale, outcome);
        Assert.Equal(_time.GetUtcNow(), snapshot!.AsOf);
        Assert.Equal(10, snapshot.Zones[0].Available);
    }

    [Fact]
    public async Task GetAsync_RefreshSucceedsAfterAFailure_FreshAgain()
    {
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        await service.GetAsync(1001, default);
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).ThrowsAsync(new BackendUnavailableException("down", null, 503));
        var (failed, _) = await service.GetAsync(1001, default);

        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(9));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        var (outcome, snapshot) = await service.GetAsync(1001, default);

        Assert.Equal(AvailabilityOutcome.Stale, failed);
        Assert.Equal(AvailabilityOutcome.Fresh, outcome);
        Assert.Equal(9, snapshot!.Zones[0].Available);
    }

    [Fact]
    public async Task FreshAnswer_YoungRenderedAnswer_UntilItsFreshPeriodPassesOrItsRefreshFails()
    {
        var freshFor = new AvailabilityOptions().FreshFor;
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        var neverRead = service.FreshAnswer(1001, hotPath: true);
        var (_, first) = await service.GetAnswerAsync(1001, default);
        var justRead = service.FreshAnswer(1001, hotPath: true);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).ThrowsAsync(new BackendUnavailableException("down", null, 503));
        await service.GetAnswerAsync(1001, default);
        var refreshFailed = service.FreshAnswer(1001, hotPath: true);

        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(9));
        var (_, refreshedAnswer) = await service.GetAnswerAsync(1001, default);
        var refreshed = service.FreshAnswer(1001, hotPath: true);
        _time.Advance(freshFor);
        var periodPassed = service.FreshAnswer(1001, hotPath: true);

        Assert.Null(neverRead);
        Assert.Same(first, justRead);
        Assert.Null(refreshFailed);
        Assert.Same(refreshedAnswer, refreshed);
        Assert.Null(periodPassed);
    }

    [Fact]
    public async Task FreshAnswer_PastTheEagerRefreshPoint_LetsOneReadIn50MsThroughToTheCache()
    {
        var freshFor = new AvailabilityOptions().FreshFor;
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        await service.GetAnswerAsync(1001, default);

        _time.Advance(freshFor * new CacheOptions().EagerRefreshThreshold);
        var passedThrough = service.FreshAnswer(1001, hotPath: true);
        var next = service.FreshAnswer(1001, hotPath: true);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        var fiftyMsLater = service.FreshAnswer(1001, hotPath: true);
        var afterIt = service.FreshAnswer(1001, hotPath: true);

        Assert.Null(passedThrough);
        Assert.NotNull(next);
        Assert.Null(fiftyMsLater);
        Assert.NotNull(afterIt);

        // The read passed down the pipeline reaches the endpoint, which must not answer it from memory again.
        Assert.Null(service.FreshAnswer(1001, hotPath: false));
    }

    [Fact]
    public async Task FreshAnswer_ForTheEndpoint_BeforeTheEagerRefreshPointOnly()
    {
        var freshFor = new AvailabilityOptions().FreshFor;
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        var (_, answer) = await service.GetAnswerAsync(1001, default);

        var young = service.FreshAnswer(1001, hotPath: false);
        _time.Advance(freshFor * new CacheOptions().EagerRefreshThreshold);
        var pastThePoint = service.FreshAnswer(1001, hotPath: false);

        Assert.Same(answer, young);
        Assert.Null(pastThePoint);
    }

    [Fact]
    public async Task GetAnswerAsync_AnAdjustmentOrAPromise_RendersNewBytesWithANewETag()
    {
        var (service, _) = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        var (_, first) = await service.GetAnswerAsync(1001, default);
        var (_, again) = await service.GetAnswerAsync(1001, default);

        service.Adjust(1001, 1, -2);
        var (_, afterSale) = await service.GetAnswerAsync(1001, default);
        Assert.Equal(PromiseOutcome.Promised, service.TryPromise(1001, 1, 3));
        var (_, afterPromise) = await service.GetAnswerAsync(1001, default);

        Assert.Same(first, again);
        Assert.Equal(3, new[] { first!.ETag, afterSale!.ETag, afterPromise!.ETag }.Distinct().Count());
        Assert.Contains("\"available\":8", System.Text.Encoding.UTF8.GetString(afterSale.Body.Span), StringComparison.Ordinal);
        Assert.Contains("\"available\":5", System.Text.Encoding.UTF8.GetString(afterPromise.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestoreAsync_KeptAnswersAndBackendDown_ServesThemStaleWithTheirAsOf()
    {
        var asOf = _time.GetUtcNow().AddMinutes(-5);
        _store.LoadAsync(Arg.Any<CancellationToken>()).Returns(new LastKnownAnswers(
            new PerformanceList([new Performance(1001, "Hamlet", "Royal Hall", asOf.AddDays(10), asOf.AddDays(-1))], asOf),
            [new AvailabilitySnapshot(1001, Zones(42), asOf)]));
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).ThrowsAsync(new BackendUnavailableException("down", null, 503));
        _backend.GetPerformancesAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new BackendUnavailableException("down", null, 503));
        var (service, _) = NewService(FusionCache(TimeSpan.FromMinutes(1)));

        await service.RestoreAsync(default);
        var (outcome, snapshot) = await service.GetAsync(1001, default);
        var performances = await service.GetPerformancesAsync(default);

        Assert.Equal(AvailabilityOutcome.Stale, outcome);
        Assert.Equal((asOf, 42), (snapshot!.AsOf, snapshot.Zones[0].Available));
        Assert.Equal(42, service.LastKnownZone(1001, 1)!.Available);
        Assert.Equal(asOf, performances!.AsOf);
        Assert.Equal(1001, Assert.Single(performances.Performances).Id);
    }

    [Fact]
    public async Task RestoreAsync_StoreUnreadable_StartsWithoutKeptAnswers()
    {
        _store.LoadAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new System.Text.Json.JsonException("bad row"));
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(40));
        var (service, _) = NewService();

        await service.RestoreAsync(default);
        var (outcome, snapshot) = await service.GetAsync(1001, default);

        Assert.Equal((AvailabilityOutcome.Fresh, 40), (outcome, snapshot!.Zones[0].Available));
    }

    [Fact]
    public async Task RestoreAsync_KeptAnswerAndBackendUp_FirstReadIsAFreshAnswer()
    {
        var asOf = _time.GetUtcNow().AddMinutes(-5);
        _store.LoadAsync(Arg.Any<CancellationToken>()).Returns(new LastKnownAnswers(null, [new AvailabilitySnapshot(1001, Zones(42), asOf)]));
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(40));
        var (service, _) = NewService(FusionCache(TimeSpan.FromMinutes(1)));

        await service.RestoreAsync(default);
        var (outcome, snapshot) = await service.GetAsync(1001, default);

        Assert.Equal(AvailabilityOutcome.Fresh, outcome);
        Assert.Equal((_time.GetUtcNow(), 40), (snapshot!.AsOf, snapshot.Zones[0].Available));
    }

    [Fact]
    public async Task GetAsync_NewAnswersAndCachedReads_EachNewAnswerKeptOnceNotEachRead()
    {
        var (service, writer) = NewService(FusionCache(TimeSpan.FromMinutes(1)));
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        for (var i = 0; i < 50; i++)
        {
            await service.GetAsync(1001, default);
        }

        await writer.FlushAsync(default);
        await writer.FlushAsync(default);

        await _store.Received(1).SaveAsync(
            Arg.Is<PerformanceList?>(l => l != null && l.Performances.Count == 1),
            Arg.Is<IReadOnlyCollection<AvailabilitySnapshot>>(s => s.Single().Zones[0].Available == 10 && s.Single().AsOf == _time.GetUtcNow()),
            Arg.Any<CancellationToken>());
    }

    private static IReadOnlyList<Zone> Zones(int available) => [new Zone(1, "Stalls", 8500, 400, available)];

    private (AvailabilityService Service, LastKnownWriter Writer) NewService(HybridCache? cache = null)
    {
        var writer = new LastKnownWriter(_store, NullLogger<LastKnownWriter>.Instance);
        var service = new AvailabilityService(
            cache ?? new PassThroughCache(),
            _backend,
            _time,
            Options.Create(new AvailabilityOptions()),
            Options.Create(new CacheOptions()),
            _store,
            writer,
            new CacheTelemetry(_meters, Options.Create(new CacheOptions()), NullLogger<CacheTelemetry>.Instance),
            new GatewayMetrics(_meters),
            NullLogger<AvailabilityService>.Instance);
        return (service, writer);
    }

    private FusionHybridCache FusionCache(TimeSpan freshFor)
    {
        var fusion = new FusionCache(new FusionCacheOptions
        {
            DefaultEntryOptions = new FusionCacheEntryOptions { Duration = freshFor, IsFailSafeEnabled = true, FailSafeMaxDuration = TimeSpan.FromHours(1) },
        });
        _caches.Add(fusion);
        return new FusionHybridCache(fusion);
    }

    /// <summary>A HybridCache that always asks the factory: these tests are about what the service does with answers.</summary>
    private sealed class PassThroughCache : HybridCache
    {
        public override ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            factory(state, cancellationToken);

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
