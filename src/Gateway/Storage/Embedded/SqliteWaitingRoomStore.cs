using System.Buffers.Binary;
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
                    ReadId(id),
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
        writer.WriteAsync(batch => Upsert(batch, entries), cancellationToken);

    public Task SavePlaceAsync(StoredEntry place, CancellationToken cancellationToken) =>
        writer.WriteAsync(batch => Upsert(batch, [place]), cancellationToken, synchronous: false);

    private static void Upsert(SqliteBatch batch, IReadOnlyList<StoredEntry> entries)
    {
        var command = batch.Command(UpsertEntry, DeclareEntry);
        var p = command.Parameters;
        var id = new byte[16]; // Bound at each execution: one buffer serves every entry.
        foreach (var entry in entries)
        {
            WriteId(entry.EntryId, id);
            p[0].Value = entry.PerformanceId;
            p[1].Value = id;
            p[2].Value = entry.Arrival;
            p[3].Value = (object?)entry.OrderKey ?? DBNull.Value;
            p[4].Value = (int)entry.State;
            p[5].Value = (object?)entry.AccessExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value;
            p[6].Value = entry.SeatsSpent;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// An entry id as its key: the low 32 bits (a minted id's index in its room, counting up) first and big-endian,
    /// so that new places are appended at the end of the table's B-tree instead of landing on random pages (each one
    /// a page more in the log), then the other 96 bits.
    /// </summary>
    internal static void WriteId(UInt128 entryId, Span<byte> key)
    {
        var low = (ulong)entryId;
        BinaryPrimitives.WriteUInt32BigEndian(key, (uint)low);
        BinaryPrimitives.WriteUInt32LittleEndian(key[4..], (uint)(low >> 32));
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], (ulong)(entryId >> 64));
    }

    internal static UInt128 ReadId(ReadOnlySpan<byte> key) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(key[8..]),
            ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key[4..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(key));

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
