using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.WaitingRoom;

/// <summary>Identities signed by a venue's site: <c>{venue}.{performance}.{account}.{expires}.{signature}</c>.</summary>
public sealed class VenueIdentitiesTests
{
    private const string Secret = "royal-hall-identity-secret-0123456789";
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly VenueIdentities _identities;

    public VenueIdentitiesTests()
    {
        _identities = Create(("local", Encoding.UTF8.GetBytes(new string('k', 32))));
    }

    [Fact]
    public void Verify_SignedByTheVenue_GivesTheAccountAndOnePlaceForIt()
    {
        var (identity, failure) = _identities.Verify(Sign("royal-hall", 2001, "acct-42"), 2001);
        var again = _identities.Verify(Sign("royal-hall", 2001, "acct-42", TimeSpan.FromHours(2)), 2001).Identity;
        var other = _identities.Verify(Sign("royal-hall", 2001, "acct-43"), 2001).Identity;

        Assert.Equal(IdentityFailure.None, failure);
        Assert.Equal(("royal-hall", "acct-42"), (identity!.Value.Venue, identity.Value.Account));
        Assert.Equal(identity.Value.EntryId, again!.Value.EntryId); // a fresh signature, the same place
        Assert.NotEqual(identity.Value.EntryId, other!.Value.EntryId);
    }

    [Fact]
    public void Verify_SameAccountInAnotherPerformance_IsAnotherPlace()
    {
        var here = _identities.Verify(Sign("royal-hall", 2001, "acct-42"), 2001).Identity!.Value;
        var there = _identities.Verify(Sign("royal-hall", 2002, "acct-42"), 2002).Identity!.Value;

        Assert.NotEqual(here.EntryId, there.EntryId);
    }

    [Fact]
    public void Verify_PlaceIds_DependOnTheWaitingRoomsKey()
    {
        var mine = _identities.Verify(Sign("royal-hall", 2001, "acct-42"), 2001).Identity!.Value;
        var otherKey = Create(("local", Encoding.UTF8.GetBytes(new string('z', 32)))).Verify(Sign("royal-hall", 2001, "acct-42"), 2001).Identity!.Value;

        Assert.NotEqual(mine.EntryId, otherKey.EntryId);
    }

    [Fact]
    public void Verify_VenueKeyWithDotsAndAnotherCase_IsFound()
    {
        var identities = Create(("local", Encoding.UTF8.GetBytes(new string('k', 32))), venue: "hall.north");

        var (identity, failure) = identities.Verify(Sign("Hall.North", 2001, "a_b-c"), 2001);

        Assert.Equal(IdentityFailure.None, failure);
        Assert.Equal("a_b-c", identity!.Value.Account);
    }

    [Fact]
    public void Verify_Expired_IsRefused()
    {
        var token = Sign("royal-hall", 2001, "acct-42", TimeSpan.FromMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(IdentityFailure.Expired, _identities.Verify(token, 2001).Failure);
    }

    [Fact]
    public void Verify_ForAnotherPerformance_IsRefused()
    {
        Assert.Equal(IdentityFailure.WrongPerformance, _identities.Verify(Sign("royal-hall", 2002, "acct-42"), 2001).Failure);
    }

    [Fact]
    public void Verify_SignedWithAnotherSecret_IsForged()
    {
        var token = VenueIdentities.Sign("royal-hall", 2001, "acct-42", _time.GetUtcNow().AddHours(1), Encoding.UTF8.GetBytes("not-the-venues-secret-0123456789abc"));

        Assert.Equal(IdentityFailure.Forged, _identities.Verify(token, 2001).Failure);
    }

    [Fact]
    public void Verify_AccountChangedAfterSigning_IsForged()
    {
        var token = Sign("royal-hall", 2001, "acct-42").Replace("acct-42", "acct-43", StringComparison.Ordinal);

        Assert.Equal(IdentityFailure.Forged, _identities.Verify(token, 2001).Failure);
    }

    [Fact]
    public void Verify_VenueWithoutASecret_IsUnknownVenue()
    {
        Assert.Equal(IdentityFailure.UnknownVenue, _identities.Verify(Sign("blue-room", 2001, "acct-42"), 2001).Failure);
    }

    [Fact]
    public void Verify_ByTheVenuesOwnHmac_MatchesTheDocumentedFormat()
    {
        // What a venue's site computes, from the README alone.
        var expires = _time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        var message = $"royal-hall.2001.acct-42.{expires}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(message)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(IdentityFailure.None, _identities.Verify($"{message}.{signature}", 2001).Failure);
    }

    [Theory]
    [InlineData(null, "Missing")]
    [InlineData("", "Missing")]
    [InlineData("garbage", "Malformed")]
    [InlineData("royal-hall.2001.acct.1.sig.extra", "Malformed")]
    [InlineData("royal-hall.x.acct.1.sig", "Malformed")]
    [InlineData("royal-hall.2001..1.sig", "Malformed")]
    [InlineData("royal-hall.2001.acct.soon.sig", "Malformed")]
    [InlineData("royal-hall.2001.acc t.1.sig", "Malformed")]
    [InlineData(".2001.acct.1.sig", "Malformed")]
    public void Verify_NotAnIdentity_IsRefused(string? token, string expected)
    {
        Assert.Equal(Enum.Parse<IdentityFailure>(expected), _identities.Verify(token, 2001).Failure);
    }

    [Fact]
    public void Verify_AccountLongerThan128_IsMalformed()
    {
        Assert.Equal(IdentityFailure.Malformed, _identities.Verify(Sign("royal-hall", 2001, new string('a', 129)), 2001).Failure);
    }

    private string Sign(string venue, int performanceId, string account, TimeSpan? lifetime = null) =>
        VenueIdentities.Sign(venue, performanceId, account, _time.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)), Encoding.UTF8.GetBytes(Secret));

    private VenueIdentities Create((string Id, byte[] Secret) waitingRoomKey, string venue = "royal-hall")
    {
        var options = new VenueIdentityOptions();
        options.Venues[venue] = new VenueIdentitySecret { IdentitySecret = Secret };
        options.Venues["blue-room"] = new VenueIdentitySecret();
        IReadOnlyList<(string Id, byte[] Secret)> keys = [waitingRoomKey];
        return new VenueIdentities(Options.Create(options), () => keys, _time);
    }
}
