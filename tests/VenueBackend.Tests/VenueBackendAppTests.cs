using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Mocks.VenueBackend.Tests;

public class VenueBackendAppTests
{
    [Fact]
    public async Task Build_DefaultSeed_HasTheFourPerformancesOfTheBrief()
    {
        await using var host = await MockBackendHost.StartAsync(new FakeTimeProvider(TestInventory.Start));
        var inventory = host.Services.GetRequiredService<VenueInventoryAccessor>().Current;

        var performances = inventory.GetPerformances();

        Assert.Equal(
            [(1001, "Hamlet", "Royal Hall"), (1002, "The Nutcracker", "Royal Hall"), (1003, "Jazz at Midnight", "Blue Room"), (2001, "Stadium Tour 2027", "City Arena")],
            performances.Select(p => (p.Id, p.Title, p.Venue)));
        Assert.Equal(
            [new ZoneInfo(1, "Stalls", 8500, 400, 400), new ZoneInfo(2, "Balcony", 4500, 200, 200)],
            inventory.GetAvailability(1001));
        Assert.Equal(
            [new ZoneInfo(1, "Stalls", 9500, 400, 400), new ZoneInfo(2, "Dress Circle", 7500, 150, 150), new ZoneInfo(3, "Upper Circle", 3500, 250, 250)],
            inventory.GetAvailability(1002));
        Assert.Equal([new ZoneInfo(1, "General Admission", 2500, 120, 120)], inventory.GetAvailability(1003));
        Assert.All(performances.Take(3), p => Assert.True(p.OnSaleAt <= TestInventory.Start.AddDays(-1)));
    }

    [Fact]
    public async Task Build_DefaultSeed_StadiumHas50000SeatsAndOpensTwoMinutesAfterStartUp()
    {
        await using var host = await MockBackendHost.StartAsync(new FakeTimeProvider(TestInventory.Start));
        var inventory = host.Services.GetRequiredService<VenueInventoryAccessor>().Current;

        var zones = inventory.GetAvailability(2001);

        Assert.Equal(
            [new ZoneInfo(1, "Floor", 12000, 10000, 10000), new ZoneInfo(2, "Lower Tier", 8900, 20000, 20000), new ZoneInfo(3, "Upper Tier", 5900, 20000, 20000)],
            zones);
        Assert.Equal(50_000, zones.Sum(z => z.Capacity));
        Assert.Equal(TestInventory.Start.AddMinutes(2), inventory.GetPerformances().Single(p => p.Id == 2001).OnSaleAt);
    }

    [Fact]
    public async Task Build_StadiumFloor_SellsOutInTenSeatHoldsDownToTheLastLabel()
    {
        await using var host = await MockBackendHost.StartAsync(new FakeTimeProvider(TestInventory.Start));
        var inventory = host.Services.GetRequiredService<VenueInventoryAccessor>().Current;
        var key = inventory.GetNewSessionKey();

        HoldInfo last = null!;
        for (var i = 0; i < 1000; i++)
        {
            last = inventory.ReserveTickets(key, 2001, 1, 10);
        }

        // 10,000 seats at 50 per row: 200 rows, the last being row index 199 = "GR".
        Assert.Equal("GR-50", last.Seats[^1]);
        Assert.Equal(0, inventory.Available(2001, 1));
        FaultAssert.Throws(VenueFaultCodes.NotEnoughSeats, () => inventory.ReserveTickets(key, 2001, 1, 1));
    }

    [Fact]
    public async Task Build_OnSaleAtFromSettings_OverridesTheSeed()
    {
        var settings = new Dictionary<string, string?>
        {
            ["VenueBackend:Performances:3:OnSaleAt"] = "2026-12-01T09:00:00Z",
            ["VenueBackend:Performances:0:OnSaleIn"] = "00:30:00",
        };

        await using var host = await MockBackendHost.StartAsync(new FakeTimeProvider(TestInventory.Start), settings);
        var performances = host.Services.GetRequiredService<VenueInventoryAccessor>().Current.GetPerformances();

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), performances.Single(p => p.Id == 2001).OnSaleAt);
        Assert.Equal(TestInventory.Start.AddMinutes(30), performances.Single(p => p.Id == 1001).OnSaleAt);
    }

    [Fact]
    public async Task Build_InvalidSeed_FailsAtStartUpNamingTheEntry()
    {
        var settings = new Dictionary<string, string?> { ["VenueBackend:Performances:1:Zones:0:Capacity"] = "0" };

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => MockBackendHost.StartAsync(settings: settings));

        Assert.Contains("VenueBackend:Performances:1:Zones:0 (performance 1002, zone 1)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_TwoHosts_ListenOnDifferentFreePorts()
    {
        await using var first = await MockBackendHost.StartAsync();
        await using var second = await MockBackendHost.StartAsync();

        Assert.Equal("127.0.0.1", first.BaseAddress.Host);
        Assert.NotEqual(first.BaseAddress.Port, second.BaseAddress.Port);
        Assert.EndsWith("/VenueService.svc", first.SoapUrl.AbsolutePath, StringComparison.Ordinal);
        Assert.EndsWith("/RPC2", first.XmlRpcUrl.AbsolutePath, StringComparison.Ordinal);
    }
}
