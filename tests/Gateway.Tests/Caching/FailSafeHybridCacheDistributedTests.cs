using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Caching;

/// <summary>The cache with an L2: shared between instances, and failing in every way an L2 can.</summary>
public sealed class FailSafeHybridCacheDistributedTests : IDisposable
{
    private const string Key = "availability:perf-1";
    private static readonly TimeSpan Expiration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private static readonly Seats V1 = new("perf-1", 120);
    private static readonly Seats V2 = new("perf-1", 80);

    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly MemoryDistributedCache _shared = new(Options.Create(new MemoryDistributedCacheOptions()));
    private readonly CacheHarness _first;
    private readonly CacheHarness _second;

    public FailSafeHybridCacheDistributedTests()
    {
        _first = CacheHarness.Create(distributedCache: _shared, time: _time);
        _second = CacheHarness.Create(distributedCache: _shared, time: _time);
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task GetOrCreateAsync_SecondInstanceSharingL2_GetsValueWithoutFactory()
    {
        await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1));

        var value = await _second.Cache.GetOrCreateAsync(Key, _second.Forbidden.Of<Seats>());

        Assert.Equal(V1, value);
        Assert.Equal(0, _second.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_L2EntryExpired_SecondInstanceRefreshes()
    {
        await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1));
        _time.Advance(Expiration + Tick);

