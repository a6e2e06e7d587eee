using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Tests.Common.Time;

namespace OnSale.Mocks.VenueBackend.Tests.Support;

/// <summary>A small inventory on a manual clock for the domain tests.</summary>
internal static class TestInventory
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    /// <summary>1001 (zone 1: 40 seats @ 8500, 20 per row; zone 2: 20 seats @ 4500, 10 per row) and 1002 (zone 1: 30 @ 2500).</summary>
    public static InventorySeed Seed() => new(
    [
        new PerformanceSeed(1001, "Hamlet", "Royal Hall", Start.AddDays(14), Start.AddDays(-1),
        [
            new ZoneSeed(1, "Stalls", 8500, 40, 20),
            new ZoneSeed(2, "Balcony", 4500, 20, 10),
        ]),
        new PerformanceSeed(1002, "Jazz", "Blue Room", Start.AddDays(3), Start.AddMinutes(2),
        [
            new ZoneSeed(1, "General Admission", 2500, 30, 10),
        ]),
    ]);

    public static VenueInventory Create(FakeTimeProvider time, InventorySeed? seed = null) =>
        new(seed ?? Seed(), time, NullLogger.Instance);

    public static int Available(this VenueInventory inventory, int performanceId, int zoneId) =>
        inventory.GetAvailability(performanceId).Single(z => z.ZoneId == zoneId).Available;
}
