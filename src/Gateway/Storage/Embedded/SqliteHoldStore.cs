using System.Text.Json;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>Interactive holds in SQLite.</summary>
internal sealed class SqliteHoldStore(SqliteDatabase database) : IHoldStore
{
    public Task<HeldSeats?> GetAsync(string holdId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT hold_id, session_key, line_item_id, performance_id, zone_id, quantity, seats, total_cents, expires_at, closed, access_entry_id
            FROM holds WHERE hold_id = $id;
            """;
        command.Parameters.AddWithValue("$id", holdId);
        using var r = command.ExecuteReader();
        return Task.FromResult(r.Read()
            ? new HeldSeats
            {
                HoldId = r.GetString(0),
                SessionKey = r.IsDBNull(1) ? null : r.GetString(1),
                LineItemId = r.GetInt32(2),
                PerformanceId = r.GetInt32(3),
                ZoneId = r.GetInt32(4),
                Quantity = r.GetInt32(5),
                Seats = JsonSerializer.Deserialize(r.GetString(6), InfrastructureJsonContext.Default.IReadOnlyListString)!,
                TotalCents = r.GetInt32(7),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
                Closed = r.GetInt32(9) != 0,
                AccessEntryId = r.IsDBNull(10) ? null : r.GetString(10),
            }
            : null);
    }

    public Task SaveAsync(HeldSeats hold, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            INSERT INTO holds (hold_id, session_key, line_item_id, performance_id, zone_id, quantity, seats, total_cents, expires_at, closed, access_entry_id)
            VALUES ($id, $session, $line, $performance, $zone, $quantity, $seats, $total, $expires, $closed, $entry)
            ON CONFLICT (hold_id) DO UPDATE SET closed = excluded.closed,
                session_key = CASE WHEN excluded.closed = 1 THEN NULL ELSE holds.session_key END;
            """,
            p =>
            {
                p.AddWithValue("$id", hold.HoldId);
                p.AddWithValue("$session", hold.Closed || hold.SessionKey is null ? DBNull.Value : hold.SessionKey);
                p.AddWithValue("$line", hold.LineItemId);
                p.AddWithValue("$performance", hold.PerformanceId);
                p.AddWithValue("$zone", hold.ZoneId);
                p.AddWithValue("$quantity", hold.Quantity);
                p.AddWithValue("$seats", JsonSerializer.Serialize(hold.Seats, InfrastructureJsonContext.Default.IReadOnlyListString));
                p.AddWithValue("$total", hold.TotalCents);
                p.AddWithValue("$expires", hold.ExpiresAt.ToUnixTimeMilliseconds());
                p.AddWithValue("$closed", hold.Closed ? 1 : 0);
                p.AddWithValue("$entry", (object?)hold.AccessEntryId ?? DBNull.Value);
            },
            cancellationToken);

    public Task<(int SessionsErased, int Deleted)> ForgetExpiredAsync(DateTimeOffset now, DateTimeOffset forgetBefore, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                using var erase = connection.CreateCommand();
                erase.Transaction = transaction;
                erase.CommandText = """
                    UPDATE holds SET session_key = NULL
                    WHERE rowid IN (SELECT rowid FROM holds WHERE expires_at <= $now AND session_key IS NOT NULL ORDER BY expires_at LIMIT $limit);
                    """;
                erase.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                erase.Parameters.AddWithValue("$limit", limit);
                var erased = erase.ExecuteNonQuery();

                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = """
                    DELETE FROM holds
                    WHERE rowid IN (SELECT rowid FROM holds WHERE expires_at < $before ORDER BY expires_at LIMIT $limit);
                    """;
                delete.Parameters.AddWithValue("$before", forgetBefore.ToUnixTimeMilliseconds());
                delete.Parameters.AddWithValue("$limit", limit);
                return (erased, delete.ExecuteNonQuery());
            },
            cancellationToken);
}
