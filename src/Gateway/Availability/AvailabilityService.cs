using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Availability;

/// <summary>
/// Availability with a fallback chain: fresh → stale → a clear "unknown" (<c>README.md</c> in this folder).
/// <see cref="HybridCache"/> (FusionCache as the engine) makes one backend call per key however many readers, and its
/// fail-safe answers with the last good value when a refresh fails, is slow (soft timeout) or failed just before
/// (throttle). This service keeps what a cache cannot: the last known answer adjusted at once by our own sales and
/// the seats promised to parked purchases, the rendered JSON of the hot read, whether an answer is stale as the buyer
/// sees it (from its <c>asOf</c> on our clock: FusionCache has no <see cref="TimeProvider"/> and no per-call "stale"
/// flag), the last resort when the cache has nothing to fall back on, and the last good answers across restarts.
/// </summary>
internal sealed partial class AvailabilityService(
    HybridCache cache,
    IVenueBackend backend,
    TimeProvider time,
    IOptions<AvailabilityOptions> options,
    IOptions<CacheOptions> cacheOptions,
    IAvailabilityStore store,
    LastKnownWriter lastKnownWriter,
    CacheTelemetry cacheTelemetry,
    GatewayMetrics metrics,
    ILogger<AvailabilityService> logger)
{
    private const string PerformancesKey = "performances";
    private static readonly TimeSpan AdjustmentMemory = TimeSpan.FromMinutes(1);

    /// <summary>Past the eager-refresh point, how often a fresh read still goes through the cache (<see cref="FreshAnswer"/>).</summary>
    private static readonly TimeSpan EagerRefreshEvery = TimeSpan.FromMilliseconds(50);

    // A restored answer enters the cache already expired: the first read asks the backend, and the restored answer is
    // served (stale) only if that fails or is slow.
    private static readonly HybridCacheEntryOptions ExpiredAtOnce = new() { Expiration = TimeSpan.FromTicks(1) };

    private readonly ConcurrentDictionary<int, Known> _known = new();
    private readonly List<Adjustment> _adjustments = [];
    private readonly Dictionary<(int PerformanceId, int ZoneId), int> _promised = [];
    private readonly Lock _promiseLock = new();
    private readonly TimeSpan _eagerRefreshAfter = options.Value.FreshFor * cacheOptions.Value.EagerRefreshThreshold;
    private HybridCacheEntryOptions? _performancesEntryOptions;
    private readonly StringValues _availabilityCacheControl = CacheableAnswer.CacheControlFor(options.Value.FreshFor, options.Value.StaleIfError);
    private readonly StringValues _performancesCacheControl = CacheableAnswer.CacheControlFor(options.Value.PerformancesFreshFor, options.Value.StaleIfError);
    private RenderedList? _performancesAnswer;
    private PerformanceList? _performances;
    private long _promiseVersion;

    private AvailabilityOptions Options => options.Value;

    /// <summary>Reads the availability of a performance, as an answer ready to send.</summary>
    public async ValueTask<(AvailabilityOutcome Outcome, CacheableAnswer? Answer)> GetAnswerAsync(int performanceId, CancellationToken cancellationToken)
    {
        var (outcome, snapshot, known) = await ReadAsync(performanceId, cancellationToken);
        if (snapshot is null || known is null)
        {
            return (outcome, null);
        }

        var stale = outcome == AvailabilityOutcome.Stale;
        var version = Volatile.Read(ref _promiseVersion);
        if (known.Rendered is { } cached && cached.Matches(snapshot, version, stale))
        {
            return (outcome, cached.Answer);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(
            new AvailabilityResponse(performanceId, WithPromisesDeducted(snapshot), snapshot.AsOf, stale),
            AvailabilityJsonContext.Default.AvailabilityResponse);
        var answer = new CacheableAnswer(json, snapshot.AsOf, _availabilityCacheControl, time);
        known.Rendered = new Rendered(snapshot, version, stale, answer);
        return (outcome, answer);
    }

    /// <summary>
    /// The rendered answer of a fresh read, without asking the cache: the last answer is fresh on our clock (the cache
    /// then holds it fresh too: its entry expires a fresh period after the call that made it ended), no fallback, and
    /// rendered for what it shows now; otherwise <see langword="null"/>, and the read goes through
    /// <see cref="GetAnswerAsync"/>. Past the cache's eager-refresh point the cache must still see reads, so that it
    /// refreshes the entry in the background before it expires: the hot path (<paramref name="hotPath"/>) then lets one
    /// read in every <see cref="EagerRefreshEvery"/> go down the pipeline, and the endpoint sends every read it gets to
    /// the cache.
    /// </summary>
    public CacheableAnswer? FreshAnswer(int performanceId, bool hotPath)
    {
        if (!_known.TryGetValue(performanceId, out var known) || known.Fallback || known.Rendered is not { } rendered)
        {
            return null;
        }

        var snapshot = known.Snapshot;
        var now = time.GetUtcNow();
        var age = now - snapshot.AsOf;
        if (!rendered.Matches(snapshot, Volatile.Read(ref _promiseVersion), stale: false)
            || age >= Options.FreshFor
            || (age >= _eagerRefreshAfter && (!hotPath || known.TakeEagerRefreshTurn(now.UtcTicks))))
        {
            return null;
        }

        metrics.AvailabilityRead("fresh");
        cacheTelemetry.Answered(CacheTelemetry.AvailabilityFamily, atOnce: true, stale: false);
        return rendered.Answer;
    }

    /// <summary>The performances as an answer ready to send, fresh, else last known, else <see langword="null"/>.</summary>
    public async ValueTask<CacheableAnswer?> GetPerformancesAnswerAsync(CancellationToken cancellationToken)
    {
        if (await GetPerformancesAsync(cancellationToken) is not { } list)
        {
            return null;
        }

        if (Volatile.Read(ref _performancesAnswer) is { } rendered && ReferenceEquals(rendered.List, list))
        {
            return rendered.Answer;
        }

        var answer = new CacheableAnswer(
            JsonSerializer.SerializeToUtf8Bytes(list.Performances, AvailabilityJsonContext.Default.IReadOnlyListPerformance),
            list.AsOf,
            _performancesCacheControl,
            time);
        Volatile.Write(ref _performancesAnswer, new RenderedList(list, answer));
        return answer;
    }

    /// <summary>Reads the availability of a performance: fresh, else last known (stale), else why not.</summary>
    public async ValueTask<(AvailabilityOutcome Outcome, AvailabilitySnapshot? Snapshot)> GetAsync(int performanceId, CancellationToken cancellationToken)
    {
        var (outcome, snapshot, _) = await ReadAsync(performanceId, cancellationToken);
        return (outcome, snapshot);
    }

    /// <summary>The performances: fresh, else last known, else <see langword="null"/>.</summary>
    public async ValueTask<PerformanceList?> GetPerformancesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pending = cache.GetOrCreateAsync(
                PerformancesKey,
                this,
                static (service, ct) => service.FetchPerformancesAsync(ct),
                _performancesEntryOptions ??= new HybridCacheEntryOptions { Expiration = Options.PerformancesFreshFor },
                cancellationToken: cancellationToken);
            var atOnce = pending.IsCompletedSuccessfully;
            var list = RememberPerformances(await pending);
            cacheTelemetry.Answered(CacheTelemetry.PerformancesFamily, atOnce, stale: time.GetUtcNow() - list.AsOf > Options.PerformancesFreshFor + Options.StaleTolerance);
            return list;
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException or TimeoutException)
        {
            var last = Volatile.Read(ref _performances);
            cacheTelemetry.Answered(CacheTelemetry.PerformancesFamily, atOnce: false, stale: last is not null);
            return last;
        }
    }

    /// <summary>
    /// Brings back the last good answers kept before a restart: the performance list and each performance's
    /// availability, as last known and in the cache. Call once at start-up, before taking requests.
    /// </summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        LastKnownAnswers kept;
        try
        {
            kept = await store.LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The kept answers are a convenience, not a record: a gateway that cannot read them starts without them.
            LogNotRestored(logger, ex);
            return;
        }

        if (kept.Performances is { } performances)
        {
            RememberPerformances(performances);
            await cache.SetAsync(PerformancesKey, performances, ExpiredAtOnce, cancellationToken: cancellationToken);
        }

        foreach (var snapshot in kept.Availability)
        {
            var (_, known) = Remember(snapshot);
            known.Fallback = true;
            await cache.SetAsync(known.Key, snapshot, ExpiredAtOnce, cancellationToken: cancellationToken);
        }

        if (kept.Performances is not null || kept.Availability.Count > 0)
        {
            LogRestored(logger, kept.Availability.Count, kept.Performances is not null);
        }
    }

    /// <summary>
    /// Brings a performance's availability into the cache ahead of its buyers, or keeps it there fresh: the read a
    /// buyer would make, through the cache (so a call only when the cached answer is due, and in Redis mode only when
    /// no other node has just made it), but not counted as a buyer's read. True when the answer held now is a good one;
    /// false when the refresh failed and the cache fell back on the last good answer. Other failures throw.
    /// </summary>
    public async Task<bool> WarmAsync(int performanceId, CancellationToken cancellationToken)
    {
        var key = _known.TryGetValue(performanceId, out var held) ? held.Key : AvailabilityKey(performanceId);
        var (_, known) = Remember(await GetOrFetchAsync(key, performanceId, cancellationToken));
        return !known.Fallback;
    }

    /// <summary>
    /// When the availability of a performance held now was produced, and whether it is a fallback (its latest refresh
    /// failed, or it was restored and never refreshed since); <see langword="null"/> when none is held.
    /// </summary>
    public (DateTimeOffset AsOf, bool Fallback)? Held(int performanceId) =>
        _known.TryGetValue(performanceId, out var known) ? (known.Snapshot.AsOf, known.Fallback) : null;

    /// <summary>The performances as last known in this process (no cache read, no backend call), or <see langword="null"/>.</summary>
    public PerformanceList? KnownPerformances => Volatile.Read(ref _performances);

    /// <summary>The zone as last known, adjusted by our sales and promises, or <see langword="null"/>.</summary>
    public Zone? LastKnownZone(int performanceId, int zoneId) =>
        _known.TryGetValue(performanceId, out var known) ? known.Snapshot.Zones.FirstOrDefault(z => z.ZoneId == zoneId) : null;

    /// <summary>
    /// Applies a sale (negative) or a release (positive) to the last known counts at once, and remembers it for a
    /// minute so that a backend answer already on its way when it happened does not undo it (see <see cref="Remember"/>).
    /// </summary>
    public void Adjust(int performanceId, int zoneId, int delta)
    {
        lock (_adjustments)
        {
            var now = time.GetUtcNow();
            _adjustments.RemoveAll(a => now - a.At > AdjustmentMemory);
            _adjustments.Add(new Adjustment(performanceId, zoneId, delta, now));
        }

        if (!_known.TryGetValue(performanceId, out var known))
        {
            return;
        }

        while (true)
        {
            var snapshot = known.Snapshot;
            if (known.TryReplace(snapshot, snapshot with { Zones = Apply(snapshot.Zones, zoneId, delta) }))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Promises seats to a parked purchase if the last known free seats, less what is already promised, cover it.
    /// Parking never promises more than that.
    /// </summary>
    public PromiseOutcome TryPromise(int performanceId, int zoneId, int quantity)
    {
        if (LastKnownZone(performanceId, zoneId) is not { } zone)
        {
            return PromiseOutcome.NeverKnown;
        }

        lock (_promiseLock)
        {
            var promised = _promised.GetValueOrDefault((performanceId, zoneId));
            if (zone.Available - promised < quantity)
            {
                return PromiseOutcome.NotEnoughSeats;
            }

            _promised[(performanceId, zoneId)] = promised + quantity;
            Interlocked.Increment(ref _promiseVersion);
            return PromiseOutcome.Promised;
        }
    }

    /// <summary>Restores a promise of a purchase still parked after a restart.</summary>
    public void RestorePromise(int performanceId, int zoneId, int quantity)
    {
        lock (_promiseLock)
        {
            _promised[(performanceId, zoneId)] = _promised.GetValueOrDefault((performanceId, zoneId)) + quantity;
            Interlocked.Increment(ref _promiseVersion);
        }
    }

    /// <summary>Ends a promise: the purchase was confirmed (then <see cref="Adjust"/> too) or failed.</summary>
    public void ReleasePromise(int performanceId, int zoneId, int quantity)
    {
        lock (_promiseLock)
        {
            var left = _promised.GetValueOrDefault((performanceId, zoneId)) - quantity;
            if (left > 0)
            {
                _promised[(performanceId, zoneId)] = left;
            }
            else
            {
                _promised.Remove((performanceId, zoneId));
            }

            Interlocked.Increment(ref _promiseVersion);
        }
    }

    /// <summary>
    /// Replaces every promise with the cluster's count (several nodes on one store): what this node promised since is in
    /// it already, or will be at the next replacement.
    /// </summary>
    public void ReplacePromises(IReadOnlyDictionary<(int PerformanceId, int ZoneId), int> promised)
    {
        lock (_promiseLock)
        {
            if (_promised.Count == promised.Count && promised.All(p => _promised.GetValueOrDefault(p.Key) == p.Value))
            {
                return;
            }

            _promised.Clear();
            foreach (var (zone, seats) in promised)
            {
                if (seats > 0)
                {
                    _promised[zone] = seats;
                }
            }

            Interlocked.Increment(ref _promiseVersion);
        }
    }

    /// <summary>Whether any seat of the performance is promised to a purchase still waiting for the backend.</summary>
    public bool HasPromises(int performanceId)
    {
        lock (_promiseLock)
        {
            return _promised.Count > 0 && _promised.Keys.Any(k => k.PerformanceId == performanceId);
        }
    }

    /// <summary>Seats promised to parked purchases in a zone.</summary>
    public int Promised(int performanceId, int zoneId)
    {
        lock (_promiseLock)
        {
            return _promised.GetValueOrDefault((performanceId, zoneId));
        }
    }

    private IReadOnlyList<Zone> WithPromisesDeducted(AvailabilitySnapshot snapshot)
    {
        lock (_promiseLock)
        {
            if (_promised.Count == 0)
            {
                return snapshot.Zones;
            }

            return [.. snapshot.Zones.Select(z => _promised.TryGetValue((snapshot.PerformanceId, z.ZoneId), out var p)
                ? z with { Available = Math.Max(0, z.Available - p) }
                : z)];
        }
    }

    private AvailabilitySnapshot WithLaterAdjustments(AvailabilitySnapshot fetched)
    {
        lock (_adjustments)
        {
            var zones = fetched.Zones;
            foreach (var a in _adjustments.Where(a => a.PerformanceId == fetched.PerformanceId && a.At >= fetched.AsOf))
            {
                zones = Apply(zones, a.ZoneId, a.Delta);
            }

            return ReferenceEquals(zones, fetched.Zones) ? fetched : fetched with { Zones = zones };
        }
    }

    private static IReadOnlyList<Zone> Apply(IReadOnlyList<Zone> zones, int zoneId, int delta) =>
        [.. zones.Select(z => z.ZoneId == zoneId ? z with { Available = Math.Clamp(z.Available + delta, 0, z.Capacity) } : z)];

    private sealed record Adjustment(int PerformanceId, int ZoneId, int Delta, DateTimeOffset At);

    private async ValueTask<(AvailabilityOutcome Outcome, AvailabilitySnapshot? Snapshot, Known? Known)> ReadAsync(int performanceId, CancellationToken cancellationToken)
    {
        // Made-up ids are checked against the cached list, so that they never reach the backend nor the cache.
        if (!_known.TryGetValue(performanceId, out var known) && await IsKnownToNotExistAsync(performanceId, cancellationToken))
        {
            return (AvailabilityOutcome.UnknownPerformance, null, null);
        }

        try
        {
            var pending = GetOrFetchAsync(known?.Key ?? AvailabilityKey(performanceId), performanceId, cancellationToken);
            var atOnce = pending.IsCompletedSuccessfully;
            (var current, known) = Remember(await pending);
            var stale = known.Fallback || time.GetUtcNow() - current.AsOf > Options.FreshFor + Options.StaleTolerance;
            metrics.AvailabilityRead(stale ? "stale" : "fresh");
            cacheTelemetry.Answered(CacheTelemetry.AvailabilityFamily, atOnce, stale);
            return (stale ? AvailabilityOutcome.Stale : AvailabilityOutcome.Fresh, current, known);
        }
        catch (NotFoundException)
        {
            return (AvailabilityOutcome.UnknownPerformance, null, null);
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException or TimeoutException)
        {
            // The cache had nothing to fall back on (never known in this process, or forgotten after
            // Gateway:Cache:FailSafeMaxDuration), or this read's own deadline came first: the last known answer is all
            // there is, and it is served whatever its age (CONTRACT.md: "unknown" only when nothing was ever known).
            if ((known ?? _known.GetValueOrDefault(performanceId)) is { } last)
            {
                var snapshot = last.Snapshot;
                metrics.AvailabilityRead("stale");
                cacheTelemetry.Answered(CacheTelemetry.AvailabilityFamily, atOnce: false, stale: true);
                LogStaleServed(logger, performanceId, snapshot.AsOf, ex.GetType().Name);
                return (AvailabilityOutcome.Stale, snapshot, last);
            }

            metrics.AvailabilityRead("unknown");
            LogUnknown(logger, performanceId, ex.GetType().Name);
            return (AvailabilityOutcome.NeverKnown, null, null);
        }
    }

    /// <summary>The cached answer, or one backend call for it (one per key at a time, on every node of the cache).</summary>
    private ValueTask<AvailabilitySnapshot> GetOrFetchAsync(string key, int performanceId, CancellationToken cancellationToken) =>
        // No entry options: the cache's defaults are this read's, so that nothing is allocated for them.
        cache.GetOrCreateAsync(
            key,
            (Service: this, PerformanceId: performanceId),
            static (s, ct) => s.Service.FetchAsync(s.PerformanceId, ct),
            cancellationToken: cancellationToken);

    /// <summary>The cache's factory: one backend call, its answer remembered and kept for a restart.</summary>
    private async ValueTask<AvailabilitySnapshot> FetchAsync(int performanceId, CancellationToken cancellationToken)
    {
        // Stamped when the call starts: the backend's answer reflects nothing later than that for sure.
        var asOf = time.GetUtcNow();
        IReadOnlyList<Zone> zones;
        try
        {
            zones = await backend.GetAvailabilityAsync(performanceId, cancellationToken);
        }
        catch when (!cancellationToken.IsCancellationRequested && _known.TryGetValue(performanceId, out var failed))
        {
            // The cache now serves the last good answer (fail-safe): stale, however young it is on our clock.
            failed.Fallback = true;
            throw;
        }

        var fetched = new AvailabilitySnapshot(performanceId, zones, asOf);
        var (current, known) = Remember(fetched);
        known.Fallback = false;
        lastKnownWriter.Save(current);
        return fetched;
    }

    private async ValueTask<PerformanceList> FetchPerformancesAsync(CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var list = new PerformanceList(await backend.GetPerformancesAsync(cancellationToken), asOf);
        if (ReferenceEquals(RememberPerformances(list), list))
        {
            lastKnownWriter.Save(list);
        }

        return list;
    }

    /// <summary>Keeps the newest list: an answer older than the one known (a slow call, a restored list) is not taken.</summary>
    private PerformanceList RememberPerformances(PerformanceList list)
    {
        while (true)
        {
            var known = Volatile.Read(ref _performances);
            if (known is not null && known.AsOf >= list.AsOf)
            {
                return known;
            }

            if (Interlocked.CompareExchange(ref _performances, list, known) == known)
            {
                return list;
            }
        }
    }

    private (AvailabilitySnapshot Current, Known Known) Remember(AvailabilitySnapshot fetched)
    {
        var known = _known.TryGetValue(fetched.PerformanceId, out var existing)
            ? existing
            : _known.GetOrAdd(fetched.PerformanceId, static (id, first) => new Known(id, first), WithLaterAdjustments(fetched));
        while (true)
        {
            // The hot path: the cached answer is the one already remembered (no allocation). The last known answer
            // wins when it is as new: it carries our own sales since. A newer answer takes over with our sales and
            // releases since its call started replayed on it; one the backend had already counted is then counted
            // twice until the next refresh, which errs towards showing fewer seats, never more.
            var last = known.Snapshot;
            if (last.AsOf >= fetched.AsOf)
            {
                return (last, known);
            }

            var replacement = WithLaterAdjustments(fetched);
            if (known.TryReplace(last, replacement))
            {
                return (replacement, known);
            }
        }
    }

    private async ValueTask<bool> IsKnownToNotExistAsync(int performanceId, CancellationToken cancellationToken)
    {
        var list = await GetPerformancesAsync(cancellationToken);
        return list is not null && list.Performances.All(p => p.Id != performanceId);
    }

    private static string AvailabilityKey(int performanceId) => "availability:" + performanceId.ToString(CultureInfo.InvariantCulture);

    /// <summary>What is known of one performance; made with its first answer (fetched or restored), so only for performances that exist.</summary>
    private sealed class Known(int performanceId, AvailabilitySnapshot first)
    {
        private AvailabilitySnapshot _snapshot = first;
        private volatile Rendered? _rendered;
        private volatile bool _fallback;
        private long _eagerRefreshTurnTicks;

        /// <summary>The cache key, made once.</summary>
        public string Key { get; } = AvailabilityKey(performanceId);

        /// <summary>The last known answer, adjusted by our own sales since.</summary>
        public AvailabilitySnapshot Snapshot => Volatile.Read(ref _snapshot);

        /// <summary>The JSON last sent, reused while nothing it shows has changed.</summary>
        public Rendered? Rendered
        {
            get => _rendered;
            set => _rendered = value;
        }

        /// <summary>
        /// True while the answer held is a fallback: its latest refresh failed, or it was restored after a restart and no
        /// refresh has succeeded since. Such an answer is stale whatever its age.
        /// </summary>
        public bool Fallback
        {
            get => _fallback;
            set => _fallback = value;
        }

        /// <summary>Whether this read is the one in <see cref="EagerRefreshEvery"/> that goes through the cache.</summary>
        public bool TakeEagerRefreshTurn(long nowTicks)
        {
            var last = Volatile.Read(ref _eagerRefreshTurnTicks);
            return nowTicks - last >= EagerRefreshEvery.Ticks && Interlocked.CompareExchange(ref _eagerRefreshTurnTicks, nowTicks, last) == last;
        }

        public bool TryReplace(AvailabilitySnapshot expected, AvailabilitySnapshot replacement) =>
            ReferenceEquals(Interlocked.CompareExchange(ref _snapshot, replacement, expected), expected);
    }

    private sealed record RenderedList(PerformanceList List, CacheableAnswer Answer);

    private sealed record Rendered(AvailabilitySnapshot Snapshot, long PromiseVersion, bool Stale, CacheableAnswer Answer)
    {
        public bool Matches(AvailabilitySnapshot snapshot, long version, bool stale) =>
            ReferenceEquals(Snapshot, snapshot) && PromiseVersion == version && Stale == stale;
    }

    [LoggerMessage(EventIds.AvailabilityStaleServed, LogLevel.Information, "Serving stale availability of performance {PerformanceId} as of {AsOf} ({Reason})")]
    private static partial void LogStaleServed(ILogger logger, int performanceId, DateTimeOffset asOf, string reason);

    [LoggerMessage(EventIds.AvailabilityUnknown, LogLevel.Warning, "Availability of performance {PerformanceId} is unknown: the backend cannot answer ({Reason}) and nothing was ever cached")]
    private static partial void LogUnknown(ILogger logger, int performanceId, string reason);

    [LoggerMessage(EventIds.AvailabilityRestored, LogLevel.Information, "Restored the last known availability of {Count} performances (performance list: {WithPerformances}) from before the restart")]
    private static partial void LogRestored(ILogger logger, int count, bool withPerformances);

    [LoggerMessage(EventIds.AvailabilityNotRestored, LogLevel.Warning, "Could not read the last known availability kept before the restart; starting without it")]
    private static partial void LogNotRestored(ILogger logger, Exception exception);
}
