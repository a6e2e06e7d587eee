using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.WaitingRoom;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Purchasing;

/// <summary>Session keys fetched ahead of the crowd: how many, for whom, how fresh, and each one once.</summary>
public sealed class SessionKeyPoolTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly IVenueBackend _backend = Substitute.For<IVenueBackend>();
    private readonly IBuyerAccess _rooms = Substitute.For<IBuyerAccess>();
    private readonly TestMeterFactory _meters = new();
    private int _issued;

    public SessionKeyPoolTests() =>
        _backend.GetNewSessionKeyAsync(Arg.Any<CancellationToken>()).Returns(_ => Task.FromResult($"key-{Interlocked.Increment(ref _issued)}"));

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task Refill_NobodyWaiting_FetchesNothing()
    {
        var pool = Create(size: 100);
        _rooms.BuyersExpected(Arg.Any<TimeSpan>()).Returns(0);

        await pool.RefillAsync(CancellationToken.None);

        Assert.Equal(0, pool.Count);
        Assert.Equal(0, _issued);
    }

    [Fact]
    public async Task Refill_BuyersWaiting_FetchesOnePerBuyerUpToThePoolSize()
    {
        var pool = Create(size: 50);
        _rooms.BuyersExpected(TimeSpan.FromMinutes(10)).Returns(30);

        await pool.RefillAsync(CancellationToken.None);
        await pool.RefillAsync(CancellationToken.None); // Already enough: nothing more.
        Assert.Equal(30, pool.Count);

        _rooms.BuyersExpected(TimeSpan.FromMinutes(10)).Returns(500);
        await pool.RefillAsync(CancellationToken.None);

        Assert.Equal(50, pool.Count);
        Assert.Equal(50, _issued);
    }

    [Fact]
    public async Task TryTake_EachKeyOnce_ThenNone()
    {
        var pool = Create(size: 3);
        _rooms.BuyersExpected(Arg.Any<TimeSpan>()).Returns(3);
        await pool.RefillAsync(CancellationToken.None);

        var taken = new[] { pool.TryTake(), pool.TryTake(), pool.TryTake(), pool.TryTake() };

        Assert.Equal(3, taken.Take(3).Distinct(StringComparer.Ordinal).Count(k => k is not null));
        Assert.Null(taken[3]);
    }

    [Fact]
    public async Task TryTake_KeyOlderThanFifteenMinutes_IsNeverHandedOut()
    {
        var pool = Create(size: 2);
        _rooms.BuyersExpected(Arg.Any<TimeSpan>()).Returns(2);
        await pool.RefillAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(15));

        Assert.Null(pool.TryTake());
    }

    [Fact]
    public async Task Refill_PoolSizeZero_IsOff()
    {
        var pool = Create(size: 0);
        _rooms.BuyersExpected(Arg.Any<TimeSpan>()).Returns(1_000);

        await pool.RefillAsync(CancellationToken.None);

        Assert.Equal(0, _issued);
    }

    private SessionKeyPool Create(int size) => new(
        _backend,
        _rooms,
        _time,
        Options.Create(new PurchasingOptions { SessionKeyPoolSize = size }),
        new GatewayMetrics(_meters),
        NullLogger<SessionKeyPool>.Instance);
}
