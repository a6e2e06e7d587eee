using System.Security.Cryptography;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// HMAC-SHA256 with the key set up once per thread: a one-shot HMAC sets its key up again every time, which costs more
/// than hashing a token (it was a seventh of a status check's CPU), and the waiting room's keys live as long as the
/// process. Keys are told apart by reference: pass the same array each time. A few keys per thread at most; the oldest
/// goes when another comes.
/// </summary>
internal static class KeptHmac
{
    private const int KeptPerThread = 8;

    [ThreadStatic]
    private static (byte[]? Key, IncrementalHash Hmac)[]? _threadHmacs;

    /// <summary>Writes the HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/> to <paramref name="mac"/> (32 bytes).</summary>
    public static void Compute(byte[] key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var hmac = For(key);
        hmac.AppendData(data);
        hmac.GetHashAndReset(mac);
    }

    private static IncrementalHash For(byte[] key)
    {
        var kept = _threadHmacs ??= new (byte[]?, IncrementalHash)[KeptPerThread];
        for (var i = 0; i < kept.Length; i++)
        {
            if (ReferenceEquals(kept[i].Key, key))
            {
                return kept[i].Hmac;
            }
        }

        kept[^1].Hmac?.Dispose();
        Array.Copy(kept, 0, kept, 1, kept.Length - 1);
        kept[0] = (key, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        return kept[0].Hmac;
    }
}
