using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Events;
using ZiggyCreatures.Caching.Fusion.Plugins;

namespace OnSale.Gateway.Availability;

/// <summary>
/// The cache's counters on the meter <see cref="MeterName"/>, and its fail-safe log event. Every measurement carries
/// <c>key_prefix</c>: the key up to its first ':' (<c>availability</c> of <c>availability:1001</c>), or the whole key
/// when it has none, or <c>(long)</c> past 64 characters, so that cardinality follows the key families, not the keys.
/// The rare outcomes (a miss, a failed or timed-out refresh, a fail-safe activation) are counted from FusionCache's
/// events: this is a plugin, attached when the cache is built. Hits and stale answers are counted by the reads
/// themselves (<see cref="Answered"/>), on observable counters: FusionCache's hit event allocates on every read, the
/// hot path, and a measurement per read would cost it a lookup in every listener.
/// </summary>
internal sealed partial class CacheTelemetry : IFusionCachePlugin
{
    public const string MeterName = "OnSale.Gateway.Cache";

    /// <summary>The key family of availability reads.</summary>
    public static readonly KeyValuePair<string, object?> AvailabilityFamily = new("key_prefix", "availability");

    /// <summary>The key family of the performance list.</summary>
    public static readonly KeyValuePair<string, object?> PerformancesFamily = new("key_prefix", "performances");

    // A prefix longer than this is most likely part of a unique key, not a family name.
    private const int MaxPrefixLength = 64;

    private readonly ReadCounts _hits = new("key_prefix", "availability", "performances");
    private readonly ReadCounts _staleServed = new("key_prefix", "availability", "performances");
    private readonly Counter<long> _misses;
    private readonly Counter<long> _factoryErrors;
    private readonly Counter<long> _factoryTimeouts;
    private readonly IOptions<CacheOptions> _options;
    private readonly ILogger<CacheTelemetry> _logger;

    public CacheTelemetry(IMeterFactory meterFactory, IOptions<CacheOptions> options, ILogger<CacheTelemetry> logger)
    {
        _options = options;
        _logger = logger;
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("onsale.cache.hits", _hits.Observe, "{read}", "Reads the cache answered at once with a fresh entry.");
        meter.CreateObservableCounter("onsale.cache.stale_served", _staleServed.Observe, "{read}", "Reads answered with a stale entry: its refresh failed, timed out or failed just before (throttled), or the cache had nothing and the last known answer was served.");
        _misses = meter.CreateCounter<long>("onsale.cache.misses", "{read}", "Reads that found no fresh entry and called the backend themselves.");
        _factoryErrors = meter.CreateCounter<long>("onsale.cache.factory_errors", "{error}", "Backend calls behind the cache that failed, in the foreground or in the background.");
        _factoryTimeouts = meter.CreateCounter<long>("onsale.cache.factory_timeouts", "{timeout}", "Backend calls behind the cache that passed the soft or hard timeout; they go on in the background.");
    }

    /// <summary>Counts a read the cache answered: a hit when at once and fresh, stale_served when stale.</summary>
    public void Answered(KeyValuePair<string, object?> family, bool atOnce, bool stale)
    {
        if (stale)
        {
            _staleServed.Increment((string)family.Value!);
        }
        else if (atOnce)
        {
            _hits.Increment((string)family.Value!);
        }
    }

    public void Start(IFusionCache cache)
    {
        cache.Events.Miss += OnMiss;
        cache.Events.FactoryError += OnFactoryError;
        cache.Events.BackgroundFactoryError += OnFactoryError;
        cache.Events.FactorySyntheticTimeout += OnFactoryTimeout;
        cache.Events.FailSafeActivate += OnFailSafeActivate;
    }

    public void Stop(IFusionCache cache)
    {
        cache.Events.Miss -= OnMiss;
        cache.Events.FactoryError -= OnFactoryError;
        cache.Events.BackgroundFactoryError -= OnFactoryError;
        cache.Events.FactorySyntheticTimeout -= OnFactoryTimeout;
        cache.Events.FailSafeActivate -= OnFailSafeActivate;
    }

    internal static string KeyPrefix(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        var length = colon < 0 ? key.Length : colon;
        return length > MaxPrefixLength ? "(long)" : key[..length];
    }

    private void OnMiss(object? sender, FusionCacheEntryEventArgs e) => _misses.Add(1, Family(e.Key));

    private void OnFactoryError(object? sender, FusionCacheEntryEventArgs e) => _factoryErrors.Add(1, Family(e.Key));

    private void OnFactoryTimeout(object? sender, FusionCacheEntryEventArgs e) => _factoryTimeouts.Add(1, Family(e.Key));

    private void OnFailSafeActivate(object? sender, FusionCacheEntryEventArgs e)
    {
        var options = _options.Value;
        LogFailSafeActivated(_logger, options.FailSafeActivationLogLevel, e.Key, options.FailSafeThrottleDuration.TotalMilliseconds);
    }

    private static KeyValuePair<string, object?> Family(string key) => new("key_prefix", KeyPrefix(key));

    // No level in the attribute: it is Gateway:Cache:FailSafeActivationLogLevel.
    [LoggerMessage(EventId = EventIds.CacheFailSafeActivated, Message = "Fail-safe: serving the last good value of {Key} because its refresh failed or timed out; no new attempt for {ThrottleMs} ms")]
    private static partial void LogFailSafeActivated(ILogger logger, LogLevel level, string key, double throttleMs);
}
