using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class ZoneInventoryTests
{
    private static ZoneInventory Zone(int capacity = 10, int seatsPerRow = 5) => new(new ZoneSeed(1, "Stalls", 1000, capacity, seatsPerRow));

    [Fact]
    public void TryTake_FreshZone_TakesLowestIndexesFirst()
    {
        var zone = Zone();

        Assert.Equal([0, 1, 2], zone.TryTake(3)!);
        Assert.Equal([3, 4], zone.TryTake(2)!);
        Assert.Equal(5, zone.Available);
        Assert.Equal(5, zone.HeldCount);
    }

    [Fact]
    public void TryTake_MoreThanFree_TakesNothing()
    {
        var zone = Zone(capacity: 4);
        zone.TryTake(2);

        Assert.Null(zone.TryTake(3));
        Assert.Equal(2, zone.Available);
        Assert.Equal(2, zone.HeldCount);
    }

    [Fact]
    public void ReturnToPool_GapInTheMiddle_IsFilledFirst()
    {
        var zone = Zone();
        zone.TryTake(2);
        var middle = zone.TryTake(2)!;
        zone.TryTake(2);

        zone.ReturnToPool(middle);

        Assert.Equal([2, 3, 6], zone.TryTake(3)!);
    }

    [Fact]
    public void ReturnToPool_SeatNotHeld_Throws()
    {
        var zone = Zone();

        Assert.Throws<InvalidOperationException>(() => zone.ReturnToPool([0]));
        Assert.Equal(10, zone.Available);
    }

    [Fact]
    public void Sell_HeldSeats_MovesThemToSoldWithoutAnomaly()
    {
        var zone = Zone();
        var seats = zone.TryTake(3)!;

        Assert.Equal(0, zone.Sell(seats));
        Assert.Equal(3, zone.SoldCount);
        Assert.Equal(0, zone.HeldCount);
        Assert.Equal(7, zone.Available);
    }

    [Fact]
    public void Sell_SeatAlreadySold_CountsAnAnomaly()
    {
        var zone = Zone();
        var seats = zone.TryTake(2)!;
        zone.Sell(seats);

        var anomalies = zone.Sell(seats);

        Assert.Equal(2, anomalies);
        Assert.Equal(2, zone.SoldCount);
    }

    [Fact]
    public void TrySetAvailable_Lower_WithdrawsHighestFreeSeats()
    {
        var zone = Zone();

        Assert.True(zone.TrySetAvailable(3));

        Assert.Equal(3, zone.Available);
        Assert.Equal(7, zone.WithdrawnCount);
        Assert.Equal([0, 1, 2], zone.TryTake(3)!);
        Assert.Null(zone.TryTake(1));
    }

    [Fact]
    public void TrySetAvailable_HigherAfterWithdrawal_RestoresWithdrawnSeats()
    {
        var zone = Zone();
        zone.TrySetAvailable(0);

        Assert.True(zone.TrySetAvailable(4));

        Assert.Equal(4, zone.Available);
        Assert.Equal([0, 1, 2, 3], zone.TryTake(4)!);
    }

    [Fact]
    public void TrySetAvailable_MoreThanFreePlusWithdrawn_RefusesAndChangesNothing()
    {
        var zone = Zone();
        zone.Sell(zone.TryTake(3)!);
        zone.TryTake(2);

        Assert.False(zone.TrySetAvailable(6));
        Assert.Equal(5, zone.Available);
        Assert.True(zone.TrySetAvailable(5));
    }

    [Fact]
    public void Label_SeatIndex_UsesSeatsPerRow()
    {
        Assert.Equal("C-2", Zone(capacity: 20, seatsPerRow: 5).Label(11));
    }
}
