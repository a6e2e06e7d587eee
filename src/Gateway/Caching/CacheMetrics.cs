using System.Diagnostics.Metrics;

namespace OnSale.Gateway.Caching;

/// <summary>
/// The cache's counters, on the meter <see cref="MeterName"/>. Every measurement carries <c>key_prefix</c>, the key up
/// to its first ':' (for example <c>availability</c> of <c>availability:perf-1</c>), so cardinality stays bounded by
/// the number of key families, not of keys; a key without ':' is reported as <c>(none)</c>,
/// one whose prefix is longer than 64 characters as <c>(long)</c>.
/// </summary>
internal sealed class CacheMetrics
{
    public const string MeterName = "OnSale.Gateway.Cache";

    // A prefix longer than this is most likely not a family name but part of a unique key.
    private const int MaxPrefixLength = 64;
    private const string NoPrefix = "(none)";
    private const string LongPrefix = "(long)";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _staleServed;
    private readonly Counter<long> _factoryErrors;
    private readonly Counter<long> _distributedErrors;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        _hits = meter.CreateCounter<long>("onsale.cache.hits", "{read}", "Reads answered by a fresh L1 entry.");
        _misses = meter.CreateCounter<long>("onsale.cache.misses", "{read}", "Reads that found no fresh L1 entry and went to L2 or the factory.");
        _staleServed = meter.CreateCounter<long>("onsale.cache.stale_served", "{read}", "Reads answered with a stale value, by reason: factory_error, soft_timeout or throttled.");
        _factoryErrors = meter.CreateCounter<long>("onsale.cache.factory_errors", "{error}", "Factory runs that failed or passed the hard timeout.");
        _distributedErrors = meter.CreateCounter<long>("onsale.cache.l2_errors", "{error}", "Distributed cache (L2) operations that failed or timed out; the cache went on without them.");
    }

    public void Hit(string key) => Add(_hits, key);

    public void Miss(string key) => Add(_misses, key);

    public void FactoryError(string key) => Add(_factoryErrors, key);

    public void DistributedError(string key) => Add(_distributedErrors, key);

    public void StaleServed(string key, StaleReason reason)
    {
        if (_staleServed.Enabled)
        {
            _staleServed.Add(
                1,
                new KeyValuePair<string, object?>("key_prefix", KeyPrefix(key)),
                new KeyValuePair<string, object?>("reason", ReasonName(reason)));
        }
    }

    internal static string KeyPrefix(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon switch
        {
            < 0 => NoPrefix,
            > MaxPrefixLength => LongPrefix,
            _ => key[..colon],
        };
    }

    internal static string ReasonName(StaleReason reason) => reason switch
    {
        StaleReason.FactoryError => "factory_error",
        StaleReason.SoftTimeout => "soft_timeout",
        StaleReason.Throttled => "throttled",
        _ => "unknown",
    };

    // Enabled is false while nobody listens, so the prefix (a substring) is only cut when it will be recorded.
    private static void Add(Counter<long> counter, string key)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("key_prefix", KeyPrefix(key)));
        }
    }
}

/// <summary>Why a read was answered with a stale value.</summary>
internal enum StaleReason
{
    /// <summary>The refresh failed (or passed its hard timeout).</summary>
    FactoryError,

    /// <summary>The refresh took longer than the soft timeout (or the caller's token fired first).</summary>
    SoftTimeout,

    /// <summary>A recent refresh failed; the factory is left alone until the throttle window ends.</summary>
    Throttled,
}
