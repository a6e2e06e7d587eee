using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.WaitingRoom;

/// <summary>The challenges of hot on-sales, at a small difficulty (8 bits: 256 hashes on average).</summary>
public sealed class ProofOfWorkTests
{
    private const int Bits = 8;
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly HotOnSaleOptions _options = new() { ProofOfWorkBits = Bits, ChallengeLifetime = TimeSpan.FromMinutes(2) };

    [Fact]
    public void Check_SolvedChallenge_IsAcceptedAndSpentOnce()
    {
        var pow = Create();
        var answer = pow.Issue(2001, required: true);
        var solution = ProofOfWorkSolver.Solve(answer.Challenge, answer.Difficulty);

        var (claim, failure) = pow.Check(solution, 2001);

        Assert.Equal(ProofOfWorkFailure.None, failure);
        Assert.Equal((Bits, ProofOfWork.Algorithm, true), (answer.Difficulty, answer.Algorithm, answer.Required));
        Assert.Equal(_time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds(), answer.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal(ProofOfWorkFailure.None, pow.Spend(claim));
        Assert.Equal(ProofOfWorkFailure.None, pow.Check(solution, 2001).Failure); // still genuine…
        Assert.Equal(ProofOfWorkFailure.Reused, pow.Spend(pow.Check(solution, 2001).Claim)); // …but spent
    }

    [Fact]
    public void Check_TwoChallenges_AreSpentIndependently()
    {
        var pow = Create();
        var first = pow.Check(Solved(pow, 2001), 2001).Claim;
        var second = pow.Check(Solved(pow, 2001), 2001).Claim;

        Assert.NotEqual(first.ChallengeId, second.ChallengeId);
        Assert.Equal(ProofOfWorkFailure.None, pow.Spend(first));
        Assert.Equal(ProofOfWorkFailure.None, pow.Spend(second));
    }

    [Fact]
    public void Check_AfterTheChallengeExpired_IsExpired()
    {
        var pow = Create();
        var solution = Solved(pow, 2001);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ProofOfWorkFailure.None, pow.Check(solution, 2001).Failure);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(ProofOfWorkFailure.Expired, pow.Check(solution, 2001).Failure);
    }

    [Fact]
    public void Check_ChallengeOfAnotherPerformance_IsWrongPerformance()
    {
        var pow = Create();

        Assert.Equal(ProofOfWorkFailure.WrongPerformance, pow.Check(Solved(pow, 1001), 2001).Failure);
    }

    [Fact]
    public void Check_NonceThatDoesNotReachTheDifficulty_IsUnsolved()
    {
        var pow = Create();
        var answer = pow.Issue(2001, required: true);

        Assert.Equal(ProofOfWorkFailure.Unsolved, pow.Check(ProofOfWorkSolver.Miss(answer.Challenge, Bits), 2001).Failure);
    }

    [Fact]
    public void Check_ChallengeIssuedBelowTheDifficultyNowConfigured_IsUnsolved()
    {
        var pow = Create();
        var easy = Solved(pow, 2001);
        _options.ProofOfWorkBits = 30;

        Assert.Equal(ProofOfWorkFailure.Unsolved, pow.Check(easy, 2001).Failure);
    }

    [Fact]
    public void Check_DifficultyZero_AcceptsAnyNonceOfAGenuineChallenge()
    {
        _options.ProofOfWorkBits = 0;
        var pow = Create();

        Assert.Equal(ProofOfWorkFailure.None, pow.Check(pow.Issue(2001, required: true).Challenge + ":0", 2001).Failure);
    }

    [Theory]
    [InlineData(1, "0")] // performance
    [InlineData(2, "9999999999")] // expiry
    [InlineData(3, "0")] // difficulty
    [InlineData(4, "AAAAAAAAAAAAAAAAAAAAAA")] // id
    public void Check_AlteredField_IsForged(int field, string value)
    {
        var pow = Create();
        var answer = pow.Issue(2001, required: true);
        var parts = answer.Challenge.Split('.');
        parts[field] = value;
        var altered = string.Join('.', parts);

        Assert.Equal(ProofOfWorkFailure.Forged, pow.Check(ProofOfWorkSolver.Solve(altered, 0), 2001).Failure);
    }

