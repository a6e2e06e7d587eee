using System.Globalization;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;
using OnSale.Gateway.Widget;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Admin;

/// <summary>
/// The checklist a support engineer would go through before each on-sale opening in the next 24 hours, for
/// <c>GET /admin/api/status</c>: is the backend reachable, is the performance's availability warm in cache, do the
/// nodes share the signing key, may a venue page embed the widget, does the store keep what it acknowledged. The
/// status is polled every two seconds, so the checklist is made from what the gateway already holds (the performance
/// list as last known, the breaker, the recent calls, what the store read at start-up; one store read for the key),
/// never with a backend call, and kept for <see cref="KeptFor"/>. A check that cannot be made in
/// <see cref="CheckTimeout"/> is not ok and says why.
/// </summary>
internal sealed partial class OnSaleReadiness(
    AvailabilityService availability,
    BackendResilience resilience,
    BackendHealth health,
    WaitingRoomKeys keys,
    VenueRegistry venues,
    IStoreDurability store,
    IOptions<AvailabilityOptions> options,
    TimeProvider time,
    ILogger<OnSaleReadiness> logger) : IDisposable
{
    public const string BackendReachable = "backend_reachable";
    public const string CacheWarm = "cache_warm";
    public const string SigningKeysShared = "signing_keys_shared";
    public const string VenueOriginsSet = "venue_origins_set";
    public const string StoreDurable = "store_durable";

    /// <summary>How far ahead openings are listed.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(24);

    /// <summary>How long a checklist is reused: the console polls every two seconds, several operators at once.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(3);

    internal const int MostListed = 50;
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LogFailureEvery = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Made? _last;
    private DateTimeOffset _failureLoggedAt = DateTimeOffset.MinValue;

    /// <summary>The checklist of each opening in the next 24 hours, soonest first; the one made less than <see cref="KeptFor"/> ago if any.</summary>
    public async Task<IReadOnlyList<ReadinessReport>> ReadAsync(CancellationToken cancellationToken)
    {
        if (Kept() is { } kept)
        {
            return kept;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Kept() is { } made)
            {
                return made;
            }

            var now = time.GetUtcNow();
            var reports = await MakeAsync(now, cancellationToken);
            Volatile.Write(ref _last, new Made(now, reports));
            return reports;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private IReadOnlyList<ReadinessReport>? Kept() =>
        Volatile.Read(ref _last) is { } last && time.GetUtcNow() - last.At < KeptFor ? last.Reports : null;

    private async Task<IReadOnlyList<ReadinessReport>> MakeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The list as last known: the warm-up keeps it fresh (with the warm-up off, buyers' reads do).
        List<Performance> upcoming = [.. (availability.KnownPerformances?.Performances ?? [])
            .Where(p => p.OnSaleAt > now && p.OnSaleAt - now <= Horizon)
            .OrderBy(p => p.OnSaleAt)
            .ThenBy(p => p.Id)
            .Take(MostListed)];
        if (upcoming.Count == 0)
        {
            return [];
        }

        var backend = Backend();
        var signing = await CheckAsync(SigningKeysShared, keys.CheckKeptAsync, cancellationToken);
        var origins = Origins();
        var durable = await CheckAsync(StoreDurable, store.CheckAsync, cancellationToken);
        return
        [
            .. upcoming.Select(p =>
            {
                ReadinessCheck[] checks = [backend, Warm(p, now), signing, origins, durable];
                return new ReadinessReport(p.Id, p.Title, p.OnSaleAt, checks.All(c => c.Ok), checks);
            }),
        ];
    }

    /// <summary>
    /// Ok with the breaker closed (or half-open) and a recent call answered, or closed with no recent call to judge by;
    /// not ok with it open or isolated, or when every recent call failed or none came back.
    /// </summary>
    private ReadinessCheck Backend()
    {
        var state = resilience.State;
        var h = health.Snapshot();
        var answered = h.Calls - h.Failures;
        var window = BackendHealth.WindowSeconds;
        var (ok, detail) = state switch
        {
            BreakerState.Open => (false, "The circuit breaker is open: most recent backend calls failed, so purchases park and availability is served from cache until the backend recovers."),
            BreakerState.Isolated => (false, "Degraded mode holds the circuit open: no call reaches the backend. Switch back to normal before the opening."),
            _ when h.Calls == 1 && answered == 0 => (false, Invariant($"The one backend call in the last {window} seconds failed (the breaker is {StatusReader.BreakerName(state)}).")),
            _ when h.Calls > 0 && answered == 0 => (false, Invariant($"All {h.Calls} backend calls in the last {window} seconds failed (the breaker is {StatusReader.BreakerName(state)}).")),
            _ when answered > 0 => (true, Invariant($"{answered} of {h.Calls} backend calls in the last {window} seconds succeeded (the breaker is {StatusReader.BreakerName(state)}).")),
            _ when h.InFlight > 0 => (false, Invariant($"No backend call came back in the last {window} seconds; {h.InFlight} are still waiting for an answer.")),
            BreakerState.HalfOpen => (false, "The circuit breaker is half-open: a trial call is to show whether the backend has recovered."),
            _ => (true, Invariant($"The circuit breaker is closed; no backend call in the last {window} seconds to judge by.")),
        };
        return new ReadinessCheck(BackendReachable, ok, detail);
    }

    /// <summary>
    /// Ok when the performance's availability is held, not a fallback, and younger than the fresh period plus the
    /// stale tolerance plus the warm-up's second (it refreshes once an answer is due). Before the warm-up window not ok,
    /// saying when it warms: a checklist is ready only once there is nothing left to wait for.
    /// </summary>
    private ReadinessCheck Warm(Performance performance, DateTimeOffset now)
    {
        var o = options.Value;
        var window = o.WarmUpWindow;
        var held = availability.Held(performance.Id);
        var age = held is { } known ? now - known.AsOf : TimeSpan.MaxValue;
        var fresh = held is { Fallback: false } && age <= o.FreshFor + o.StaleTolerance + EverySecond.Period;
        var (ok, detail) = (fresh, held) switch
        {
            (true, { } h) => (true, Invariant($"In cache, fetched {age.TotalSeconds:0} s ago at {h.AsOf.UtcDateTime:HH:mm:ss} UTC{(window > TimeSpan.Zero ? ", and kept fresh until the opening" : string.Empty)}.")),
            _ when window <= TimeSpan.Zero => (false, "The warm-up is off (Gateway:Availability:WarmUpBefore is 0) and the availability is not fresh in cache: the first buyers will wait for the backend."),
            _ when performance.OnSaleAt - now > window => (false, Invariant($"Warms at {(performance.OnSaleAt - window).UtcDateTime:HH:mm} UTC, {Describe(window)} before the opening.")),
            (_, null) => (false, "Not in cache yet: the warm-up could not fetch it (see backend_reachable)."),
            (_, { } h) => (false, Invariant($"The cached answer is from {h.AsOf.UtcDateTime:HH:mm:ss} UTC, {age.TotalSeconds:0} s old: refreshing it failed (see backend_reachable).")),
        };
        return new ReadinessCheck(CacheWarm, ok, detail);
    }

    private ReadinessCheck Origins()
    {
        var keyed = venues.WithOrigins;
        return keyed.Count > 0
            ? new ReadinessCheck(VenueOriginsSet, true, $"Venue pages may embed the widget for: {string.Join(", ", keyed)}.")
            : new ReadinessCheck(VenueOriginsSet, false, "No venue has origins (Gateway:Venues:{venueKey}:Origins): no venue page may embed the widget.");
    }

    /// <summary>Runs a check that reads a store, within <see cref="CheckTimeout"/>; a failure is a check not ok, saying why.</summary>
    private async Task<ReadinessCheck> CheckAsync(string name, Func<CancellationToken, Task<(bool Ok, string Detail)>> check, CancellationToken cancellationToken)
    {
        try
        {
            var (ok, detail) = await check(cancellationToken).WaitAsync(CheckTimeout, time, cancellationToken);
            return new ReadinessCheck(name, ok, detail);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (now - _failureLoggedAt >= LogFailureEvery)
            {
                _failureLoggedAt = now;
                LogCheckFailed(logger, name, ex);
            }

            var reason = ex is TimeoutException ? Invariant($"no answer within {CheckTimeout.TotalSeconds:0} s") : ex.Message;
            return new ReadinessCheck(name, false, $"Could not be checked: {reason}.");
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes < 120 ? Invariant($"{span.TotalMinutes:0.#} minutes") : Invariant($"{span.TotalHours:0.#} hours");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Made(DateTimeOffset At, IReadOnlyList<ReadinessReport> Reports);

    [LoggerMessage(EventIds.ReadinessCheckFailed, LogLevel.Warning, "The readiness check {Check} could not be made; it says not ok until it can (logged at most once a minute)")]
    private static partial void LogCheckFailed(ILogger logger, string check, Exception exception);
}
