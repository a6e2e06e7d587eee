using Microsoft.Extensions.Logging.Abstractions;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.Storage.Embedded;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Tests.Storage;

public sealed class SqliteWaitingRoomStoreTests : IAsyncDisposable
{
    private static readonly DateTimeOffset OpensAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "onsale-room-tests", Guid.NewGuid().ToString("N"));
    private readonly WaitingRoomOptions _options = new() { ActivationThreshold = 10, MaxActiveBuyers = 50 };

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Restart_TenThousandQueued_SameOrderAfterwards()
    {
        var before = new Dictionary<UInt128, string>();
        await using (var store = Open())
        {
            var room = new Room(2001, OpensAt, _options);
            await store.Store.SaveRoomAsync(new StoredRoom(2001, OpensAt, false), default);
            var joins = Enumerable.Range(0, 10_000).Select(i => room.Join(null, new UInt128(7, (ulong)i), OpensAt.AddSeconds(-30)).Created!).ToList();
            await Task.WhenAll(joins.Chunk(100).Select(chunk => store.Store.SaveEntriesAsync(chunk, default)));

            var opened = room.Tick(OpensAt, soldOut: false, new AdmissionPace(PurchasesPerSecond: 10)); // a reserve of 10 let in
            await store.Store.SaveRoomAsync(new StoredRoom(2001, OpensAt, true), default);
            await store.Store.SaveEntriesAsync(opened.Changed, default);
            foreach (var join in joins)
            {
                before[join.EntryId] = Describe(room.Find(join.EntryId, OpensAt)!.Value);
            }
        }

        await using var reopened = Open();
        var (rooms, entries) = await reopened.Store.LoadAsync(default);
        var restored = new Room(2001, OpensAt, _options);
        restored.Restore(Assert.Single(rooms), entries, OpensAt);

        Assert.Equal(10_000, entries.Count);
        Assert.All(before, pair => Assert.Equal(pair.Value, Describe(restored.Find(pair.Key, OpensAt)!.Value)));
        Assert.Equal(10, before.Values.Count(v => v == "Admitted"));
    }

    [Fact]
    public async Task Restart_AnOlderDatabasesRandomIdsBesideMintedOnes_AllFoundInTheirPlaces()
    {
        var random = new Random(11);
        UInt128 RandomId() => new((ulong)random.NextInt64(), (ulong)random.NextInt64());
        var ids = new List<UInt128>();
        await using (var store = Open())
        {
            var room = new Room(2001, OpensAt, _options);
            await store.Store.SaveRoomAsync(new StoredRoom(2001, OpensAt, false), default);
            var joins = Enumerable.Range(0, 200).Select(i => room.Join(null, i < 100 ? RandomId() : null, OpensAt.AddMinutes(-5)).Created!).ToList();
            await store.Store.SaveEntriesAsync(joins, default);
            ids.AddRange(joins.Select(j => j.EntryId));
        }

        await using var reopened = Open();
        var (rooms, entries) = await reopened.Store.LoadAsync(default);
        var restored = new Room(2001, OpensAt, _options);
        restored.Restore(Assert.Single(rooms), entries, OpensAt.AddMinutes(-4));
        var opened = restored.Tick(OpensAt, soldOut: true, new AdmissionPace(PurchasesPerSecond: 10));

        Assert.Equal(200, opened.Placed);
        Assert.Equal(Enumerable.Range(1, 200), ids.Select(id => restored.Find(id, OpensAt)!.Value.Position!.Value).Order());
    }

    [Fact]
    public async Task SaveEntries_MintedPlaces_KeyedInTheOrderTheyWereMade()
    {
        var made = new List<UInt128>();
        await using (var store = Open())
        {
            var room = new Room(2001, OpensAt, _options);
            var joins = Enumerable.Range(0, 1_000).Select(_ => room.Join(null, null, OpensAt.AddMinutes(-5)).Created!).ToList();
            await store.Store.SaveEntriesAsync(joins, default);
            made.AddRange(joins.Select(j => j.EntryId));
        }

        // The table's own order is its B-tree's: each new place goes at its end, not on a random page.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "gateway.db")};Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT entry_id FROM queue_entries ORDER BY performance_id, entry_id;";
        using var reader = query.ExecuteReader();
        var keyed = new List<UInt128>();
        while (reader.Read())
        {
            keyed.Add(SqliteWaitingRoomStore.ReadId((byte[])reader[0]));
        }

        Assert.Equal(made, keyed);
    }

    private static string Describe(EntryView view) => view.Position is { } p ? $"{view.State}@{p}" : view.State.ToString();

    private Opened Open() => new(new SqliteDatabase(_folder, NullLogger<SqliteDatabase>.Instance));

    private sealed class Opened : IAsyncDisposable
    {
        private readonly SqliteDatabase _database;
        private readonly SqliteBatchWriter _writer;

        public Opened(SqliteDatabase database)
        {
            _database = database;
            _writer = new SqliteBatchWriter(database);
            Store = new SqliteWaitingRoomStore(database, _writer);
        }

        public SqliteWaitingRoomStore Store { get; }

        public async ValueTask DisposeAsync()
        {
            await _writer.DisposeAsync();
            _database.Dispose();
        }
    }
}
