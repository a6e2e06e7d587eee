using System.Text;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.WaitingRoom;

public sealed class QueueTokensTests
{
    private static readonly UInt128 Entry = new(0xDEADBEEF, 42);
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly (string, byte[]) _old = ("k1", Encoding.UTF8.GetBytes("first-secret-0123456789abcdef0123456789"));
    private readonly (string, byte[]) _new = ("k2", Encoding.UTF8.GetBytes("second-secret-0123456789abcdef012345678"));

    [Fact]
    public void Verify_GenuineToken_ReturnsItsClaims()
    {
        var tokens = new QueueTokens([_old], _time);
        var token = tokens.Sign(TokenKind.Access, 1001, Entry, _time.GetUtcNow().AddMinutes(10));

        var claims = tokens.Verify(token, TokenKind.Access, 1001);

        Assert.Equal(Entry, claims?.EntryId);
        Assert.Equal(1001, claims?.PerformanceId);
    }

    [Fact]
    public void SignAndVerify_MoreKeysOnOneThreadThanItKeepsHmacsFor_EachKeyVerifiesOnlyItsOwnTokens()
    {
        // Each thread keeps the HMAC of a few keys; many keys in turn on one thread must never mix them up.
        var all = Enumerable.Range(0, 9)
            .Select(i => new QueueTokens([("k", Encoding.UTF8.GetBytes($"secret-number-{i}-0123456789abcdef012345"))], _time))
            .ToList();
        var signed = all.Select(t => t.Sign(TokenKind.Queue, 1001, Entry, _time.GetUtcNow().AddHours(1))).ToList();

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < all.Count; i++)
            {
                for (var j = 0; j < all.Count; j++)
                {
                    Assert.Equal(i == j, all[i].Verify(signed[j], TokenKind.Queue, 1001) is not null);
                }
            }
        }
    }

    [Fact]
    public void Verify_ForgedWithAnotherSecretUnderTheSameKeyId_IsRefused()
    {
        var forger = new QueueTokens([("k1", Encoding.UTF8.GetBytes("a-guess-at-the-secret-0123456789abcdef"))], _time);
        var forged = forger.Sign(TokenKind.Access, 1001, Entry, _time.GetUtcNow().AddMinutes(10));

        Assert.Null(new QueueTokens([_old], _time).Verify(forged, TokenKind.Access, 1001));
    }

    [Theory]
    [InlineData(2, "1002")]
    [InlineData(3, "00000000000000000000000000000001")]
    [InlineData(4, "9999999999")]
    [InlineData(1, "q")]
    public void Verify_AnyFieldAltered_IsRefused(int field, string value)
    {
        var tokens = new QueueTokens([_old], _time);
        var parts = tokens.Sign(TokenKind.Access, 1001, Entry, _time.GetUtcNow().AddMinutes(10)).Split('.');
        parts[field] = value;

        Assert.Null(tokens.Verify(string.Join('.', parts), TokenKind.Access, field == 2 ? 1002 : 1001));
        Assert.Null(tokens.Verify(string.Join('.', parts), TokenKind.Queue, 1001));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("v1.a.1001.x.y.k1.z")]
    [InlineData("v1.a.1001.000000000000000000000000deadbeef.99999999999.k1.!!!")]
    public void Verify_Garbage_IsRefused(string token)
    {
        Assert.Null(new QueueTokens([_old], _time).Verify(token, TokenKind.Access, 1001));
    }

    [Fact]
    public void Verify_Expired_IsRefused()
    {
        var tokens = new QueueTokens([_old], _time);
        var token = tokens.Sign(TokenKind.Access, 1001, Entry, _time.GetUtcNow().AddMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(tokens.Verify(token, TokenKind.Access, 1001));
    }

    [Fact]
    public void Verify_TokenOfAnotherPerformance_IsRefused()
    {
        var tokens = new QueueTokens([_old], _time);

        Assert.Null(tokens.Verify(tokens.Sign(TokenKind.Access, 1001, Entry, _time.GetUtcNow().AddMinutes(10)), TokenKind.Access, 1002));
    }

    [Fact]
    public void Verify_QueueTokenUsedAsAccessToken_IsRefused()
    {
        var tokens = new QueueTokens([_old], _time);

        Assert.Null(tokens.Verify(tokens.Sign(TokenKind.Queue, 1001, Entry, _time.GetUtcNow().AddDays(1)), TokenKind.Access, 1001));
    }

    [Fact]
    public void Rotation_NewKeySigns_OldTokensVerifyUntilTheOldKeyIsRemoved()
    {
        var before = new QueueTokens([_old], _time).Sign(TokenKind.Queue, 1001, Entry, _time.GetUtcNow().AddDays(1));
        var rotated = new QueueTokens([_new, _old], _time);
        var after = rotated.Sign(TokenKind.Queue, 1001, Entry, _time.GetUtcNow().AddDays(1));
        var oldRemoved = new QueueTokens([_new], _time);

        Assert.NotNull(rotated.Verify(before, TokenKind.Queue, 1001));
        Assert.Contains(".k2.", after, StringComparison.Ordinal);
        Assert.NotNull(rotated.Verify(after, TokenKind.Queue, 1001));
        Assert.Null(oldRemoved.Verify(before, TokenKind.Queue, 1001));
        Assert.NotNull(oldRemoved.Verify(after, TokenKind.Queue, 1001));
    }

    [Fact]
    public void Verify_TheSameSignatureSpelledAnotherWay_IsRefused()
    {
        var tokens = new QueueTokens([_old], _time);
        var token = tokens.Sign(TokenKind.Access, 1001, Entry, _time.GetUtcNow().AddMinutes(10));
        var cut = token.LastIndexOf('.') + 1;
        var signature = token[cut..];
        var bytes = Convert.FromBase64String(signature.Replace('-', '+').Replace('_', '/') + "=");

        // A 32-byte HMAC is 43 base64url characters whose last one carries 2 unused bits: flipping them names the same bytes.
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = alphabet.IndexOf(signature[^1], StringComparison.Ordinal);
        var variants = new[]
        {
            token + "=",
            token[..cut] + Convert.ToBase64String(bytes),
            token[..cut] + Convert.ToBase64String(bytes).TrimEnd('='),
            token[..cut] + signature[..^1] + alphabet[last ^ 1],
        }.Where(v => v != token).Distinct().ToList();

        Assert.Equal(Entry, tokens.Verify(token, TokenKind.Access, 1001)?.EntryId);
        Assert.NotEmpty(variants);
        Assert.All(variants, variant => Assert.Null(tokens.Verify(variant, TokenKind.Access, 1001)));
    }
}
