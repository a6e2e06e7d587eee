using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Storage.Embedded;

namespace OnSale.Gateway.Tests.Storage;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "onsale-database-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Open_AVersion5File_ErasesWhatSettledRowsKeptAndKeepsWhatPendingOnesNeed()
    {
        WriteVersion5File();

        using (var database = new SqliteDatabase(_folder, NullLogger<SqliteDatabase>.Instance))
        {
            var journal = new SqlitePurchaseJournal(database);
            var holds = new SqliteHoldStore(database);
            var confirmed = (await journal.GetAsync("pur_confirmed", default))!;
            var pending = (await journal.GetAsync("pur_pending", default))!;
            var failed = (await journal.GetAsync("pur_failed", default))!;

            Assert.Null(confirmed.SessionKey);
            Assert.Equal("old@example.com", confirmed.Email);
            Assert.Equal(("tok_pending", "sess-pending"), (pending.PaymentToken, pending.SessionKey));
            Assert.Null(failed.PaymentToken);
            Assert.Null((await holds.GetAsync("hld_closed", default))!.SessionKey);
            Assert.Equal("sess-open-hold", (await holds.GetAsync("hld_open", default))!.SessionKey);

            // Settled when they were last written: their retention runs from then, the pending one's not at all.
            Assert.Equal(1, await journal.EraseEmailsAsync(DateTimeOffset.FromUnixTimeMilliseconds(1_500), 10, default));
            Assert.Null((await journal.GetAsync("pur_confirmed", default))!.Email);
            Assert.Equal(1, await journal.EraseEmailsAsync(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000), 10, default));
            Assert.Equal("old@example.com", (await journal.GetAsync("pur_pending", default))!.Email);

            // Arrival order goes on after the highest number ever given, even one whose purchase was deleted.
            var next = await journal.InsertAsync((pending with { PurchaseId = "pur_next", IdempotencyKey = "k-next" }), default);
            Assert.Equal(10_000, next.Sequence);
        }

        SqliteConnection.ClearAllPools();
        var bytes = File.ReadAllBytes(Path.Combine(_folder, "gateway.db"));
        foreach (var erased in new[] { "sess-confirmed", "tok_failed", "sess-closed-hold" })
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(erased)) < 0, $"{erased} is not left in the file's free pages");
        }
    }

    [Fact]
    public async Task Open_AVersion6File_KeepsEveryPlaceUnderItsOwnId()
    {
        var ids = new[] { new UInt128(0x0102030405060708, 0x1112131415161718), new UInt128(ulong.MaxValue, 7), new UInt128(0, 0x00000000FF000001) };
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "gateway.db")};Pooling=False"))
        {
            Directory.CreateDirectory(_folder);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Concat(SqliteDatabase.Migrations.Where(m => m.Version <= 6).Select(m => m.Script)) + "PRAGMA user_version = 6;";
            command.ExecuteNonQuery();
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            {
                // Version 6's key: the id's low 64 bits little-endian, then its high 64 bits.
                var key = new byte[16];
                BitConverter.TryWriteBytes(key.AsSpan(0, 8), (ulong)id);
                BitConverter.TryWriteBytes(key.AsSpan(8, 8), (ulong)(id >> 64));
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO queue_entries (performance_id, entry_id, arrival, state, seats_spent) VALUES (2001, $id, $arrival, 0, $i);";
                insert.Parameters.AddWithValue("$id", key);
                insert.Parameters.AddWithValue("$arrival", 100 + i);
                insert.Parameters.AddWithValue("$i", i);
                insert.ExecuteNonQuery();
            }
        }

        using var database = new SqliteDatabase(_folder, NullLogger<SqliteDatabase>.Instance);
        await using var writer = new SqliteBatchWriter(database);
        var (_, entries) = await new SqliteWaitingRoomStore(database, writer).LoadAsync(default);

        Assert.Equal(ids.Select((id, i) => (id, 100L + i, i)), entries.OrderBy(e => e.Arrival).Select(e => (e.EntryId, e.Arrival, e.SeatsSpent)));
    }

    /// <summary>A file as version 5 of the schema left it, with what that version kept.</summary>
    private void WriteVersion5File()
    {
        Directory.CreateDirectory(_folder);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "gateway.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = string.Concat(SqliteDatabase.Migrations.Where(m => m.Version <= 5).Select(m => m.Script)) + """
            PRAGMA user_version = 5;
            INSERT INTO purchases (seq, purchase_id, idempotency_key, request_hash, status, performance_id, zone_id, quantity, payment_token,
                email, created_at, updated_at, session_key, reserved, order_id)
            VALUES
                (7, 'pur_confirmed', 'k1', 'h', 'confirmed', 1001, 1, 1, NULL, 'old@example.com', 500, 1000, 'sess-confirmed', 1, 50001),
                (8, 'pur_pending', 'k2', 'h', 'processing', 1001, 1, 1, 'tok_pending', 'old@example.com', 500, 2000, 'sess-pending', 1, NULL),
                (9, 'pur_failed', 'k3', 'h', 'failed', 1001, 1, 1, 'tok_failed', 'old@example.com', 500, 3000, 'sess-failed', 0, NULL),
                (9999, 'pur_deleted', 'k4', 'h', 'live', 1001, 1, 1, 'tok_x', 'old@example.com', 500, 3000, NULL, 0, NULL);
            DELETE FROM purchases WHERE purchase_id = 'pur_deleted';
            INSERT INTO holds (hold_id, session_key, line_item_id, performance_id, zone_id, quantity, seats, total_cents, expires_at, closed)
            VALUES
                ('hld_closed', 'sess-closed-hold', 1, 1001, 1, 1, '["A-1"]', 100, 5000, 1),
                ('hld_open', 'sess-open-hold', 2, 1001, 1, 1, '["A-2"]', 100, 5000, 0);
            """;
        command.ExecuteNonQuery();
    }
}
