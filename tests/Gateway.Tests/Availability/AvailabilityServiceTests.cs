using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Availability;

public sealed class AvailabilityServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly IVenueBackend _backend = Substitute.For<IVenueBackend>();
    private readonly Meters _meters = new();

    public AvailabilityServiceTests()
    {
        _backend.GetPerformancesAsync(Arg.Any<CancellationToken>()).Returns(
            [new Performance(1001, "Hamlet", "Royal Hall", _time.GetUtcNow().AddDays(10), _time.GetUtcNow().AddDays(-1))]);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task Adjust_WhileARefreshIsOnItsWay_IsNotUndoneByTheOlderAnswer()
    {
        var service = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(10));
        await service.GetAsync(1001, default);
        _time.Advance(TimeSpan.FromSeconds(3));

        // The refresh starts; a sale completes while its answer (counted before the sale) is on the way.
        var gate = new TaskCompletionSource<IReadOnlyList<Zone>>();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(gate.Task);
        var refresh = service.GetAsync(1001, default);
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
        var service = NewService();
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
        var service = NewService();
        _backend.GetAvailabilityAsync(1001, Arg.Any<CancellationToken>()).Returns(Zones(5));
        await service.GetAsync(1001, default);

        var outcomes = new[] { service.TryPromise(1001, 1, 3), service.TryPromise(1001, 1, 3), service.TryPromise(1001, 1, 2) };

        Assert.Equal([PromiseOutcome.Promised, PromiseOutcome.NotEnoughSeats, PromiseOutcome.Promised], outcomes);
        Assert.Equal(5, service.Promised(1001, 1));
        Assert.Equal(PromiseOutcome.NeverKnown, service.TryPromise(1001, 9, 1));
    }

    private static IReadOnlyList<Zone> Zones(int available) => [new Zone(1, "Stalls", 8500, 400, available)];

    private AvailabilityService NewService() => new(
        new PassThroughCache(),
        _backend,
        _time,
        Options.Create(new AvailabilityOptions()),
        new GatewayMetrics(_meters),
        NullLogger<AvailabilityService>.Instance);

    /// <summary>A HybridCache that always asks the factory: these tests are about what the service does with answers.</summary>
    private sealed class PassThroughCache : HybridCache
    {
        public override ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            factory(state, cancellationToken);

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    private sealed class Meters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
