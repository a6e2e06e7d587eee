using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>Why an identity was not accepted.</summary>
internal enum IdentityFailure
{
    None,
    Missing,
    Malformed,
    UnknownVenue,
    Forged,
    WrongPerformance,
    Expired,
}

/// <summary>A genuine identity: the account, and the one place in line that belongs to it.</summary>
internal readonly record struct VerifiedIdentity(string Venue, string Account, UInt128 EntryId);

/// <summary>
/// Identities signed by a venue's own site (as Queue-it's <c>k</c>): <c>{venue}.{performance}.{account}.{expires}.{signature}</c>,
/// the signature the unpadded base64url HMAC-SHA256, with the venue's <c>IdentitySecret</c>, of the ASCII text before
/// its dot. The account is the venue's id for the buyer (1–128 of <c>A–Z a–z 0–9 - _</c>: an opaque id or its hash,
/// never an e-mail address in the clear, since it sits in the page); expires is Unix seconds. The venue key may hold
/// dots, so the token is read from the right. One identity has one place per performance: the place's id is derived
/// from the identity with the waiting room's key, so the same identity finds the same place — after a restart too —
/// and two joins at once cannot make two.
/// </summary>
internal sealed class VenueIdentities
{
    public const string Header = "OnSale-Identity";
    public const int MaxLength = 512;
    private const int MaxAccountLength = 128;
    private static readonly byte[] Purpose = "onsale waiting room identity place v1"u8.ToArray();

    private readonly Dictionary<string, byte[]> _secrets;
    private readonly Func<IReadOnlyList<(string Id, byte[] Secret)>> _waitingRoomSecrets;
    private readonly TimeProvider _time;
    private byte[]? _placeKey;

    public VenueIdentities(IOptions<VenueIdentityOptions> options, Func<IReadOnlyList<(string Id, byte[] Secret)>> waitingRoomSecrets, TimeProvider time)
    {
        _secrets = options.Value.Venues
            .Where(v => !string.IsNullOrEmpty(v.Value?.IdentitySecret))
            .ToDictionary(v => v.Key, v => Encoding.UTF8.GetBytes(v.Value.IdentitySecret!), StringComparer.OrdinalIgnoreCase);
        _waitingRoomSecrets = waitingRoomSecrets;
        _time = time;
    }

    /// <summary>What the venue's site does (C#; README "Hot on-sales" has it in JavaScript too).</summary>
    public static string Sign(string venue, int performanceId, string account, DateTimeOffset expiresAt, byte[] secret)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"{venue}.{performanceId}.{account}.{expiresAt.ToUnixTimeSeconds()}");
        return message + "." + QueueTokens.Base64Url(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(message)));
    }

    public (VerifiedIdentity? Identity, IdentityFailure Failure) Verify(string? token, int performanceId)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, IdentityFailure.Missing);
        }

        if (token.Length > MaxLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return (null, IdentityFailure.Malformed);
        }

        var signatureAt = token.LastIndexOf('.');
        var expiresAt = signatureAt < 0 ? -1 : token.LastIndexOf('.', signatureAt - 1);
        var accountAt = expiresAt < 0 ? -1 : token.LastIndexOf('.', expiresAt - 1);
        var performanceAt = accountAt < 0 ? -1 : token.LastIndexOf('.', accountAt - 1);
        if (performanceAt <= 0
            || !int.TryParse(token.AsSpan(performanceAt + 1, accountAt - performanceAt - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var performance)
            || expiresAt - accountAt - 1 is < 1 or > MaxAccountLength
            || !long.TryParse(token.AsSpan(expiresAt + 1, signatureAt - expiresAt - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return (null, IdentityFailure.Malformed);
        }

        var venue = token[..performanceAt];
        var account = token[(accountAt + 1)..expiresAt];
        if (!_secrets.TryGetValue(venue, out var secret))
        {
            return (null, IdentityFailure.UnknownVenue);
        }

        var expected = QueueTokens.Base64Url(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(token[..signatureAt])));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token[(signatureAt + 1)..])))
        {
            return (null, IdentityFailure.Forged);
        }

        if (performance != performanceId)
        {
            return (null, IdentityFailure.WrongPerformance);
        }

        if (expires > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || DateTimeOffset.FromUnixTimeSeconds(expires) <= _time.GetUtcNow())
        {
            return (null, IdentityFailure.Expired);
        }

        return (new VerifiedIdentity(venue, account, PlaceOf(venue, performanceId, account)), IdentityFailure.None);
    }

    /// <summary>The place id of an account in a performance's line: the same every time, unguessable without the key.</summary>
    private UInt128 PlaceOf(string venue, int performanceId, string account)
    {
        _placeKey ??= HMACSHA256.HashData(_waitingRoomSecrets()[0].Secret, Purpose);
        var mac = HMACSHA256.HashData(_placeKey, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{venue.ToLowerInvariant()}.{performanceId}.{account}")));
        return new UInt128(BitConverter.ToUInt64(mac), BitConverter.ToUInt64(mac, 8));
    }
}
