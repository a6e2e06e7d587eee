using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Caching.Hybrid;

namespace OnSale.Gateway.Caching;

/// <summary>
/// How the gateway's <see cref="HybridCache"/> keeps answering while the backend is slow or down (section
/// <c>Gateway:Cache</c>). The fallback chain is fresh → stale (within <see cref="FailSafeMaxDuration"/>) → error;
/// see <c>src/Gateway/Caching/README.md</c>.
/// </summary>
public sealed class FailSafeHybridCacheOptions : IValidatableObject
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Gateway:Cache";

    /// <summary>
    /// How long past its expiry a value may still be served when its refresh fails or is slow (fail-safe). A value
    /// older than its expiration plus this is never served. Default: 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// After a failed refresh, the stale value is served without calling the factory again for this long, so that a
    /// dying backend is not hammered by every read. Default: 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FailSafeThrottleDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When a stale value is at hand, how long a read waits for the refresh before it is answered with the stale
    /// value; the refresh goes on in the background and updates the cache when it succeeds. Without a stale value
    /// reads wait for the factory (up to <see cref="FactoryHardTimeout"/>). Default: 250 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan FactorySoftTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A factory running longer than this is cancelled (its token fires) and abandoned; with nothing stale to serve,
    /// the waiting reads fail with a <see cref="TimeoutException"/>. Default: 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FactoryHardTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most entries the in-memory (L1) cache holds. Past it, entries beyond their fail-safe window go first, then
    /// the least recently written, down to 90% of the limit. Default: 100,000.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// The level of the log event written when a stale value is served because a refresh failed (fail-safe
    /// activation). Default: <see cref="LogLevel.Warning"/>.
    /// </summary>
    [EnumDataType(typeof(LogLevel))]
    public LogLevel FailSafeActivationLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>
    /// The entry options of calls that pass none (and the fallback for what a call's options leave out).
    /// Default: <see cref="HybridCacheEntryOptions.Expiration"/> of 2 seconds, no flags.
    /// </summary>
    [Required]
    public HybridCacheEntryOptions DefaultEntryOptions { get; set; } = new() { Expiration = TimeSpan.FromSeconds(2) };

    /// <summary>
    /// How long one distributed-cache (L2) read, write or remove may take before it is given up and the cache goes
    /// on without it. Default: 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan DistributedCacheTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Serialized values larger than this are kept in L1 only, never written to L2. Default: 1 MiB.</summary>
    [Range(typeof(long), "1", "1073741824")]
    public long MaximumPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Keys longer than this bypass the cache: the factory is called directly, as Microsoft's HybridCache does.
    /// Default: 1,024 characters.
    /// </summary>
    [Range(1, 65_536)]
    public int MaximumKeyLength { get; set; } = 1024;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultEntryOptions?.Expiration is { } expiration && expiration < TimeSpan.Zero)
        {
            yield return new ValidationResult(
                "DefaultEntryOptions.Expiration must not be negative.", [nameof(DefaultEntryOptions)]);
        }

        if (DefaultEntryOptions?.LocalCacheExpiration is { } local && local < TimeSpan.Zero)
        {
            yield return new ValidationResult(
                "DefaultEntryOptions.LocalCacheExpiration must not be negative.", [nameof(DefaultEntryOptions)]);
        }

        if (FactorySoftTimeout > FactoryHardTimeout)
        {
            yield return new ValidationResult(
                "FactorySoftTimeout must not exceed FactoryHardTimeout.", [nameof(FactorySoftTimeout), nameof(FactoryHardTimeout)]);
        }
    }
}