    [Fact]
    public void Check_ChallengeOfAnotherGatewaysKey_IsForged()
    {
        var theirs = Create(("local", Secret('x')));

        Assert.Equal(ProofOfWorkFailure.Forged, Create().Check(Solved(theirs, 2001), 2001).Failure);
    }

    [Fact]
    public void Check_AfterKeyRotation_ChallengesOfTheOldKeyStillVerify()
    {
        var before = Create(("old", Secret('a')));
        var after = Create(("new", Secret('b')), ("old", Secret('a')));

        Assert.Equal(ProofOfWorkFailure.None, after.Check(Solved(before, 2001), 2001).Failure);
        Assert.StartsWith("p1.2001.", after.Issue(2001, required: true).Challenge, StringComparison.Ordinal);
        Assert.Contains(".new.", after.Issue(2001, required: true).Challenge, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Missing")]
    [InlineData("", "Missing")]
    [InlineData("no-colon-here", "Malformed")]
    [InlineData("p1.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.local.x:", "Malformed")]
    [InlineData("p1.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.local.x:123456789012345678901234567890123", "Malformed")]
    [InlineData("p1.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.local.x:12 3", "Malformed")]
    [InlineData("p1.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.local.x:é", "Malformed")]
    [InlineData("p1.2001.1.8.local.x:1", "Malformed")]
    [InlineData("p2.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.local.x:1", "Malformed")]
    [InlineData("p1.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.local.x:1", "Forged")]
    [InlineData("p1.2001.1.8.AAAAAAAAAAAAAAAAAAAAAA.other.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:1", "Forged")]
    public void Check_NotAChallengeAndNonce_IsRefused(string? header, string expected)
    {
        Assert.Equal(Enum.Parse<ProofOfWorkFailure>(expected), Create().Check(header, 2001).Failure);
    }

    [Fact]
    public void Check_OverlongHeader_IsMalformed()
    {
        var pow = Create();

        Assert.Equal(ProofOfWorkFailure.Malformed, pow.Check(new string('a', 600) + ":1", 2001).Failure);
    }

    [Fact]
    public void Ledger_Full_RefusesNewSpendsUntilTheOldestExpire()
    {
        var ledger = new ProofOfWorkLedger(capacity: 2);
        var now = TestClock.Start;
        var soon = now.AddSeconds(30);

        Assert.Equal(ProofOfWorkFailure.None, ledger.TryUse(1, soon, now));
        Assert.Equal(ProofOfWorkFailure.None, ledger.TryUse(2, now.AddMinutes(2), now));
        Assert.Equal(ProofOfWorkFailure.Reused, ledger.TryUse(1, soon, now));
        Assert.Equal(ProofOfWorkFailure.LedgerFull, ledger.TryUse(3, now.AddMinutes(2), now));
        Assert.Equal(TimeSpan.FromSeconds(30), ledger.NextExpiry(now));

        Assert.Equal(ProofOfWorkFailure.None, ledger.TryUse(3, now.AddMinutes(2), soon));
        Assert.Equal(2, ledger.Count);
    }

    [Fact]
    public void Ledger_ExpiredEntries_AreForgotten()
    {
        var ledger = new ProofOfWorkLedger(capacity: 10);
        var now = TestClock.Start;
        for (var i = 0; i < 10; i++)
        {
            ledger.TryUse((UInt128)i, now.AddSeconds(i + 1), now);
        }

        ledger.TryUse(100, now.AddMinutes(5), now.AddSeconds(5));

        Assert.Equal(6, ledger.Count);
    }

    private static byte[] Secret(char c) => Encoding.UTF8.GetBytes(new string(c, 32));

    private static string Solved(ProofOfWork pow, int performanceId)
    {
        var answer = pow.Issue(performanceId, required: true);
        return ProofOfWorkSolver.Solve(answer.Challenge, answer.Difficulty);
    }

    private ProofOfWork Create(params (string Id, byte[] Secret)[] keys)
    {
        IReadOnlyList<(string Id, byte[] Secret)> secrets = keys.Length > 0 ? keys : [("local", Secret('k'))];
        return new ProofOfWork(() => secrets, new ProofOfWorkLedger(1000), _time, Options.Create(_options));
    }
}
