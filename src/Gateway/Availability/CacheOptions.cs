using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Availability;

/// <summary>
/// How the availability cache (FusionCache behind <c>HybridCache</c>) keeps answering while the backend is slow or
/// down (section <c>Gateway:Cache</c>). How long an answer is fresh is <see cref="AvailabilityOptions.FreshFor"/>; these
/// settings say what happens after that. The fallback chain is in <c>src/Gateway/Availability/README.md</c>.
/// </summary>
public sealed class CacheOptions : IValidatableObject
{
    public const string SectionName = "Gateway:Cache";

    /// <summary>
    /// How long past its fresh period the cache keeps an answer to serve when a refresh fails or is slow (fail-safe).
    /// After it the cache forgets the answer; the availability service still has it as the last known one, but reads
    /// then wait for the backend instead of being answered at the soft timeout. Default: 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// After a failed refresh, the stale answer is served without asking the backend again for this long, so that a
    /// failing backend is not asked by every read. Default: 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FailSafeThrottleDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With a stale answer at hand, how long a read waits for the refresh before it gets the stale answer; the refresh
    /// goes on in the background and updates the cache when it succeeds. Keep it well inside the request deadline less
    /// <see cref="AvailabilityOptions.AnswerReserve"/>. Default: 250 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan FactorySoftTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// With nothing stale at hand, how long a read waits for the backend at most (the request's own deadline usually
    /// comes first); the call goes on in the background and fills the cache if it succeeds. Default: 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FactoryHardTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The share of the fresh period after which a read starts a refresh in the background while it is still answered
    /// from the cache, so that busy keys are refreshed before they expire and no reader waits. Between 0 and 1
    /// (exclusive). Default: 0.9.
    /// </summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public float EagerRefreshThreshold { get; set; } = 0.9f;

    /// <summary>
    /// The level at which the cache logs that it served a stale answer because a refresh failed or timed out (once
    /// per key and throttle window). Default: <see cref="LogLevel.Warning"/>.
    /// </summary>
    [EnumDataType(typeof(LogLevel))]
    public LogLevel FailSafeActivationLogLevel { get; set; } = LogLevel.Warning;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FactorySoftTimeout > FactoryHardTimeout)
        {
            yield return new ValidationResult(
                $"Gateway:Cache:FactorySoftTimeout ({FactorySoftTimeout}) must not exceed Gateway:Cache:FactoryHardTimeout ({FactoryHardTimeout}).",
                [nameof(FactorySoftTimeout), nameof(FactoryHardTimeout)]);
        }
    }
}

/// <summary>Checks <see cref="CacheOptions"/> at start-up (source-generated from its DataAnnotations, then its own rule).</summary>
[OptionsValidator]
internal sealed partial class CacheOptionsValidator : IValidateOptions<CacheOptions>;
