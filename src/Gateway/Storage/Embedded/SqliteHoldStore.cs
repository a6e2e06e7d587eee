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
                SessionKey = r.GetString(1),
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
            ON CONFLICT (hold_id) DO UPDATE SET closed = excluded.closed;
            """,
            p =>
            {
                p.AddWithValue("$id", hold.HoldId);
                p.AddWithValue("$session", hold.SessionKey);
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
}
