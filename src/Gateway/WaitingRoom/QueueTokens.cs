using System.Globalization;
using System.Runtime.InteropServices;
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

    /// <summary>A token for the place; one allocation, the token itself.</summary>
    public string Sign(TokenKind kind, int performanceId, UInt128 entryId, DateTimeOffset expiresAt)
    {
        var (keyId, secret) = _keys[0];
        var size = FixedFieldsLength + keyId.Length + SignatureLength;
        var text = size <= StackLimit ? stackalloc char[size] : new char[size];
        if (!text.TryWrite(CultureInfo.InvariantCulture, $"v1.{(kind == TokenKind.Queue ? 'q' : 'a')}.{performanceId}.{entryId:x32}.{expiresAt.ToUnixTimeSeconds()}.{keyId}.", out var bodyLength))
        {
            throw new InvalidOperationException("The token's fields outgrew their buffer.");
        }

        Span<byte> mac = stackalloc byte[MacLength];
        Mac(secret, text[..(bodyLength - 1)], mac);
        var length = bodyLength + System.Buffers.Text.Base64Url.EncodeToChars(mac, text[bodyLength..]);
        return new string(text[..length]);
    }

    /// <summary>
    /// The claims of a genuine, unexpired token of <paramref name="kind"/> for <paramref name="performanceId"/>; otherwise
    /// null. Reads the token in place: nothing is allocated.
    /// </summary>
    public TokenClaims? Verify(string? token, TokenKind kind, int performanceId)
    {
        if (token is null || token.Length > MaxLength)
        {
            return null;
        }

        ReadOnlySpan<char> text = token;
        Span<Range> parts = stackalloc Range[8];
        if (text.Split(parts, '.') != 7 || !text[parts[0]].SequenceEqual("v1") || !text[parts[1]].SequenceEqual(kind == TokenKind.Queue ? "q" : "a"))
        {
            return null;
        }

        var secret = SecretOf(text[parts[5]]);
        if (secret is null)
        {
            return null;
        }

        Span<byte> mac = stackalloc byte[MacLength];
        Mac(secret, text[..parts[5].End], mac);

        // One spelling per token: padding, '+' or '/', or stray low bits in the last character would give the same
        // bytes under other strings, so anything but the canonical unpadded base64url form of the MAC is refused.
        Span<char> expected = stackalloc char[SignatureLength];
        System.Buffers.Text.Base64Url.EncodeToChars(mac, expected);
        var actual = text[parts[6]];
        if (actual.Length != SignatureLength
            || !CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected), MemoryMarshal.AsBytes(actual)))
        {
            return null;
        }

        if (!int.TryParse(text[parts[2]], NumberStyles.None, CultureInfo.InvariantCulture, out var performance) || performance != performanceId
            || !UInt128.TryParse(text[parts[3]], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var entry)
            || !long.TryParse(text[parts[4]], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        return expiresAt > _time.GetUtcNow() ? new TokenClaims(kind, performance, entry, expiresAt) : null;
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Longest token accepted.</summary>
    private const int MaxLength = 256;

    /// <summary>The MAC's 32 bytes in unpadded base64url.</summary>
    private const int SignatureLength = 43;

    private const int MacLength = 32;

    /// <summary>Every field but the key id, with their dots: <c>v1.q.</c>, an int, 32 hex digits, a long.</summary>
    private const int FixedFieldsLength = 5 + 11 + 1 + 32 + 1 + 20 + 1 + 1;

    private const int StackLimit = 512;

    private byte[]? SecretOf(ReadOnlySpan<char> keyId)
    {
        foreach (var (id, secret) in _keys)
        {
            if (keyId.SequenceEqual(id))
            {
                return secret;
            }
        }

        return null;
    }

    /// <summary>The HMAC-SHA256 of <paramref name="body"/> in ASCII (anything else as '?', as <see cref="Encoding.ASCII"/> does).</summary>
    private static void Mac(byte[] secret, ReadOnlySpan<char> body, Span<byte> mac)
    {
        var bytes = body.Length <= StackLimit ? stackalloc byte[body.Length] : new byte[body.Length];
        Encoding.ASCII.GetBytes(body, bytes);
        KeptHmac.Compute(secret, bytes, mac);
    }
}
