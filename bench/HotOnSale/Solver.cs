using System.Buffers.Text;
using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace OnSale.Bench.HotOnSale;

/// <summary>
/// What a scripted attacker writes from the gateway's documentation: count a decimal nonce up until SHA-256 of
/// <c>{challenge}:{nonce}</c> starts with the asked number of zero bits, with .NET's own SHA256 (one-shot, on a reused
/// buffer). Native code on a GPU would be far faster; this is the cost a script pays.
/// </summary>
internal static class Solver
{
    public static string Solve(string challenge, int bits)
    {
        var prefix = Encoding.ASCII.GetBytes(challenge + ":");
        var buffer = new byte[prefix.Length + 20];
        prefix.CopyTo(buffer, 0);
        Span<byte> hash = stackalloc byte[32];
        for (long nonce = 0; ; nonce++)
        {
            Utf8Formatter.TryFormat(nonce, buffer.AsSpan(prefix.Length), out var written);
            SHA256.HashData(buffer.AsSpan(0, prefix.Length + written), hash);
            if (LeadingZeroBits(hash) >= bits)
            {
                return challenge + ":" + nonce.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Hashes per second of <see cref="Solve"/>'s loop on one core of this machine.</summary>
    public static object MeasureRate(TimeSpan duration)
    {
        const string challenge = "p1.2001.1796162455.18.E0_K4xE1e8djpOLoVXzWEw.local.H2mYVZ6fULyfdHPpbCmaKCpJuNobwx56YWKOdHW4r0A";
        _ = Solve(challenge, 12); // JIT and OpenSSL warm
        var prefix = Encoding.ASCII.GetBytes(challenge + ":");
        var buffer = new byte[prefix.Length + 20];
        prefix.CopyTo(buffer, 0);
        Span<byte> hash = stackalloc byte[32];
        var clock = Stopwatch.StartNew();
        long hashes = 0;
        while (clock.Elapsed < duration)
        {
            for (var i = 0; i < 10_000; i++, hashes++)
            {
                Utf8Formatter.TryFormat(hashes, buffer.AsSpan(prefix.Length), out var written);
                SHA256.HashData(buffer.AsSpan(0, prefix.Length + written), hash);
            }
        }

        return new { hashesPerSecond = Math.Round(hashes / clock.Elapsed.TotalSeconds) };
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b != 0)
            {
                return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            bits += 8;
        }

        return bits;
    }
}
