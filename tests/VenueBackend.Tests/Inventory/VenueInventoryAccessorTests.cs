using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class VenueInventoryAccessorTests
{
    private readonly FakeTimeProvider _time = new(TestInventory.Start);

    private VenueInventoryAccessor Create()
    {
        var options = new VenueBackendOptions();
        var performance = new PerformanceSeedOptions { Id = 2001, Title = "Stadium", Venue = "Arena", OnSaleIn = TimeSpan.FromMinutes(2) };
        performance.Zones.Add(new ZoneSeedOptions { ZoneId = 1, Name = "Floor", PriceCents = 100, Capacity = 10 });
        options.Performances.Add(performance);
        return new VenueInventoryAccessor(Options.Create(options), _time, NullLogger<VenueInventory>.Instance);
    }

    [Fact]
    public void Constructor_RelativeSeedTimes_ResolveAgainstTheClockAtStartUp()
    {
        var accessor = Create();

        Assert.Equal(TestInventory.Start.AddMinutes(2), accessor.Current.GetPerformances()[0].OnSaleAt);
    }

    [Fact]
    public void Reset_AfterSalesAndChanges_RestoresTheSeed()
    {
        var accessor = Create();
        var before = accessor.Current;
        var key = before.GetNewSessionKey();
        before.ReserveTickets(key, 2001, 1, 3);
        before.Checkout(key, "tok_visa", "ref-1");
        before.SetOnSaleAt(2001, TestInventory.Start.AddDays(1));
        _time.Advance(TimeSpan.FromMinutes(5));

        accessor.Reset();

        var after = accessor.Current;
        Assert.Equal(10, after.Available(2001, 1));
        Assert.Equal(0, after.OrderCount);
        Assert.Equal(TestInventory.Start.AddMinutes(2), after.GetPerformances()[0].OnSaleAt);
        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => after.ReserveTickets(key, 2001, 1, 1));
        FaultAssert.Throws(VenueFaultCodes.NotFound, () => after.FindOrder("ref-1"));
    }
}
