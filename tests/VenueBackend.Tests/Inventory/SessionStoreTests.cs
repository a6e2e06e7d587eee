using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class SessionStoreTests
{
    private readonly FakeTimeProvider _time = new(TestInventory.Start);

    [Fact]
    public void Create_Always_Returns32LowercaseHexCharacters()
    {
        var store = new SessionStore(_time);

        var keys = Enumerable.Range(0, 100).Select(_ => store.Create().Key).ToList();

        Assert.All(keys, key => Assert.Matches("^[0-9a-f]{32}$", key));
        Assert.Equal(100, keys.Distinct().Count());
    }

    [Fact]
    public void Use_UnknownKey_Faults101()
    {
        var store = new SessionStore(_time);

        var fault = FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => store.Use("0123456789abcdef0123456789abcdef"));
        Assert.Equal("Session key is unknown or has expired", fault.Message);
    }

    [Fact]
    public void Use_After20MinutesIdle_Faults101()
    {
        var store = new SessionStore(_time);
        var key = store.Create().Key;

        _time.Advance(TimeSpan.FromMinutes(20));

        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => store.Use(key));
    }

    [Fact]
    public void Use_JustBefore20MinutesIdle_Succeeds()
    {
        var store = new SessionStore(_time);
        var key = store.Create().Key;

        _time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromSeconds(1));

        Assert.Equal(key, store.Use(key).Key);
    }

    [Fact]
    public void Use_EveryFifteenMinutes_KeepsTheSessionAlive()
    {
        var store = new SessionStore(_time);
        var key = store.Create().Key;

        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(15));
            store.Use(key);
        }

        _time.Advance(TimeSpan.FromMinutes(20));
        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => store.Use(key));
    }

    [Fact]
    public void Create_ManyAfterOthersExpired_SweepsExpiredSessions()
    {
        var store = new SessionStore(_time);
        for (var i = 0; i < 1000; i++)
        {
            store.Create();
        }

        _time.Advance(TimeSpan.FromMinutes(21));
        for (var i = 0; i < 100; i++)
        {
            store.Create();
        }

        Assert.True(store.Count <= 100, $"expected the expired sessions to be swept, {store.Count} left");
    }
}
