using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>What a token is for.</summary>
internal enum TokenKind
{
    /// <summary>Holds a place in a performance's queue.</summary>
    Queue,

    /// <summary>Lets an admitted buyer hold and buy for a performance until it expires.</summary>
    Access,
}

/// <summary>A verified token's claims.</summary>
internal readonly record struct TokenClaims(TokenKind Kind, int PerformanceId, UInt128 EntryId, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs and verifies queue and access tokens: <c>v1.{q|a}.{performance}.{entry}.{expires}.{keyId}.{signature}</c>, the
/// signature an HMAC-SHA256 over everything before it. Bound to the performance and the queue entry, with expiry;
/// the first key signs, every key verifies, so keys rotate without logging anyone out.
/// </summary>
internal sealed class QueueTokens
{
    private readonly (string Id, byte[] Secret)[] _keys;
    private readonly TimeProvider _time;

    public QueueTokens(IEnumerable<(string Id, byte[] Secret)> keys, TimeProvider time)
    {
        _keys = [.. keys];
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one signing key is needed.", nameof(keys));
        }

        _time = time;
    }

    public string Sign(TokenKind kind, int performanceId, UInt128 entryId, DateTimeOffset expiresAt)
    {
        var (keyId, secret) = _keys[0];
        var body = string.Create(CultureInfo.InvariantCulture, $"v1.{(kind == TokenKind.Queue ? 'q' : 'a')}.{performanceId}.{entryId:x32}.{expiresAt.ToUnixTimeSeconds()}.{keyId}");
        return body + "." + Base64Url(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(body)));
    }

    /// <summary>The claims of a genuine, unexpired token of <paramref name="kind"/> for <paramref name="performanceId"/>; otherwise null.</summary>
    public TokenClaims? Verify(string? token, TokenKind kind, int performanceId)
    {
        if (token is null || token.Length > 256)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 7 || parts[0] != "v1" || parts[1] != (kind == TokenKind.Queue ? "q" : "a"))
        {
            return null;
        }

        var key = Array.Find(_keys, k => k.Id == parts[5]);
        if (key.Secret is null)
        {
            return null;
        }

        var body = token[..token.LastIndexOf('.')];
        var expected = HMACSHA256.HashData(key.Secret, Encoding.ASCII.GetBytes(body));
        // One spelling per token: padding, '+' or '/', or stray low bits in the last character would give the same
        // bytes under other strings, so anything but the canonical unpadded base64url form is refused.
        var actual = FromBase64Url(parts[6]);
        if (actual is null || actual.Length != expected.Length || Base64Url(actual) != parts[6]
            || !CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return null;
        }

        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var performance) || performance != performanceId
            || !UInt128.TryParse(parts[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var entry)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        return expiresAt > _time.GetUtcNow() ? new TokenClaims(kind, performance, entry, expiresAt) : null;
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch
        {
            2 => "==",
            3 => "=",
            _ => string.Empty,
        };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
