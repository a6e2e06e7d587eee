using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Caching;

/// <summary>
/// A <see cref="HybridCache"/> that keeps answering while the backend behind its factories is slow or down, in the
/// spirit of FusionCache's fail-safe: one factory run per key at a time (single flight), a stale value served when a
/// refresh fails or is slow, failed refreshes throttled, a hard timeout on every factory. L1 is in memory; L2 is an
/// optional <see cref="IDistributedCache"/>. Every instant comes from the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// <para>The fallback chain of a read: fresh L1 → (single flight: fresh L1 again → L2 → factory) → stale value within
/// <see cref="FailSafeHybridCacheOptions.FailSafeMaxDuration"/> past its expiry → the factory's error.</para>
/// <para>L2 entries are JSON envelopes (System.Text.Json, web defaults) holding the value and its timestamps;
/// <see cref="IHybridCacheSerializer{T}"/> registrations are not used. <see cref="RemoveByTagAsync(string, CancellationToken)"/>
/// is local to this instance: it removes L1 entries and makes this instance ignore older L2 entries with the tag,
/// but does not touch L2 itself or other instances.</para>
/// <para>Concurrent calls for the same key share a factory run when they also share the value type and the
/// cache-relevant flags (as Microsoft's implementation keys its stampede protection).</para>
/// </remarks>
internal sealed class FailSafeHybridCache : HybridCache, IDisposable
{
    private const HybridCacheEntryFlags FlightFlags =
        HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCache | HybridCacheEntryFlags.DisableUnderlyingData;

    private const string AllTags = "*";

    // An L2 entry is kept for its expiration plus the fail-safe window; capped so that "never expires" stays a valid
    // relative expiration for any IDistributedCache.
    private static readonly TimeSpan MaxDistributedLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan FallbackExpiration = TimeSpan.FromSeconds(2);

    private readonly FailSafeHybridCacheOptions _options;
    private readonly HybridCacheEntryOptions _defaults;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FailSafeHybridCache> _logger;
    private readonly CacheMetrics _metrics;
    private readonly IDistributedCache? _distributedCache;
    private readonly LocalCacheStore _local;
    private readonly ConcurrentDictionary<FlightKey, Flight> _flights = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tagInvalidations = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private long _longestLifetimeTicks;

    public FailSafeHybridCache(
        IOptions<FailSafeHybridCacheOptions> options,
        TimeProvider timeProvider,
        ILogger<FailSafeHybridCache> logger,
        IMeterFactory meterFactory,
        IDistributedCache? distributedCache = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(meterFactory);

        _options = options.Value;
        _defaults = _options.DefaultEntryOptions ?? new HybridCacheEntryOptions { Expiration = FallbackExpiration };
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = new CacheMetrics(meterFactory);
        _distributedCache = distributedCache;
        _local = new LocalCacheStore(_options.MaxEntries, timeProvider);
        _longestLifetimeTicks = ResolveLifetimes(null).Longest.Ticks;
    }

    /// <summary>Factory runs under way (for tests: the map must be empty once they are done).</summary>
    internal int InFlightCount => _flights.Count;

    /// <summary>Entries in L1.</summary>
    internal int LocalCount => _local.Count;

    internal bool HasDistributedCache => _distributedCache is not null;

    /// <inheritdoc />
    public override ValueTask<T> GetOrCreateAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options = null,
        IEnumerable<string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(factory);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        var flags = EffectiveFlags(options);
        if (key.Length > _options.MaximumKeyLength)
        {
            Log.KeyTooLong(_logger, key.Length, _options.MaximumKeyLength, CacheMetrics.KeyPrefix(key));
            return (flags & HybridCacheEntryFlags.DisableUnderlyingData) != 0
                ? new ValueTask<T>(default(T)!)
                : factory(state, cancellationToken);
        }

