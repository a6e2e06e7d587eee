using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Availability;

/// <summary>
/// Availability with a fallback chain: fresh (through <see cref="HybridCache"/>: one backend call per key however many
/// readers) → the last known good answer, marked stale with its <c>asOf</c> → a clear "unknown". HybridCache has no
/// stale-if-error of its own, so the last known answer is kept here; our own sales and parked promises adjust it at
/// once, so sold-out shows without waiting for the next refresh.
/// </summary>
internal sealed partial class AvailabilityService(
    HybridCache cache,
    IVenueBackend backend,
    TimeProvider time,
    IOptions<AvailabilityOptions> options,
    GatewayMetrics metrics,
    ILogger<AvailabilityService> logger)
{
    private const string PerformancesKey = "performances";
    private static readonly TimeSpan AdjustmentMemory = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<int, AvailabilitySnapshot> _lastKnown = new();
    private readonly List<Adjustment> _adjustments = [];
    private readonly ConcurrentDictionary<int, Rendered> _rendered = new();
    private readonly Dictionary<(int PerformanceId, int ZoneId), int> _promised = [];
    private readonly Lock _promiseLock = new();
    private PerformanceList? _performances;
    private long _promiseVersion;

    private AvailabilityOptions Options => options.Value;

    /// <summary>Reads the availability of a performance, as JSON ready to send.</summary>
    public async Task<(AvailabilityOutcome Outcome, ReadOnlyMemory<byte> Json, DateTimeOffset AsOf)> GetJsonAsync(int performanceId, CancellationToken cancellationToken)
    {
        var (outcome, snapshot) = await GetAsync(performanceId, cancellationToken);
        if (snapshot is null)
        {
            return (outcome, ReadOnlyMemory<byte>.Empty, default);
        }

        var stale = outcome == AvailabilityOutcome.Stale;
        var version = Volatile.Read(ref _promiseVersion);
        if (_rendered.TryGetValue(performanceId, out var cached) && cached.Matches(snapshot, version, stale))
        {
            return (outcome, cached.Json, snapshot.AsOf);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(
            new AvailabilityResponse(performanceId, WithPromisesDeducted(snapshot), snapshot.AsOf, stale),
            AvailabilityJsonContext.Default.AvailabilityResponse);
        _rendered[performanceId] = new Rendered(snapshot, version, stale, json);
        return (outcome, json, snapshot.AsOf);
    }

    /// <summary>Reads the availability of a performance: fresh, else last known (stale), else why not.</summary>
    public async Task<(AvailabilityOutcome Outcome, AvailabilitySnapshot? Snapshot)> GetAsync(int performanceId, CancellationToken cancellationToken)
    {
        if (await IsKnownToNotExistAsync(performanceId, cancellationToken))
        {
            return (AvailabilityOutcome.UnknownPerformance, null);
        }

        try
        {
            var fetched = await cache.GetOrCreateAsync(
                "availability:" + performanceId,
                (backend, performanceId, time),
                static async (s, ct) =>
                {
                    // Stamped when the call starts: the backend's answer reflects nothing later than that for sure.
                    var asOf = s.time.GetUtcNow();
                    return new AvailabilitySnapshot(s.performanceId, await s.backend.GetAvailabilityAsync(s.performanceId, ct), asOf);
                },
                new HybridCacheEntryOptions { Expiration = Options.FreshFor, LocalCacheExpiration = Options.FreshFor },
                cancellationToken: cancellationToken);
            var current = Remember(fetched);
            var fresh = time.GetUtcNow() - current.AsOf <= Options.FreshFor + Options.StaleTolerance;
            metrics.AvailabilityRead(fresh ? "fresh" : "stale");
            return (fresh ? AvailabilityOutcome.Fresh : AvailabilityOutcome.Stale, current);
        }
        catch (NotFoundException)
        {
            return (AvailabilityOutcome.UnknownPerformance, null);
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            if (_lastKnown.TryGetValue(performanceId, out var last))
            {
                metrics.AvailabilityRead("stale");
                LogStaleServed(logger, performanceId, last.AsOf, ex.GetType().Name);
                return (AvailabilityOutcome.Stale, last);
            }

            metrics.AvailabilityRead("unknown");
            LogUnknown(logger, performanceId, ex.GetType().Name);
            return (AvailabilityOutcome.NeverKnown, null);
        }
    }

    /// <summary>The performances: fresh, else last known, else <see langword="null"/>.</summary>
    public async Task<PerformanceList?> GetPerformancesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await cache.GetOrCreateAsync(
                PerformancesKey,
                (backend, time),
                static async (s, ct) => new PerformanceList(await s.backend.GetPerformancesAsync(ct), s.time.GetUtcNow()),
                new HybridCacheEntryOptions { Expiration = Options.PerformancesFreshFor, LocalCacheExpiration = Options.PerformancesFreshFor },
                cancellationToken: cancellationToken);
            if (_performances is null || list.AsOf > _performances.AsOf)
            {
                _performances = list;
            }

            return _performances;
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            return _performances;
        }
    }

    /// <summary>The zone as last known, adjusted by our sales and promises, or <see langword="null"/>.</summary>
    public Zone? LastKnownZone(int performanceId, int zoneId) =>
        _lastKnown.TryGetValue(performanceId, out var snapshot) ? snapshot.Zones.FirstOrDefault(z => z.ZoneId == zoneId) : null;

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

        while (_lastKnown.TryGetValue(performanceId, out var snapshot))
        {
            if (_lastKnown.TryUpdate(performanceId, snapshot with { Zones = Apply(snapshot.Zones, zoneId, delta) }, snapshot))
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

    private AvailabilitySnapshot Remember(AvailabilitySnapshot fetched)
    {
        // The hot path: the cached answer is the one already remembered (no allocation).
        if (_lastKnown.TryGetValue(fetched.PerformanceId, out var known) && known.AsOf >= fetched.AsOf)
        {
            return known;
        }

        // The last known answer wins when it is as new: it carries our own sales since. A newer answer takes over with
        // our sales and releases since its call started replayed on it; one the backend had already counted is then
        // counted twice until the next refresh, which errs towards showing fewer seats, never more.
        return _lastKnown.AddOrUpdate(
            fetched.PerformanceId,
            _ => WithLaterAdjustments(fetched),
            (_, last) => last.AsOf >= fetched.AsOf ? last : WithLaterAdjustments(fetched));
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

    private async Task<bool> IsKnownToNotExistAsync(int performanceId, CancellationToken cancellationToken)
    {
        // Checked against the cached list so that made-up ids never reach the backend.
        if (_lastKnown.ContainsKey(performanceId))
        {
            return false;
        }

        var list = await GetPerformancesAsync(cancellationToken);
        return list is not null && list.Performances.All(p => p.Id != performanceId);
    }

    private sealed record Rendered(AvailabilitySnapshot Snapshot, long PromiseVersion, bool Stale, byte[] Json)
    {
        public bool Matches(AvailabilitySnapshot snapshot, long version, bool stale) =>
            ReferenceEquals(Snapshot, snapshot) && PromiseVersion == version && Stale == stale;
    }

    [LoggerMessage(EventIds.AvailabilityStaleServed, LogLevel.Information, "Serving stale availability of performance {PerformanceId} as of {AsOf} ({Reason})")]
    private static partial void LogStaleServed(ILogger logger, int performanceId, DateTimeOffset asOf, string reason);

    [LoggerMessage(EventIds.AvailabilityUnknown, LogLevel.Warning, "Availability of performance {PerformanceId} is unknown: the backend cannot answer ({Reason}) and nothing was ever cached")]
    private static partial void LogUnknown(ILogger logger, int performanceId, string reason);
}
