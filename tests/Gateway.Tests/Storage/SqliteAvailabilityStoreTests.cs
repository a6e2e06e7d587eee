using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Storage.Embedded;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Tests.Storage;

public sealed class SqliteAvailabilityStoreTests : IDisposable
{
    // Sub-millisecond on purpose: a restored answer says exactly the asOf it said.
    private static readonly DateTimeOffset AsOf = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "onsale-availability-store-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task LoadAsync_AfterReopening_ReturnsWhatWasSavedExactly()
    {
        var performances = new PerformanceList([new Performance(1001, "Hamlet", "Royal Hall", AsOf.AddDays(10), AsOf.AddDays(-1))], AsOf);
        using (var database = Open())
        {
            await new SqliteAvailabilityStore(database).SaveAsync(
                performances,
                [Snapshot(1001, 17, AsOf), Snapshot(1002, 0, AsOf.AddSeconds(1))],
                default);
        }

        using var reopened = Open();
        var kept = await new SqliteAvailabilityStore(reopened).LoadAsync(default);

        Assert.Equal(AsOf, kept.Performances!.AsOf);
        Assert.Equal(performances.Performances, kept.Performances.Performances);
        Assert.Equal([1001, 1002], kept.Availability.Select(s => s.PerformanceId));
        Assert.Equal((AsOf, 17), (kept.Availability[0].AsOf, kept.Availability[0].Zones[0].Available));
        Assert.Equal(Snapshot(1002, 0, AsOf.AddSeconds(1)).Zones, kept.Availability[1].Zones);
    }

    [Fact]
    public async Task SaveAsync_OlderAnswerAfterANewerOne_KeepsTheNewer()
    {
        using var database = Open();
        var store = new SqliteAvailabilityStore(database);

        await store.SaveAsync(new PerformanceList([], AsOf.AddSeconds(5)), [Snapshot(1001, 5, AsOf.AddSeconds(5))], default);
        await store.SaveAsync(new PerformanceList([new Performance(1, "Old", "Hall", AsOf, AsOf)], AsOf), [Snapshot(1001, 9, AsOf)], default);
        await store.SaveAsync(null, [Snapshot(1001, 4, AsOf.AddSeconds(5))], default); // as new: our own sales since
        var kept = await store.LoadAsync(default);

        Assert.Empty(kept.Performances!.Performances);
        Assert.Equal(4, Assert.Single(kept.Availability).Zones[0].Available);
    }

    [Fact]
    public async Task Open_AFileOfTheSchemaBefore_AddsTheTablesAndKeepsItsData()
    {
        using (var database = Open())
        {
            using var connection = database.Open();
            using var downgrade = connection.CreateCommand();
            downgrade.CommandText = """
                INSERT INTO settings (key, value) VALUES ('mode', 'degraded');
                DROP TABLE last_known_availability;
                DROP TABLE last_known_performances;
                ALTER TABLE purchases DROP COLUMN client_key;
                ALTER TABLE queue_entries DROP COLUMN seats_spent;
                ALTER TABLE audit DROP COLUMN reason;
                DROP INDEX purchases_email;
                ALTER TABLE purchases DROP COLUMN trace_parent;
                PRAGMA user_version = 3;
                """;
            downgrade.ExecuteNonQuery();
        }

        using var upgraded = Open();
        await new SqliteAvailabilityStore(upgraded).SaveAsync(null, [Snapshot(1001, 3, AsOf)], default);
        var kept = await new SqliteAvailabilityStore(upgraded).LoadAsync(default);

        Assert.Equal(3, Assert.Single(kept.Availability).Zones[0].Available);
        Assert.Equal("degraded", await new SqliteSettingsStore(upgraded).GetAsync("mode", default));
    }

    private SqliteDatabase Open() => new(_folder, NullLogger<SqliteDatabase>.Instance);

    private static AvailabilitySnapshot Snapshot(int performanceId, int available, DateTimeOffset asOf) =>
        new(performanceId, [new Zone(1, "Stalls", 8500, 400, available), new Zone(2, "Circle", 5500, 200, 200)], asOf);
}
