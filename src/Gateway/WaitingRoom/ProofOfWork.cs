using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.WaitingRoom;

/// <summary><c>GET /api/v1/performances/{id}/queue/challenge</c>: what to solve before joining a hot performance's line.</summary>
/// <param name="Challenge">The opaque, signed challenge.</param>
/// <param name="Difficulty">Leading zero bits the solution's SHA-256 must have.</param>
/// <param name="ExpiresAt">After this the challenge is refused.</param>
/// <param name="Algorithm">How to solve it: <see cref="ProofOfWork.Algorithm"/>.</param>
/// <param name="Required">Whether this performance is hot right now (joins need a solution); the challenge works either way.</param>
internal sealed record ChallengeAnswer(string Challenge, int Difficulty, DateTimeOffset ExpiresAt, string Algorithm, bool Required);

/// <summary>Why a solution was not accepted.</summary>
internal enum ProofOfWorkFailure
{
    None,
    Missing,
    Malformed,
    Forged,
    WrongPerformance,
    Expired,
    Unsolved,
    Reused,
    LedgerFull,
}

/// <summary>A solution that checked out, not yet spent.</summary>
internal readonly record struct ProofOfWorkClaim(UInt128 ChallengeId, DateTimeOffset ExpiresAt);

/// <summary>
/// Stateless proof-of-work challenges: <c>p1.{performance}.{expires}.{bits}.{id}.{keyId}.{mac}</c>, the mac an
/// HMAC-SHA256 over everything before it with a key derived from the waiting room's signing key (so every node that
/// shares the keys verifies every challenge, and rotation works as for tokens). A solution is a nonce such that
/// SHA-256 of the ASCII text <c>{challenge}:{nonce}</c> starts with <c>bits</c> zero bits; it is sent as that very text
/// in <see cref="Header"/>, and accepted once (<see cref="ProofOfWorkLedger"/>). Verifying costs one HMAC and one SHA-256.
/// </summary>
internal sealed class ProofOfWork
{
    public const string Header = "OnSale-Proof-Of-Work";
    public const string Algorithm = "sha256-leading-zero-bits";
    public const int MaxNonceLength = 32;
    private const string Version = "p1";
    private const int MaxLength = 512;
    private static readonly byte[] Purpose = "onsale waiting room proof-of-work v1"u8.ToArray();

    private readonly Func<IReadOnlyList<(string Id, byte[] Secret)>> _secrets;
    private readonly ProofOfWorkLedger _ledger;
    private readonly TimeProvider _time;
    private readonly IOptions<HotOnSaleOptions> _options;
    private (string Id, byte[] Key)[]? _keys;

    public ProofOfWork(Func<IReadOnlyList<(string Id, byte[] Secret)>> secrets, ProofOfWorkLedger ledger, TimeProvider time, IOptions<HotOnSaleOptions> options)
    {
        _secrets = secrets;
        _ledger = ledger;
        _time = time;
        _options = options;
    }