        CacheEntry<T>? stale = null;
        if ((flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0
            && _local.TryGet(key, out var found)
            && found is CacheEntry<T> entry)
        {
            var now = _timeProvider.GetUtcNow();
            if (now < entry.LocalExpiresAt)
            {
                _metrics.Hit(key);
                return new ValueTask<T>(entry.Value);
            }

            if (now < entry.FailSafeExpiresAt)
            {
                if (now < entry.ThrottledUntil)
                {
                    _metrics.StaleServed(key, StaleReason.Throttled);
                    Log.StaleServedThrottled(_logger, key, entry.Timestamp, entry.ThrottledUntil);
                    return new ValueTask<T>(entry.Value);
                }

                stale = entry;
            }
            else
            {
                // Past its fail-safe window it can never be served again.
                _local.TryRemove(key, entry);
            }
        }

        _metrics.Miss(key);
        if ((flags & HybridCacheEntryFlags.DisableUnderlyingData) != 0 && !CanReadDistributed(flags))
        {
            return new ValueTask<T>(stale is null ? default! : stale.Value);
        }

        var flight = JoinOrStartFlight(key, flags, state, factory, options, tags, stale);
        return AwaitFlightAsync(key, flight, stale, cancellationToken);
    }

    /// <inheritdoc />
    public override async ValueTask SetAsync<T>(
        string key,
        T value,
        HybridCacheEntryOptions? options = null,
        IEnumerable<string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > _options.MaximumKeyLength)
        {
            Log.KeyTooLong(_logger, key.Length, _options.MaximumKeyLength, CacheMetrics.KeyPrefix(key));
            return;
        }

        var flags = EffectiveFlags(options);
        var lifetimes = ResolveLifetimes(options);
        var entry = lifetimes.Create(value, _timeProvider.GetUtcNow(), ToArray(tags));
        TrackLifetime(lifetimes);

        // A refresh that started before this set must not overwrite it when it finishes.
        InvalidateFlights(flightKey => flightKey.Key == key);
        if ((flags & HybridCacheEntryFlags.DisableLocalCacheWrite) == 0)
        {
            WriteLocal(key, entry);
        }
        else
        {
            _local.Remove(key);
        }

