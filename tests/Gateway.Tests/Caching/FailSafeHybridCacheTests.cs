using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using OnSale.Gateway.Caching;

namespace OnSale.Gateway.Tests.Caching;

public sealed class FailSafeHybridCacheTests : IDisposable
{
    private const string Key = "availability:perf-1";
    private static readonly TimeSpan Expiration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly CacheHarness _harness = CacheHarness.Create();

    private FailSafeHybridCache Cache => _harness.Cache;

    public void Dispose() => _harness.Dispose();

    // ---- single flight ----

    [Fact]
    public async Task GetOrCreateAsync_ThousandConcurrentReadersOfColdKey_CallsFactoryOnce()
    {
        var results = await ReadConcurrentlyAsync(readers: 1000, value: 42);

        Assert.Equal(1, results.FactoryCalls);
        Assert.All(results.Values, value => Assert.Equal(42, value));
        Assert.Equal(0, Cache.InFlightCount);
    }

    [Fact]
    public async Task GetOrCreateAsync_ThousandConcurrentReadersOfExpiredKey_RefreshesOnce()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(1));
        _harness.Time.Advance(Expiration + Tick);

        var results = await ReadConcurrentlyAsync(readers: 1000, value: 2);

        Assert.Equal(1, results.FactoryCalls);
        Assert.All(results.Values, value => Assert.Equal(2, value));
        Assert.Equal(0, Cache.InFlightCount);
    }

    // ---- freshness ----

    [Fact]
    public async Task GetOrCreateAsync_WithinExpiration_DoesNotCallFactory()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(1));
        _harness.Time.Advance(Expiration - Tick);

        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<int>());

        Assert.Equal(1, value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_AfterExpiration_Refreshes()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(1));
        _harness.Time.Advance(Expiration);

        var value = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(2));
        var cached = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<int>());

        Assert.Equal(2, value);
        Assert.Equal(2, cached);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_EntryOptionsExpiration_OverridesDefault()
    {
        var options = new HybridCacheEntryOptions { Expiration = TimeSpan.FromSeconds(30) };
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult(1), options);
        _harness.Time.Advance(TimeSpan.FromSeconds(29));

        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<int>(), options);

        Assert.Equal(1, value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_FactoryReturnsNull_CachesNull()
    {
        var calls = 0;
        ValueTask<string?> Factory(CancellationToken _)
        {
            calls++;
            return ValueTask.FromResult<string?>(null);
        }

        await Cache.GetOrCreateAsync(Key, Factory);
        var second = await Cache.GetOrCreateAsync(Key, Factory);

        Assert.Null(second);
        Assert.Equal(1, calls);
    }

    // ---- fail-safe ----

    [Fact]
    public async Task GetOrCreateAsync_FactoryFailsAfterExpiry_ServesStaleValue()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);

        var value = await Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down"));

        Assert.Equal("v1", value);
    }

    [Fact]
    public async Task GetOrCreateAsync_WithinThrottleAfterFailure_DoesNotCallFactory()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);
        await Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down"));
        _harness.Time.Advance(_harness.Options.FailSafeThrottleDuration - Tick);

        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>());

        Assert.Equal("v1", value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_AfterThrottle_CallsFactoryAgain()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);
        await Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down"));
        _harness.Time.Advance(_harness.Options.FailSafeThrottleDuration);

        var calls = 0;
        var failing = await Cache.GetOrCreateAsync(Key, _ =>
        {
            calls++;
            return TestTasks.Throws<string>("still down");
        });
        var recovered = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v2"));
        _harness.Time.Advance(_harness.Options.FailSafeThrottleDuration);
        var afterRecovery = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v2"));

        Assert.Equal(1, calls);
        Assert.Equal("v1", failing);
        Assert.Equal("v1", recovered); // the second failure started a new throttle window
        Assert.Equal("v2", afterRecovery);
    }

    [Fact]
    public async Task GetOrCreateAsync_PastFailSafeWindow_ThrowsFactoryException()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + _harness.Options.FailSafeMaxDuration);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down")).AsTask());

        Assert.Equal("backend down", error.Message);
    }

    [Fact]
    public async Task GetOrCreateAsync_JustInsideFailSafeWindow_ServesStaleValue()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + _harness.Options.FailSafeMaxDuration - Tick);

        var value = await Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down"));

        Assert.Equal("v1", value);
    }

    [Fact]
    public async Task GetOrCreateAsync_RefreshFailsAfterFailSafeWindowPassed_DoesNotServeTooOldValue()
    {
        using var harness = CacheHarness.Create(o => o.FailSafeMaxDuration = TimeSpan.FromSeconds(1));
        await harness.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        harness.Time.Advance(Expiration + Tick);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var early = harness.Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();
        harness.Time.Advance(harness.Options.FactorySoftTimeout);
        var servedStale = await early.Within();

        // The refresh is still running when the value leaves its fail-safe window; a late reader joins it.
        harness.Time.Advance(harness.Options.FailSafeMaxDuration);
        var late = harness.Cache.GetOrCreateAsync(Key, harness.Forbidden.Of<string>()).AsTask();
        gate.SetException(new InvalidOperationException("backend down"));

        Assert.Equal("v1", servedStale);
        await Assert.ThrowsAsync<InvalidOperationException>(() => late.Within());
        Assert.Equal(0, harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_FailSafeActivation_LogsAtConfiguredLevel()
    {
        using var harness = CacheHarness.Create(o => o.FailSafeActivationLogLevel = LogLevel.Error);
        await harness.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        harness.Time.Advance(Expiration + Tick);

        await harness.Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down"));

        var entry = Assert.Single(harness.Logger.Entries, e => e.EventId == OnSale.Gateway.Infrastructure.EventIds.CacheFailSafeActivated);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains(Key, entry.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    // ---- soft and hard timeouts ----

    [Fact]
    public async Task GetOrCreateAsync_SlowRefreshWithStaleValue_ServesStaleAfterSoftTimeoutThenUpdates()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var read = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();
        _harness.Time.Advance(_harness.Options.FactorySoftTimeout - Tick);
        Assert.False(read.IsCompleted);
        _harness.Time.Advance(Tick);
        var servedStale = await read.Within();

        gate.SetResult("v2");
        var afterRefresh = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>()).AsTask().Within();

        Assert.Equal("v1", servedStale);
        Assert.Equal("v2", afterRefresh);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_SlowFactoryWithoutStaleValue_WaitsPastSoftTimeout()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var read = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();
        _harness.Time.Advance(_harness.Options.FactorySoftTimeout * 4);
        Assert.False(read.IsCompleted);
        gate.SetResult("v1");

        Assert.Equal("v1", await read.Within());
    }

    [Fact]
    public async Task GetOrCreateAsync_FactoryPastHardTimeoutWithoutStaleValue_CancelsFactoryAndThrowsTimeout()
    {
        var factoryToken = CancellationToken.None;
        var read = Cache.GetOrCreateAsync(Key, async ct =>
        {
            factoryToken = ct;
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }).AsTask();

        _harness.Time.Advance(_harness.Options.FactoryHardTimeout - Tick);
        Assert.False(read.IsCompleted);
        Assert.False(factoryToken.IsCancellationRequested);
        _harness.Time.Advance(Tick);

        await Assert.ThrowsAsync<TimeoutException>(() => read.Within());
        Assert.True(factoryToken.IsCancellationRequested);
        Assert.Equal(0, Cache.InFlightCount);
    }

    [Fact]
    public async Task GetOrCreateAsync_FactoryIgnoringTokenPastHardTimeout_IsAbandoned()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();

        _harness.Time.Advance(_harness.Options.FactoryHardTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => read.Within());
        gate.SetResult("late");

        var next = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("fresh"));
        Assert.Equal("fresh", next);
    }

    [Fact]
    public async Task GetOrCreateAsync_FactoryPastHardTimeoutWithStaleValue_ServesStaleValue()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);
        var factoryToken = CancellationToken.None;
        var slow = Cache.GetOrCreateAsync(Key, async ct =>
        {
            factoryToken = ct;
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }).AsTask();

        // Fires the soft timeout (the read gets the stale value), then the hard one (the factory is cancelled).
        _harness.Time.Advance(_harness.Options.FactoryHardTimeout);
        var servedStale = await slow.Within();
        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>()).AsTask().Within();

        Assert.True(factoryToken.IsCancellationRequested);
        Assert.Equal("v1", servedStale);
        Assert.Equal("v1", value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    // ---- cancellation and errors ----

    [Fact]
    public async Task GetOrCreateAsync_CallerCancels_SharedFactoryContinuesForOthers()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryToken = CancellationToken.None;
        using var impatient = new CancellationTokenSource();

        var first = Cache.GetOrCreateAsync(
            Key,
            ct =>
            {
                factoryToken = ct;
                return new ValueTask<int>(gate.Task);
            },
            cancellationToken: impatient.Token).AsTask();
        var second = Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<int>()).AsTask();
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Within());
        Assert.False(factoryToken.IsCancellationRequested);
        gate.SetResult(7);
        Assert.Equal(7, await second.Within());
        Assert.Equal(7, await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<int>()));
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_CallerCancelsWithStaleValue_GetsStaleValue()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource();

        var read = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task), cancellationToken: deadline.Token).AsTask();
        await deadline.CancelAsync();

        Assert.Equal("v1", await read.Within());
        gate.SetResult("v2");
    }

    [Fact]
    public async Task GetOrCreateAsync_AlreadyCancelledToken_ThrowsWithoutCallingFactory()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<int>(), cancellationToken: cancelled.Token).AsTask());
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_FactoryThrowsWithNothingCached_PropagatesAndCachesNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down")).AsTask());

        var calls = 0;
        var next = await Cache.GetOrCreateAsync(Key, _ =>
        {
            calls++;
            return ValueTask.FromResult("v1");
        });

        Assert.Equal("backend down", error.Message);
        Assert.Equal(1, calls);
        Assert.Equal("v1", next);
    }

    [Fact]
    public async Task GetOrCreateAsync_FactoryFailsForConcurrentWaiters_AllGetTheException()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = Enumerable.Range(0, 10)
            .Select(_ => Cache.GetOrCreateAsync(Key, _ => new ValueTask<int>(gate.Task)).AsTask())
            .ToArray();

        gate.SetException(new InvalidOperationException("backend down"));

        foreach (var read in reads)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => read.Within());
        }

        Assert.Equal(0, Cache.LocalCount);
    }

    // ---- flags ----

    [Fact]
    public async Task GetOrCreateAsync_DisableUnderlyingDataOnEmptyCache_ReturnsDefault()
    {
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>(), options);

        Assert.Null(value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableUnderlyingDataWithCachedValue_ReturnsIt()
    {
        await Cache.SetAsync(Key, "v1");
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>(), options);

        Assert.Equal("v1", value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableLocalCacheRead_CallsFactory()
    {
        await Cache.SetAsync(Key, "v1");
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheRead };

        var value = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v2"), options);
        var cached = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>());

        Assert.Equal("v2", value);
        Assert.Equal("v2", cached);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task GetOrCreateAsync_DisableLocalCacheWrite_DoesNotStore()
    {
        var options = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheWrite };

        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"), options);
        var next = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v2"));

        Assert.Equal("v2", next);
    }

    [Fact]
    public async Task GetOrCreateAsync_DefaultEntryOptionsFlags_ApplyWhenCallPassesNone()
    {
        using var harness = CacheHarness.Create(o => o.DefaultEntryOptions = new HybridCacheEntryOptions
        {
            Expiration = Expiration,
            Flags = HybridCacheEntryFlags.DisableLocalCacheWrite,
        });

        await harness.Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));

        Assert.Equal(0, harness.Cache.LocalCount);
    }

    // ---- set, remove, tags ----

    [Fact]
    public async Task SetAsync_ThenGetOrCreate_ReturnsSetValueWithoutFactory()
    {
        await Cache.SetAsync(Key, "set");

        var value = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>());

        Assert.Equal("set", value);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task SetAsync_EntryExpires_AfterItsExpiration()
    {
        await Cache.SetAsync(Key, "set", new HybridCacheEntryOptions { Expiration = TimeSpan.FromSeconds(5) });
        _harness.Time.Advance(TimeSpan.FromSeconds(5));

        var value = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("refreshed"));

        Assert.Equal("refreshed", value);
    }

    [Fact]
    public async Task SetAsync_DuringRefresh_RefreshDoesNotOverwriteIt()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();

        await Cache.SetAsync(Key, "set");
        gate.SetResult("from factory");
        var readValue = await read.Within();
        var cached = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>());

        Assert.Equal("from factory", readValue);
        Assert.Equal("set", cached);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task RemoveAsync_CachedKey_NextReadCallsFactory()
    {
        await Cache.SetAsync(Key, "v1");

        await Cache.RemoveAsync(Key);
        var value = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v2"));

        Assert.Equal("v2", value);
    }

    [Fact]
    public async Task RemoveAsync_RemovedKeyWhenFactoryFails_HasNoStaleValue()
    {
        await Cache.SetAsync(Key, "v1");
        _harness.Time.Advance(Expiration + Tick);

        await Cache.RemoveAsync(Key);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down")).AsTask());
    }

    [Fact]
    public async Task RemoveAsync_DuringRefresh_NextReadRunsFactoryAndOldResultIsNotStored()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();

        await Cache.RemoveAsync(Key);
        var afterRemove = await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("after remove")).AsTask().Within();
        gate.SetResult("before remove");
        var waiting = await read.Within();
        var cached = await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>());

        Assert.Equal("before remove", waiting);
        Assert.Equal("after remove", afterRemove);
        Assert.Equal("after remove", cached);
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task RemoveByTagAsync_Tag_RemovesOnlyEntriesCarryingIt()
    {
        await Cache.SetAsync("availability:a", "a", tags: ["perf-1"]);
        await Cache.SetAsync("availability:b", "b", tags: ["perf-2"]);

        await Cache.RemoveByTagAsync("perf-1");

        Assert.Equal("a2", await Cache.GetOrCreateAsync("availability:a", _ => ValueTask.FromResult("a2")));
        Assert.Equal("b", await Cache.GetOrCreateAsync("availability:b", _harness.Forbidden.Of<string>()));
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Fact]
    public async Task RemoveByTagAsync_Star_RemovesEverything()
    {
        await Cache.SetAsync("availability:a", "a", tags: ["perf-1"]);
        await Cache.SetAsync("availability:b", "b");

        await Cache.RemoveByTagAsync("*");

        Assert.Equal(0, Cache.LocalCount);
    }

    [Fact]
    public async Task RemoveByTagAsync_FactoryTags_AreAttachedToTheEntry()
    {
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"), tags: ["perf-1"]);

        await Cache.RemoveByTagAsync("perf-1");

        Assert.Equal(0, Cache.LocalCount);
    }

    // ---- bounds ----

    [Fact]
    public async Task SetAsync_BeyondMaxEntries_StaysWithinBoundEvictingOldestWrites()
    {
        using var harness = CacheHarness.Create(o => o.MaxEntries = 10);

        for (var i = 0; i < 25; i++)
        {
            await harness.Cache.SetAsync($"k:{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(harness.Cache.LocalCount, 1, 10);
        }

        Assert.Equal("24", await PeekAsync(harness.Cache, "k:24"));
        Assert.Null(await PeekAsync(harness.Cache, "k:0"));
    }

    [Fact]
    public async Task SetAsync_BeyondMaxEntries_EvictsEntriesPastFailSafeFirst()
    {
        using var harness = CacheHarness.Create(o =>
        {
            o.MaxEntries = 3;
            o.FailSafeMaxDuration = TimeSpan.FromSeconds(1);
        });
        await harness.Cache.SetAsync("k:long-lived", "old but alive", new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(1) });
        await harness.Cache.SetAsync("k:short-lived", "newer but dead", new HybridCacheEntryOptions { Expiration = TimeSpan.FromSeconds(1) });
        harness.Time.Advance(TimeSpan.FromSeconds(5));

        await harness.Cache.SetAsync("k:c", "c");
        await harness.Cache.SetAsync("k:d", "d");

        Assert.Equal(3, harness.Cache.LocalCount);
        Assert.Equal("old but alive", await PeekAsync(harness.Cache, "k:long-lived"));
        Assert.Null(await PeekAsync(harness.Cache, "k:short-lived"));
    }

    [Fact]
    public async Task GetOrCreateAsync_KeyLongerThanMaximum_BypassesCache()
    {
        var longKey = new string('k', _harness.Options.MaximumKeyLength + 1);
        var calls = 0;
        ValueTask<int> Factory(CancellationToken _) => ValueTask.FromResult(++calls);

        await Cache.GetOrCreateAsync(longKey, Factory);
        var second = await Cache.GetOrCreateAsync(longKey, Factory);

        Assert.Equal(2, second);
        Assert.Equal(0, Cache.LocalCount);
        Assert.Contains(_harness.Logger.Entries, e => e.EventId == OnSale.Gateway.Infrastructure.EventIds.CacheKeyTooLong);
    }

    [Fact]
    public async Task GetOrCreateAsync_KeyOfMaximumLength_IsCached()
    {
        var key = new string('k', _harness.Options.MaximumKeyLength);
        var calls = 0;
        ValueTask<int> Factory(CancellationToken _) => ValueTask.FromResult(++calls);

        await Cache.GetOrCreateAsync(key, Factory);
        var second = await Cache.GetOrCreateAsync(key, Factory);

        Assert.Equal(1, second);
    }

    // ---- metrics ----

    [Fact]
    public async Task GetOrCreateAsync_HitsMissesAndStaleServed_AreCountedByKeyPrefix()
    {
        var metrics = _harness.Metrics;
        var prefix = ("key_prefix", "availability");

        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        await Cache.GetOrCreateAsync(Key, _ => ValueTask.FromResult("v1"));
        _harness.Time.Advance(Expiration + Tick);
        await Cache.GetOrCreateAsync(Key, _ => TestTasks.Throws<string>("backend down"));
        await Cache.GetOrCreateAsync(Key, _harness.Forbidden.Of<string>());
        _harness.Time.Advance(_harness.Options.FailSafeThrottleDuration);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = Cache.GetOrCreateAsync(Key, _ => new ValueTask<string>(gate.Task)).AsTask();
        _harness.Time.Advance(_harness.Options.FactorySoftTimeout);
        await slow.Within();
        gate.SetResult("v2");

        Assert.Equal(1, metrics.Sum("onsale.cache.hits", prefix));
        Assert.Equal(3, metrics.Sum("onsale.cache.misses", prefix));
        Assert.Equal(1, metrics.Sum("onsale.cache.factory_errors", prefix));
        Assert.Equal(1, metrics.Sum("onsale.cache.stale_served", prefix, ("reason", "factory_error")));
        Assert.Equal(1, metrics.Sum("onsale.cache.stale_served", prefix, ("reason", "throttled")));
        Assert.Equal(1, metrics.Sum("onsale.cache.stale_served", prefix, ("reason", "soft_timeout")));
        Assert.Equal(0, _harness.Forbidden.Calls);
    }

    [Theory]
    [InlineData("availability:perf-1:zone-2", "availability")]
    [InlineData("performances", "(none)")]
    [InlineData(":x", "")]
    public void KeyPrefix_Key_IsTextBeforeFirstColon(string key, string expected)
    {
        Assert.Equal(expected, CacheMetrics.KeyPrefix(key));
    }

    // ---- helpers ----

    private static ValueTask<string?> PeekAsync(FailSafeHybridCache cache, string key) => cache.GetOrCreateAsync(
        key,
        _ => TestTasks.Throws<string?>("peeking never calls the factory"),
        new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData });

    private async Task<(int FactoryCalls, int[] Values)> ReadConcurrentlyAsync(int readers, int value)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allJoined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = 0;
        var calls = 0;

        async ValueTask<int> Factory(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            await factoryGate.Task;
            return value;
        }

        var tasks = Enumerable.Range(0, readers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            var pending = Cache.GetOrCreateAsync(Key, Factory);
            if (Interlocked.Increment(ref joined) == readers)
            {
                allJoined.SetResult();
            }

            return await pending;
        })).ToArray();

        start.SetResult();

        // Every reader has joined before the factory may finish, so a second run could only come from a broken flight.
        await allJoined.Task.Within();
        factoryGate.SetResult();
        var values = await Task.WhenAll(tasks).Within();
        return (Volatile.Read(ref calls), values);
    }
}
