using Microsoft.Data.Sqlite;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>Waiting-room places in SQLite, written with group commit.</summary>
internal sealed class SqliteWaitingRoomStore(SqliteDatabase database, SqliteBatchWriter writer) : IWaitingRoomStore
{
    public Task<(IReadOnlyList<StoredRoom> Rooms, IReadOnlyList<StoredEntry> Entries)> LoadAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        var rooms = new List<StoredRoom>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT performance_id, opens_at, opened FROM rooms;";
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                rooms.Add(new StoredRoom(r.GetInt32(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt32(2) != 0));
            }
        }

        var entries = new List<StoredEntry>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT performance_id, entry_id, arrival, order_key, state, access_expires_at, seats_spent FROM queue_entries;";
            using var r = command.ExecuteReader();
            var id = new byte[16];
            while (r.Read())
            {
                r.GetBytes(1, 0, id, 0, 16);
                entries.Add(new StoredEntry(
                    r.GetInt32(0),
                    new UInt128(BitConverter.ToUInt64(id, 8), BitConverter.ToUInt64(id, 0)),
                    r.GetInt64(2),
                    r.IsDBNull(3) ? null : r.GetInt32(3),
                    (EntryState)r.GetInt32(4),
                    r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                    r.GetInt32(6)));
            }
        }

        return Task.FromResult<(IReadOnlyList<StoredRoom>, IReadOnlyList<StoredEntry>)>((rooms, entries));
    }

    public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            INSERT INTO rooms (performance_id, opens_at, opened) VALUES ($p, $opens, $opened)
            ON CONFLICT (performance_id) DO UPDATE SET opens_at = excluded.opens_at, opened = excluded.opened;
            """,
            p =>
            {
                p.AddWithValue("$p", room.PerformanceId);
                p.AddWithValue("$opens", room.OpensAt.ToUnixTimeMilliseconds());
                p.AddWithValue("$opened", room.Opened ? 1 : 0);
            },
            cancellationToken);

    public Task SaveEntriesAsync(IReadOnlyList<StoredEntry> entries, CancellationToken cancellationToken) =>
        writer.WriteAsync(
            batch =>
            {
                var command = batch.Command(UpsertEntry, DeclareEntry);
                var p = command.Parameters;
                var id = new byte[16]; // Bound at each execution: one buffer serves every entry.
                foreach (var entry in entries)
                {
                    BitConverter.TryWriteBytes(id.AsSpan(0, 8), (ulong)entry.EntryId);
                    BitConverter.TryWriteBytes(id.AsSpan(8, 8), (ulong)(entry.EntryId >> 64));
                    p[0].Value = entry.PerformanceId;
                    p[1].Value = id;
                    p[2].Value = entry.Arrival;
                    p[3].Value = (object?)entry.OrderKey ?? DBNull.Value;
                    p[4].Value = (int)entry.State;
                    p[5].Value = (object?)entry.AccessExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value;
                    p[6].Value = entry.SeatsSpent;
                    command.ExecuteNonQuery();
                }
            },
            cancellationToken);

    private const string UpsertEntry = """
        INSERT INTO queue_entries (performance_id, entry_id, arrival, order_key, state, access_expires_at, seats_spent)
        VALUES ($p, $id, $arrival, $order, $state, $expires, $spent)
        ON CONFLICT (performance_id, entry_id) DO UPDATE SET
            order_key = excluded.order_key, state = excluded.state, access_expires_at = excluded.access_expires_at,
            seats_spent = excluded.seats_spent;
        """;

    /// <summary>The parameters of <see cref="UpsertEntry"/>, in the order <see cref="SaveEntriesAsync"/> sets them.</summary>
    private static void DeclareEntry(SqliteParameterCollection p)
    {
        p.Add("$p", SqliteType.Integer);
        p.Add("$id", SqliteType.Blob);
        p.Add("$arrival", SqliteType.Integer);
        p.Add("$order", SqliteType.Integer);
        p.Add("$state", SqliteType.Integer);
        p.Add("$expires", SqliteType.Integer);
        p.Add("$spent", SqliteType.Integer);
    }
}
