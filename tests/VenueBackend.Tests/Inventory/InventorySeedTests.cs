using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Tests.Support;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class InventorySeedTests
{
    private static readonly DateTimeOffset Now = TestInventory.Start;

    private static PerformanceSeedOptions Performance(Action<PerformanceSeedOptions> configure)
    {
        var performance = new PerformanceSeedOptions { Id = 1, Title = "T", Venue = "V" };
        performance.Zones.Add(new ZoneSeedOptions { ZoneId = 1, Name = "Z", PriceCents = 100, Capacity = 10, SeatsPerRow = 5 });
        configure(performance);
        return performance;
    }

    private static PerformanceSeed Resolve(PerformanceSeedOptions performance)
    {
        var options = new VenueBackendOptions();
        options.Performances.Add(performance);
        return InventorySeed.Resolve(options, Now).Performances.Single();
    }

    [Fact]
    public void Resolve_RelativeTimes_CountFromNow()
    {
        var seed = Resolve(Performance(p =>
        {
            p.StartsIn = TimeSpan.FromDays(2);
            p.OnSaleIn = TimeSpan.FromMinutes(-30);
        }));

        Assert.Equal(Now.AddDays(2), seed.StartsAt);
        Assert.Equal(Now.AddMinutes(-30), seed.OnSaleAt);
    }

    [Fact]
    public void Resolve_AbsoluteAndRelativeTimes_AbsoluteWins()
    {
        var at = new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.FromHours(2));

        var seed = Resolve(Performance(p =>
        {
            p.OnSaleIn = TimeSpan.FromMinutes(2);
            p.OnSaleAt = at;
            p.StartsIn = TimeSpan.FromDays(1);
            p.StartsAt = at.AddDays(30);
        }));

        Assert.Equal(at, seed.OnSaleAt);
        Assert.Equal(TimeSpan.Zero, seed.OnSaleAt.Offset);
        Assert.Equal(at.AddDays(30), seed.StartsAt);
    }

    [Fact]
    public void Resolve_NoTimes_OnSaleNowAndStartsInAWeek()
    {
        var seed = Resolve(Performance(_ => { }));

        Assert.Equal(Now, seed.OnSaleAt);
        Assert.Equal(Now + InventorySeed.DefaultStartsIn, seed.StartsAt);
    }

    [Fact]
    public void Resolve_Zones_KeepTheirValues()
    {
        var seed = Resolve(Performance(_ => { }));

        Assert.Equal([new ZoneSeed(1, "Z", 100, 10, 5)], seed.Zones);
    }
}