        var value = await _second.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V2));

        Assert.Equal(V2, value);
    }

    [Fact]
    public async Task GetOrCreateAsync_L2EntryExpiredAndFactoryFails_SecondInstanceServesItStale()
    {
        await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1));
        _time.Advance(Expiration + Tick);

        var value = await _second.Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<Seats>("backend down"));

        Assert.Equal(V1, value);
        Assert.Equal(1, _second.Metrics.Sum("onsale.cache.stale_served", ("reason", "factory_error")));
    }

    [Fact]
    public async Task GetOrCreateAsync_StaleL1AndFreshL2_TakesL2WithoutFactory()
    {
        await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1));
        await _second.Cache.GetOrCreateAsync(Key, _second.Forbidden.Of<Seats>());
        _time.Advance(Expiration + Tick);
        await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V2));

        var value = await _second.Cache.GetOrCreateAsync(Key, _second.Forbidden.Of<Seats>());

        Assert.Equal(V2, value);
        Assert.Equal(0, _second.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_L2Throws_ReadSucceedsAndErrorIsCounted()
    {
        var broken = Substitute.For<IDistributedCache>();
        broken.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns<Task<byte[]?>>(_ => throw new InvalidOperationException("redis down"));
        broken.SetAsync(Arg.Any<string>(), Arg.Any<byte[]>(), Arg.Any<DistributedCacheEntryOptions>(), Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new InvalidOperationException("redis down")));
        using var harness = CacheHarness.Create(distributedCache: broken);

        var value = await harness.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1));
        var cached = await harness.Cache.GetOrCreateAsync(Key, harness.Forbidden.Of<Seats>());

        Assert.Equal(V1, value);
        Assert.Equal(V1, cached);
        Assert.Equal(2, harness.Metrics.Sum("onsale.cache.l2_errors", ("key_prefix", "availability")));
        Assert.Contains(harness.Logger.Entries, e => e.EventId == OnSale.Gateway.Infrastructure.EventIds.CacheDistributedCacheFailed);
        Assert.Equal(0, harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_L2Hangs_GivesUpAfterDistributedCacheTimeout()
    {
        var hanging = Substitute.For<IDistributedCache>();
        hanging.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(new TaskCompletionSource<byte[]?>().Task);
        using var harness = CacheHarness.Create(distributedCache: hanging);

        var read = harness.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1)).AsTask();
        harness.Time.Advance(harness.Options.DistributedCacheTimeout - Tick);
        Assert.False(read.IsCompleted);
        harness.Time.Advance(Tick);

        Assert.Equal(V1, await read.Within());
        Assert.Equal(1, harness.Metrics.Sum("onsale.cache.l2_errors"));
    }

    [Fact]
    public async Task GetOrCreateAsync_CorruptL2Payload_IsTreatedAsMiss()
    {
        await _shared.SetAsync(Key, Encoding.UTF8.GetBytes("not json"));

        var value = await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1));

        Assert.Equal(V1, value);
        Assert.Equal(1, _first.Metrics.Sum("onsale.cache.l2_errors"));
    }

    [Fact]
    public async Task SetAsync_WritesL2_ForExpirationPlusFailSafeWindow()
    {
        var recording = Substitute.For<IDistributedCache>();
        using var harness = CacheHarness.Create(distributedCache: recording);

        await harness.Cache.SetAsync(Key, V1);

        await recording.Received(1).SetAsync(
            Key,
            Arg.Any<byte[]>(),
            Arg.Is<DistributedCacheEntryOptions>(o => o.AbsoluteExpirationRelativeToNow == Expiration + harness.Options.FailSafeMaxDuration),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task SetAsync_SharedL2_SecondInstanceSeesValue()
    {
        await _first.Cache.SetAsync(Key, V2);

        var value = await _second.Cache.GetOrCreateAsync(Key, _second.Forbidden.Of<Seats>());

        Assert.Equal(V2, value);
        Assert.Equal(0, _second.Forbidden.Calls);
    }

    [Fact]
    public async Task SetAsync_PayloadOverMaximum_IsNotWrittenToL2()
    {
        using var harness = CacheHarness.Create(o => o.MaximumPayloadBytes = 300, distributedCache: _shared, time: _time);

        await harness.Cache.SetAsync("big:1", new string('x', 400));
        await harness.Cache.SetAsync("small:1", "x");

        Assert.Null(await _shared.GetAsync("big:1"));
        Assert.NotNull(await _shared.GetAsync("small:1"));
        Assert.Equal(new string('x', 400), await harness.Cache.GetOrCreateAsync("big:1", harness.Forbidden.Of<string>()));
        Assert.Equal(0, harness.Forbidden.Calls);
    }

    [Fact]
    public async Task RemoveAsync_SharedL2_SecondInstanceCallsFactory()
    {
        await _first.Cache.SetAsync(Key, V1);

        await _first.Cache.RemoveAsync(Key);
        var afterRemove = await _shared.GetAsync(Key);
        var value = await _second.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V2));

        Assert.Null(afterRemove);
        Assert.Equal(V2, value);
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableLocalCacheRead_ReadsL2()
    {
        await _first.Cache.SetAsync(Key, V1);
        await _first.Cache.SetAsync(Key, V2, new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheWrite });

        var value = await _first.Cache.GetOrCreateAsync(
            Key,
            _first.Forbidden.Of<Seats>(),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheRead });

        Assert.Equal(V1, value);
        Assert.Equal(0, _first.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableDistributedCacheWrite_DoesNotWriteL2()
    {
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheWrite };

        await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V1), options);

        Assert.Null(await _shared.GetAsync(Key));
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableDistributedCacheRead_IgnoresL2()
    {
        await _first.Cache.SetAsync(Key, V1);
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheRead };

        var value = await _second.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V2), options);

        Assert.Equal(V2, value);
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableUnderlyingDataWithL2_ReturnsL2Value()
    {
        await _first.Cache.SetAsync(Key, V1);
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

        var value = await _second.Cache.GetOrCreateAsync(Key, _second.Forbidden.Of<Seats>(), options);
        var missing = await _second.Cache.GetOrCreateAsync("availability:none", _second.Forbidden.Of<Seats>(), options);

        Assert.Equal(V1, value);
        Assert.Null(missing);
        Assert.Equal(0, _second.Forbidden.Calls);
    }

    [Fact]
    public async Task RemoveByTagAsync_WithL2_IgnoresOlderTaggedL2Entries()
    {
        await _first.Cache.SetAsync(Key, V1, tags: ["perf-1"]);
        await _first.Cache.SetAsync("availability:perf-2", V1, tags: ["perf-2"]);
        _time.Advance(Tick);

        await _first.Cache.RemoveByTagAsync("perf-1");
        var removed = await _first.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(V2));
        var kept = await _first.Cache.GetOrCreateAsync("availability:perf-2", _first.Forbidden.Of<Seats>());

        Assert.Equal(V2, removed);
        Assert.Equal(V1, kept);
        Assert.Equal(0, _first.Forbidden.Calls);
    }

    internal sealed record Seats(string PerformanceId, int Available);
}
