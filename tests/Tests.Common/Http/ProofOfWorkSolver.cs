using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace OnSale.Tests.Common.Http;

/// <summary>
/// What a client of a hot on-sale does, written from the documented algorithm alone (README, "Hot on-sales"), not
/// from the gateway's code: the first decimal nonce whose SHA-256 of <c>{challenge}:{nonce}</c> starts with
/// <c>difficulty</c> zero bits.
/// </summary>
public static class ProofOfWorkSolver
{
    /// <summary>The <c>OnSale-Proof-Of-Work</c> header value that solves <paramref name="challenge"/>.</summary>
    public static string Solve(string challenge, int difficulty)
    {
        for (long nonce = 0; ; nonce++)
        {
            var candidate = challenge + ":" + nonce.ToString(CultureInfo.InvariantCulture);
            if (LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(candidate))) >= difficulty)
            {
                return candidate;
            }
        }
    }

    /// <summary>A header value for <paramref name="challenge"/> whose hash does <em>not</em> reach <paramref name="difficulty"/> bits.</summary>
    public static string Miss(string challenge, int difficulty)
    {
        for (long nonce = 0; ; nonce++)
        {
            var candidate = challenge + ":" + nonce.ToString(CultureInfo.InvariantCulture);
            if (LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(candidate))) < difficulty)
            {
                return candidate;
            }
        }
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
