using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// Protection of the on-sales a venue marks as hot (section <c>Gateway:WaitingRoom:Hot</c>): for those performances a
/// join without a queue token must bring a solved proof-of-work challenge, each client address (IPv4, or IPv6 /64) may
/// hold only so many places, and a venue-signed identity, when given (or required), binds one place per account.
/// Every other performance joins exactly as before. Off by default: no performance is hot.
/// </summary>
public sealed class HotOnSaleOptions
{
    public const string SectionName = "Gateway:WaitingRoom:Hot";

    /// <summary>
    /// The performances that are hot from configuration (<c>Gateway:WaitingRoom:Hot:Performances:0=2001</c>). Support can
    /// switch any performance on or off at run time (<c>PUT /admin/api/performances/{id}/hot</c>), which takes
    /// precedence. Default: none.
    /// </summary>
    public IList<int> Performances { get; set; } = [];

    /// <summary>
    /// Leading zero bits the SHA-256 of a solution must have: each bit doubles the work. 18 (262,144 hashes on average)
    /// takes the widget 0.2–0.4 s in headless Chromium on this project's test machine, so about a second on a phone
    /// (bench/results.md, "Hot on-sales"). Default: 18.
    /// </summary>
    [Range(0, 32)]
    public int ProofOfWorkBits { get; set; } = 18;

    /// <summary>How long a challenge may be solved and used for. Default: 2 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:30:00")]
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Places one client address (an IPv4 address, or an IPv6 /64) may take in one hot performance's line. Generous on
    /// purpose: a campus or a mobile carrier's NAT puts many real buyers behind one IPv4 address; a venue with a small
    /// hall may lower it, and the venue-signed identity is what binds one place to one person. Default: 100.
    /// </summary>
    [Range(1, 1_000_000)]
    public int PlacesPerClient { get; set; } = 100;

    /// <summary>
    /// When true, a join to a hot performance without a valid venue-signed identity (<c>OnSale-Identity</c>) is refused
    /// with <c>403 identity_required</c>. Default: false (an identity is used when given).
    /// </summary>
    public bool RequireIdentity { get; set; }

    /// <summary>
    /// Solved challenges remembered at most (each until it expires) so that none buys two places. When that many are
    /// remembered and none has expired yet, joins of hot shows get <c>503 queue_busy</c> with a <c>Retry-After</c>
    /// rather than a solution being accepted twice. About 100 bytes each. Default: 1,000,000.
    /// </summary>
    [Range(100, 100_000_000)]
    public int MaxRememberedChallenges { get; set; } = 1_000_000;
}

/// <summary>
/// The per-venue secrets that sign buyers' identities (<c>Gateway:Venues:{venueKey}:IdentitySecret</c>, read from the
/// same section as the widget's origins). A venue without one cannot sign identities.
/// </summary>
public sealed class VenueIdentityOptions
{
    /// <summary>Secrets by venue key (compared without regard to case, as configuration keys are).</summary>
    public IDictionary<string, VenueIdentitySecret> Venues { get; set; } = new Dictionary<string, VenueIdentitySecret>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One venue's identity secret.</summary>
public sealed class VenueIdentitySecret
{
    /// <summary>The HMAC-SHA256 key the venue's site signs identities with: at least 32 bytes (UTF-8). Default: none.</summary>
    public string? IdentitySecret { get; set; }
}

/// <summary>Checks the DataAnnotations of <see cref="HotOnSaleOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class HotOnSaleOptionsValidator : IValidateOptions<HotOnSaleOptions>
{
}

/// <summary>Fails start-up on an identity secret shorter than 32 bytes, naming its key.</summary>
internal sealed class VenueIdentityOptionsValidator : IValidateOptions<VenueIdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, VenueIdentityOptions options)
    {
        var failures = options.Venues
            .Where(v => v.Value?.IdentitySecret is { } secret && Encoding.UTF8.GetByteCount(secret) < 32)
            .Select(v => $"Gateway:Venues:{v.Key}:IdentitySecret must be at least 32 bytes.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
