using System.ComponentModel.DataAnnotations;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>The virtual waiting room (section <c>Gateway:WaitingRoom</c>; the first three keys are CONTRACT.md §3).</summary>
public sealed class WaitingRoomOptions : IValidatableObject
{
    public const string SectionName = "Gateway:WaitingRoom";

    /// <summary>
    /// Active buyers of a performance above which newcomers queue (before on-sale everyone waits in the lobby). A value
    /// above <see cref="MaxActiveBuyers"/> means "at the ceiling" (see <see cref="EffectiveActivationThreshold"/>). Default: 100.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ActivationThreshold { get; set; } = 100;

    /// <summary>The ceiling of the adaptive admission limit, per performance. Default: 500.</summary>
    [Range(1, 1_000_000)]
    public int MaxActiveBuyers { get; set; } = 500;

    /// <summary>
    /// The status checks per second this node's waiting buyers may send together: everyone in line or in the lobby is
    /// told to wait at least (their number ÷ four fifths of this) seconds, so a larger crowd polls less often instead of
    /// polling harder, and the busiest second stays within it. At the default, up to 24,000 waiting buyers poll at their
    /// own pace (at most 6 s apart, so that news such as the last seat going reaches each within seconds); beyond that
    /// the budget sets the pace. Default: 5,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int StatusChecksPerSecond { get; set; } = 5_000;

    /// <summary>How long an admitted buyer may hold and buy. Default: 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan AccessWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Each buyer's fair share: the seats one admitted place (one access token) may take in holds and purchases
    /// together, however many requests it sends at once. While the room is not in use the same share applies per
    /// client (an IPv4 address or an IPv6 /64) for an access window. Default: 10.
    /// </summary>
    [Range(1, 100)]
    public int SeatsPerBuyer { get; set; } = 10;

    /// <summary>
    /// Keys that sign queue and access tokens: the first signs, all verify (rotation: add the new key first, remove the
    /// old one once its tokens have expired). Each secret is at least 32 bytes. Without any, the embedded store keeps a
    /// generated key so that tokens survive restarts of this node.
    /// </summary>
    public IList<SigningKey> SigningKeys { get; set; } = [];

    /// <summary>How long a queue token stays valid. Default: 1 day.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan QueueTokenLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A waiting buyer who has not asked for their status for this long is passed over when their turn comes. Default: 3 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How often admission runs. Default: 250 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan AdmissionInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the admission limit is adjusted to the backend budget's pace. Default: 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan AdjustInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Share of backend calls failing other than "busy" (timeouts, unavailability) above which admission pauses; a
    /// busy refusal is the budget's signal, not admission's. Default: 0.05.
    /// </summary>
    [Range(0.0, 1.0)]
    public double FailureRatioTarget { get; set; } = 0.05;

    /// <summary>
    /// The threshold in force: <see cref="ActivationThreshold"/>, or <see cref="MaxActiveBuyers"/> when the threshold is
    /// above the ceiling. Admission can never let more buyers in than the ceiling, so the room switches on there
    /// (CONTRACT.md §3: interacting keys get their meaningful reading, and it is logged at start-up).
    /// </summary>
    internal int EffectiveActivationThreshold => Math.Min(ActivationThreshold, MaxActiveBuyers);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var key in SigningKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Id) || key.Id.Contains('.', StringComparison.Ordinal))
            {
                yield return new ValidationResult("Gateway:WaitingRoom:SigningKeys: every key needs an Id without dots.");
            }

            if (key.Secret is null || System.Text.Encoding.UTF8.GetByteCount(key.Secret) < 32)
            {
                yield return new ValidationResult($"Gateway:WaitingRoom:SigningKeys: key '{key.Id}' needs a Secret of at least 32 bytes.");
            }
        }

        if (SigningKeys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != SigningKeys.Count)
        {
            yield return new ValidationResult("Gateway:WaitingRoom:SigningKeys: key ids must be unique.");
        }
    }
}

/// <summary>An HMAC-SHA256 key that signs or verifies waiting-room tokens.</summary>
public sealed class SigningKey
{
    /// <summary>A short id carried in each token, so the verifier knows which key to use.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The secret, at least 32 bytes.</summary>
    public string? Secret { get; set; }
}