    public ChallengeAnswer Issue(int performanceId, bool required)
    {
        var o = _options.Value;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((_time.GetUtcNow() + o.ChallengeLifetime).ToUnixTimeSeconds());
        Span<byte> id = stackalloc byte[16];
        RandomNumberGenerator.Fill(id);
        var (keyId, key) = Keys()[0];
        var body = string.Create(CultureInfo.InvariantCulture, $"{Version}.{performanceId}.{expiresAt.ToUnixTimeSeconds()}.{o.ProofOfWorkBits}.{QueueTokens.Base64Url(id)}.{keyId}");
        var challenge = body + "." + QueueTokens.Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(body)));
        return new ChallengeAnswer(challenge, o.ProofOfWorkBits, expiresAt, Algorithm, required);
    }

    /// <summary>Checks a solution without spending it: the challenge is ours, for this performance, alive, and solved.</summary>
    public (ProofOfWorkClaim Claim, ProofOfWorkFailure Failure) Check(string? solution, int performanceId)
    {
        if (string.IsNullOrEmpty(solution))
        {
            return (default, ProofOfWorkFailure.Missing);
        }

        var colon = solution.LastIndexOf(':');
        if (solution.Length > MaxLength || colon <= 0 || solution.Length - colon - 1 is < 1 or > MaxNonceLength || !IsTokenText(solution))
        {
            return (default, ProofOfWorkFailure.Malformed);
        }

        var challenge = solution.AsSpan(0, colon);
        Span<Range> parts = stackalloc Range[8];
        if (challenge.Split(parts, '.') != 7 || !challenge[parts[0]].SequenceEqual(Version))
        {
            return (default, ProofOfWorkFailure.Malformed);
        }

        var keyId = challenge[parts[5]].ToString();
        var key = Array.Find(Keys(), k => k.Id == keyId).Key;
        var bodyLength = parts[6].Start.Value - 1;
        Span<byte> bytes = stackalloc byte[MaxLength];
        var length = Encoding.ASCII.GetBytes(solution, bytes);
        Span<byte> expected = stackalloc byte[32];
        Span<byte> actual = stackalloc byte[32];
        if (key is null || !Base64UrlDecode(challenge[parts[6]], actual))
        {
            return (default, ProofOfWorkFailure.Forged);
        }

        KeptHmac.Compute(key, bytes[..bodyLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return (default, ProofOfWorkFailure.Forged);
        }

        // Genuine from here on: its fields are ours.
        var performance = int.Parse(challenge[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(challenge[parts[2]], NumberStyles.None, CultureInfo.InvariantCulture));
        var bits = int.Parse(challenge[parts[3]], NumberStyles.None, CultureInfo.InvariantCulture);
        if (performance != performanceId)
        {
            return (default, ProofOfWorkFailure.WrongPerformance);
        }

        if (expiresAt <= _time.GetUtcNow())
        {
            return (default, ProofOfWorkFailure.Expired);
        }

        Span<byte> id = stackalloc byte[16];
        if (bits < _options.Value.ProofOfWorkBits || !Base64UrlDecode(challenge[parts[4]], id)
            || LeadingZeroBits(SHA256.HashData(bytes[..length])) < bits)
        {
            return (default, ProofOfWorkFailure.Unsolved);
        }

        return (new ProofOfWorkClaim(new UInt128(BitConverter.ToUInt64(id), BitConverter.ToUInt64(id[8..])), expiresAt), ProofOfWorkFailure.None);
    }

    /// <summary>Spends a checked solution: the first spend wins, every later one is <see cref="ProofOfWorkFailure.Reused"/>.</summary>
    public ProofOfWorkFailure Spend(ProofOfWorkClaim claim) => _ledger.TryUse(claim.ChallengeId, claim.ExpiresAt, _time.GetUtcNow());

    /// <summary>How long until the ledger has room again, for a <c>Retry-After</c>.</summary>
    public TimeSpan LedgerRetryAfter => _ledger.NextExpiry(_time.GetUtcNow());

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

    /// <summary>Letters, digits and <c>- _ . :</c> only: all a challenge and a nonce are made of.</summary>
    private static bool IsTokenText(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Canonical unpadded base64url of exactly <c>destination.Length</c> bytes, or false.</summary>
    private static bool Base64UrlDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length != ((destination.Length * 8) + 5) / 6 || text.ContainsAny('+', '/', '='))
        {
            return false;
        }

        Span<char> padded = stackalloc char[text.Length + 3];
        text.CopyTo(padded);
        var length = text.Length;
        while (length % 4 != 0)
        {
            padded[length++] = '=';
        }

        for (var i = 0; i < text.Length; i++)
        {
            padded[i] = padded[i] switch
            {
                '-' => '+',
                '_' => '/',
                var c => c,
            };
        }

        return Convert.TryFromBase64Chars(padded[..length], destination, out var written) && written == destination.Length
            && QueueTokens.Base64Url(destination) == text.ToString();
    }

    private (string Id, byte[] Key)[] Keys() =>
        _keys ??= [.. _secrets().Select(s => (s.Id, HMACSHA256.HashData(s.Secret, Purpose)))];
}

/// <summary>
/// The challenges already spent, each remembered until it expires (after that the challenge itself is refused), so
/// that one solution buys exactly one place. Bounded: at <c>capacity</c> unexpired entries a new one is refused
/// (<see cref="ProofOfWorkFailure.LedgerFull"/>) rather than an old one forgotten early.
/// </summary>
internal sealed class ProofOfWorkLedger(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<UInt128> _spent = [];
    private readonly PriorityQueue<UInt128, long> _byExpiry = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _spent.Count;
            }
        }
    }

    public ProofOfWorkFailure TryUse(UInt128 id, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        lock (_gate)
        {
            Prune(now.ToUnixTimeMilliseconds());
            if (_spent.Contains(id))
            {
                return ProofOfWorkFailure.Reused;
            }

            if (_spent.Count >= capacity)
            {
                return ProofOfWorkFailure.LedgerFull;
            }

            _spent.Add(id);
            _byExpiry.Enqueue(id, expiresAt.ToUnixTimeMilliseconds());
            return ProofOfWorkFailure.None;
        }
    }

    public TimeSpan NextExpiry(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _byExpiry.TryPeek(out _, out var expires)
                ? TimeSpan.FromMilliseconds(Math.Max(1000, expires - now.ToUnixTimeMilliseconds()))
                : TimeSpan.FromSeconds(1);
        }
    }

    private void Prune(long nowMs)
    {
        while (_byExpiry.TryPeek(out var id, out var expires) && expires <= nowMs)
        {
            _byExpiry.Dequeue();
            _spent.Remove(id);
        }
    }
}