        if (_distributedCache is not null && (flags & HybridCacheEntryFlags.DisableDistributedCacheWrite) == 0)
        {
            await WriteDistributedAsync(_distributedCache, key, entry, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        InvalidateFlights(flightKey => flightKey.Key == key);
        _local.Remove(key);
        if (_distributedCache is not null && key.Length <= _options.MaximumKeyLength)
        {
            await RemoveDistributedAsync(_distributedCache, key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes this instance's L1 entries carrying <paramref name="tag"/> (<c>"*"</c>: all entries), stops refreshes
    /// under way from storing their results, and makes this instance ignore L2 entries with the tag written until
    /// now. L2 itself is not touched: other instances keep serving what they hold (L2 tag invalidation is not
    /// supported).
    /// </summary>
    public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var now = _timeProvider.GetUtcNow();
        RecordTagInvalidation(tag, now);
        if (tag == AllTags)
        {
            InvalidateFlights(static _ => true);
            _local.RemoveWhere(static _ => true);
        }
        else
        {
            InvalidateFlights((_, flight) => flight.HasTag(tag));
            _local.RemoveWhere(entry => entry.HasTag(tag));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Cancels the factories under way; their waiters get the stale value or the cancellation.</summary>
    public void Dispose() => _disposed.Cancel();

    private bool CanReadDistributed(HybridCacheEntryFlags flags) =>
        _distributedCache is not null && (flags & HybridCacheEntryFlags.DisableDistributedCacheRead) == 0;

    private bool CanWriteDistributed(HybridCacheEntryFlags flags) =>
        _distributedCache is not null && (flags & HybridCacheEntryFlags.DisableDistributedCacheWrite) == 0;

    private HybridCacheEntryFlags EffectiveFlags(HybridCacheEntryOptions? options) =>
        options?.Flags ?? _defaults.Flags ?? HybridCacheEntryFlags.None;

    private EntryLifetimes ResolveLifetimes(HybridCacheEntryOptions? options)
    {
        var expiration = options?.Expiration ?? _defaults.Expiration ?? FallbackExpiration;
        if (expiration < TimeSpan.Zero)
        {
            expiration = TimeSpan.Zero;
        }

        var local = options?.LocalCacheExpiration ?? _defaults.LocalCacheExpiration ?? expiration;
        if (local > expiration)
        {
            local = expiration;
        }

        return new EntryLifetimes(expiration, local, _options.FailSafeMaxDuration);
    }

    private Flight<T> JoinOrStartFlight<TState, T>(
        string key,
        HybridCacheEntryFlags flags,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options,
        IEnumerable<string>? tags,
        CacheEntry<T>? stale)
    {
        var flightKey = new FlightKey(key, flags & FlightFlags, typeof(T));
        while (true)
        {
            if (_flights.TryGetValue(flightKey, out var existing))
            {
                return (Flight<T>)existing;
            }

            var flight = new Flight<T>(ToArray(tags));
            if (_flights.TryAdd(flightKey, flight))
            {
                // Not awaited: the flight outlives any one caller. It never faults (its outcome carries errors).
                _ = RunFlightAsync(flightKey, flight, state, factory, options, flags, stale);
                return flight;
            }
        }
    }

    private async ValueTask<T> AwaitFlightAsync<T>(string key, Flight<T> flight, CacheEntry<T>? stale, CancellationToken cancellationToken)
    {
        if (stale is not null)
        {
            try
            {
                var outcome = await flight.Completion
                    .WaitAsync(_options.FactorySoftTimeout, _timeProvider, cancellationToken)
                    .ConfigureAwait(false);
                return Resolve(key, outcome, stale);
            }
            catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // The soft timeout, or the caller's own deadline, came first: answer with what we have, and let the
                // refresh finish in the background (it updates the entry when it succeeds).
                if (_timeProvider.GetUtcNow() < stale.FailSafeExpiresAt)
                {
                    flight.MarkStaleServed();
                    _metrics.StaleServed(key, StaleReason.SoftTimeout);
                    Log.StaleServedAfterSoftTimeout(_logger, key, stale.Timestamp, _options.FactorySoftTimeout.TotalMilliseconds);
                    return stale.Value;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
            }

            // The stale value aged out of its fail-safe window while we waited: wait like a cold read.
        }

        var result = await flight.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Resolve(key, result, stale);
    }

    private T Resolve<T>(string key, FlightOutcome<T> outcome, CacheEntry<T>? stale)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Fresh:
                return outcome.Value;
            case OutcomeKind.FailSafe:
                _metrics.StaleServed(key, StaleReason.FactoryError);
                return outcome.Value;
            case OutcomeKind.NoValue:
                return outcome.HasValue || stale is null || _timeProvider.GetUtcNow() >= stale.FailSafeExpiresAt
                    ? outcome.Value
                    : stale.Value;
            default:
                Debug.Assert(outcome.Error is not null, "A failed outcome carries its error.");

                // The flight saw no stale value (the entry was removed or replaced meanwhile) but this caller holds one.
                if (stale is not null)
                {
                    var now = _timeProvider.GetUtcNow();
                    if (now < stale.FailSafeExpiresAt)
                    {
                        _metrics.StaleServed(key, StaleReason.FactoryError);
                        LogFailSafe(key, stale, now, outcome.Error.SourceException);
                        return stale.Value;
                    }
                }

                outcome.Error.Throw();
                throw new UnreachableException();
        }
    }

    private async Task RunFlightAsync<TState, T>(
        FlightKey flightKey,
        Flight<T> flight,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options,
        HybridCacheEntryFlags flags,
        CacheEntry<T>? stale)
    {
        FlightOutcome<T> outcome;
        try
        {
            outcome = await ProduceAsync(flightKey.Key, flight, state, factory, options, flags, stale).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = FlightOutcome<T>.Failed(ExceptionDispatchInfo.Capture(ex));
        }

        // Leave the map before completing, so that a caller who sees the outcome also sees the map without it, and
        // one arriving after finds the entry written in L1.
        _flights.TryRemove(new KeyValuePair<FlightKey, Flight>(flightKey, flight));
        flight.Complete(outcome);
    }

    private async Task<FlightOutcome<T>> ProduceAsync<TState, T>(
        string key,
        Flight<T> flight,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options,
        HybridCacheEntryFlags flags,
        CacheEntry<T>? stale)
    {
        var lifetimes = ResolveLifetimes(options);
        var writeLocal = (flags & HybridCacheEntryFlags.DisableLocalCacheWrite) == 0;
        var now = _timeProvider.GetUtcNow();

        // The caller looked at L1 before joining; a flight that finished in between may have refreshed it.
        if ((flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0
            && _local.TryGet(key, out var found)
            && found is CacheEntry<T> local)
        {
            if (now < local.LocalExpiresAt)
            {
                return FlightOutcome<T>.Fresh(local.Value);
            }

            stale = Newer(stale, local, now);
        }

        // Another instance may have refreshed the key: L2 is asked on a miss and on a stale L1 entry alike.
        if (CanReadDistributed(flags))
        {
            var remote = await ReadDistributedAsync<T>(_distributedCache!, key, lifetimes).ConfigureAwait(false);
            if (remote is not null)
            {
                now = _timeProvider.GetUtcNow();
                if (now < remote.LocalExpiresAt)
                {
                    if (writeLocal && !flight.Invalidated)
                    {
                        _local.SetUnlessNewer(key, remote);
                    }

                    return FlightOutcome<T>.Fresh(remote.Value);
                }

                stale = Newer(stale, remote, now);
            }
        }

        if ((flags & HybridCacheEntryFlags.DisableUnderlyingData) != 0)
        {
            return FlightOutcome<T>.NoValue(stale is not null && now < stale.FailSafeExpiresAt ? stale : null);
        }

        T value;
        try
        {
            value = await InvokeFactoryAsync(key, state, factory).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.FactoryError(key);
            now = _timeProvider.GetUtcNow();
            if (stale is not null && now < stale.FailSafeExpiresAt)
            {
                var throttled = stale.WithThrottle(Instants.Add(now, _options.FailSafeThrottleDuration));
                if (writeLocal && !flight.Invalidated)
                {
                    _local.SetUnlessNewer(key, throttled);
                }

                LogFailSafe(key, throttled, now, ex);
                return FlightOutcome<T>.FailSafe(throttled);
            }

            Log.FactoryFailed(_logger, key, ex);
            return FlightOutcome<T>.Failed(ExceptionDispatchInfo.Capture(ex));
        }

        var entry = lifetimes.Create(value, _timeProvider.GetUtcNow(), flight.Tags);
        TrackLifetime(lifetimes);
        if (!flight.Invalidated)
        {
            if (writeLocal)
            {
                WriteLocal(key, entry);

                // A remove that raced the write above: it set the flag before removing, so one of us removes it.
                if (flight.Invalidated)
                {
                    _local.TryRemove(key, entry);
                }
            }

            // Awaited before the callers are answered (as FusionCache does by default), so that once a read has
            // returned, every instance sharing L2 can see the value.
            if (CanWriteDistributed(flags) && !flight.Invalidated)
            {
                await WriteDistributedAsync(_distributedCache!, key, entry, CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (flight.StaleServed)
        {
            Log.BackgroundRefreshCompleted(_logger, key);
        }

        return FlightOutcome<T>.Fresh(value);
    }

    private async Task<T> InvokeFactoryAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory)
    {
        // The factory's token is nobody's request token: one caller giving up must not cancel the run others wait for.
        using var hardTimeout = new CancellationTokenSource(_options.FactoryHardTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(hardTimeout.Token, _disposed.Token);
        Task<T>? running = null;
        try
        {
            var pending = factory(state, linked.Token);
            if (pending.IsCompletedSuccessfully)
            {
                return pending.Result;
            }

            running = pending.AsTask();

            // WaitAsync too, so that a factory ignoring its token is abandoned at the hard timeout all the same.
            return await running.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (hardTimeout.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            Log.FactoryHardTimeout(_logger, key, _options.FactoryHardTimeout.TotalMilliseconds);
            throw new TimeoutException("The cache factory ran longer than FactoryHardTimeout and was cancelled.", ex);
        }
        finally
        {
            ObserveAbandoned(running);
        }
    }

    private async Task<CacheEntry<T>?> ReadDistributedAsync<T>(IDistributedCache distributedCache, string key, EntryLifetimes lifetimes)
    {
        using var timeout = new CancellationTokenSource(_options.DistributedCacheTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token);
        Task<byte[]?>? call = null;
        try
        {
            call = distributedCache.GetAsync(key, linked.Token);
            var payload = await call.WaitAsync(linked.Token).ConfigureAwait(false);
            if (payload is null)
            {
                return null;
            }

            var envelope = DistributedCacheEnvelope.Deserialize<T>(payload);
            if (envelope is null)
            {
                return null;
            }

            var entry = lifetimes.Restore(envelope.Value, envelope.Timestamp, envelope.ExpiresAt, _timeProvider.GetUtcNow(), envelope.Tags ?? []);
            return IsInvalidatedByTag(entry) ? null : entry;
        }
        catch (Exception ex)
        {
            DistributedFailed("read", key, ex, call);
            return null;
        }
    }

    private async Task WriteDistributedAsync<T>(IDistributedCache distributedCache, string key, CacheEntry<T> entry, CancellationToken cancellationToken)
    {
        Task? call = null;
        try
        {
            var payload = DistributedCacheEnvelope.Serialize(entry);
            if (payload.LongLength > _options.MaximumPayloadBytes)
            {
                Log.DistributedPayloadTooLarge(_logger, key, payload.LongLength, _options.MaximumPayloadBytes);
                return;
            }

            // L2 keeps the value through its fail-safe window, so that another instance can fall back on it too.
            var lifetime = entry.FailSafeExpiresAt - _timeProvider.GetUtcNow();
            if (lifetime <= TimeSpan.Zero)
            {
                return;
            }

            var entryOptions = new DistributedCacheEntryOptions
            {
                AbsoluteExpirationRelativeToNow = lifetime < MaxDistributedLifetime ? lifetime : MaxDistributedLifetime,
            };
            using var timeout = new CancellationTokenSource(_options.DistributedCacheTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token, cancellationToken);
            call = distributedCache.SetAsync(key, payload, entryOptions, linked.Token);
            await call.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: not an L2 failure, and the caller should know the write may not have happened.
            ObserveAbandoned(call);
            throw;
        }
        catch (Exception ex)
        {
            DistributedFailed("write", key, ex, call);
        }
    }

    private async Task RemoveDistributedAsync(IDistributedCache distributedCache, string key, CancellationToken cancellationToken)
    {
        Task? call = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.DistributedCacheTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token, cancellationToken);
            call = distributedCache.RemoveAsync(key, linked.Token);
            await call.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ObserveAbandoned(call);
            throw;
        }
        catch (Exception ex)
        {
            DistributedFailed("remove", key, ex, call);
        }
    }

    private void DistributedFailed(string operation, string key, Exception exception, Task? call)
    {
        ObserveAbandoned(call);

        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _metrics.DistributedError(key);
        Log.DistributedCacheFailed(_logger, operation, key, exception);
    }

    private void WriteLocal(string key, CacheEntry entry)
    {
        var evicted = _local.Set(key, entry);
        if (evicted.Total > 0)
        {
            Log.Evicted(_logger, evicted.Expired, evicted.LeastRecentlyWritten, _options.MaxEntries);
        }
    }

    private void LogFailSafe(string key, CacheEntry entry, DateTimeOffset now, Exception exception)
    {
        var level = _options.FailSafeActivationLogLevel;
        if (_logger.IsEnabled(level))
        {
            var throttledUntil = entry.ThrottledUntil > now ? entry.ThrottledUntil : now;
            Log.FailSafeActivated(_logger, level, key, entry.Timestamp, entry.ExpiresAt, throttledUntil, exception);
        }
    }

    // An invalidated flight still answers the callers already waiting on it, but leaves the map at once: a read
    // after the set or remove starts a run of its own instead of joining one that began before it.
    private void InvalidateFlights(Func<FlightKey, Flight, bool> predicate)
    {
        foreach (var pair in _flights)
        {
            if (predicate(pair.Key, pair.Value))
            {
                pair.Value.Invalidate();
                _flights.TryRemove(pair);
            }
        }
    }

    private void InvalidateFlights(Func<FlightKey, bool> predicate) => InvalidateFlights((flightKey, _) => predicate(flightKey));

    private void RecordTagInvalidation(string tag, DateTimeOffset now)
    {
        _tagInvalidations[tag] = now;

        // An L2 entry older than the longest lifetime written has expired from L2 anyway: forget such invalidations.
        var horizon = Instants.Subtract(now, TimeSpan.FromTicks(Interlocked.Read(ref _longestLifetimeTicks)));
        foreach (var (knownTag, at) in _tagInvalidations)
        {
            if (at < horizon)
            {
                _tagInvalidations.TryRemove(new KeyValuePair<string, DateTimeOffset>(knownTag, at));
            }
        }
    }

    private bool IsInvalidatedByTag(CacheEntry entry)
    {
        if (_tagInvalidations.IsEmpty)
        {
            return false;
        }

        if (_tagInvalidations.TryGetValue(AllTags, out var all) && entry.Timestamp <= all)
        {
            return true;
        }

        foreach (var tag in entry.Tags)
        {
            if (_tagInvalidations.TryGetValue(tag, out var at) && entry.Timestamp <= at)
            {
                return true;
            }
        }

        return false;
    }

    private void TrackLifetime(EntryLifetimes lifetimes)
    {
        var ticks = lifetimes.Longest.Ticks;
        var current = Interlocked.Read(ref _longestLifetimeTicks);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _longestLifetimeTicks, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static CacheEntry<T>? Newer<T>(CacheEntry<T>? current, CacheEntry<T> candidate, DateTimeOffset now)
    {
        if (now >= candidate.FailSafeExpiresAt)
        {
            return current;
        }

        return current is null || candidate.Timestamp > current.Timestamp ? candidate : current;
    }

    private static string[] ToArray(IEnumerable<string>? tags) => tags is null ? [] : [.. tags];

    private static void ObserveAbandoned(Task? task)
    {
        if (task is { IsCompleted: false })
        {
            // Nobody awaits it any more; reading its exception keeps it from surfacing as unobserved.
            _ = task.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private readonly record struct FlightKey(string Key, HybridCacheEntryFlags Flags, Type ValueType);

    private abstract class Flight(string[] tags)
    {
        private volatile bool _invalidated;
        private volatile bool _staleServed;

        public string[] Tags { get; } = tags;

        /// <summary>Set by a remove or set of the key (or its tag) while the factory runs: the result is not stored.</summary>
        public bool Invalidated => _invalidated;

        /// <summary>Some caller was answered with the stale value while this flight went on.</summary>
        public bool StaleServed => _staleServed;

        public void Invalidate() => _invalidated = true;

        public void MarkStaleServed() => _staleServed = true;

        public bool HasTag(string tag) => Array.IndexOf(Tags, tag) >= 0;
    }

    private sealed class Flight<T>(string[] tags) : Flight(tags)
    {
        private readonly TaskCompletionSource<FlightOutcome<T>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<FlightOutcome<T>> Completion => _completion.Task;

        public void Complete(FlightOutcome<T> outcome) => _completion.TrySetResult(outcome);
    }

    private enum OutcomeKind
    {
        Fresh,
        FailSafe,
        NoValue,
        Failed,
    }

    /// <summary>How a flight ended. Errors travel as values so that the shared task never faults unobserved.</summary>
    private sealed class FlightOutcome<T>
    {
        private FlightOutcome(OutcomeKind kind, T value, bool hasValue, ExceptionDispatchInfo? error)
        {
            Kind = kind;
            Value = value;
            HasValue = hasValue;
            Error = error;
        }

        public OutcomeKind Kind { get; }

        public T Value { get; }

        public bool HasValue { get; }

        public ExceptionDispatchInfo? Error { get; }

        public static FlightOutcome<T> Fresh(T value) => new(OutcomeKind.Fresh, value, true, null);

        public static FlightOutcome<T> FailSafe(CacheEntry<T> stale) => new(OutcomeKind.FailSafe, stale.Value, true, null);

        public static FlightOutcome<T> NoValue(CacheEntry<T>? cached) =>
            cached is null ? new(OutcomeKind.NoValue, default!, false, null) : new(OutcomeKind.NoValue, cached.Value, true, null);

        public static FlightOutcome<T> Failed(ExceptionDispatchInfo error) => new(OutcomeKind.Failed, default!, false, error);
    }
}
