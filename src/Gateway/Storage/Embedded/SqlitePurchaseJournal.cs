using System.Text.Json;
using Microsoft.Data.Sqlite;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// The purchase journal in SQLite. Every write is a committed transaction before it returns. The write that settles a
/// purchase (or sets it aside) also erases its payment token and backend session, whatever the caller passed: they are
/// never needed again, and nothing else would ever remove them.
/// </summary>
internal sealed class SqlitePurchaseJournal(SqliteDatabase database) : IPurchaseJournal
{
    /// <summary>Statuses after which the purchase is never sent to the backend again.</summary>
    private const string Done = "('confirmed', 'failed', 'needssupport')";

    /// <summary>Statuses the buyer sees as final: the email's retention starts.</summary>
    private const string Settled = "('confirmed', 'failed')";

    private const string Columns = "seq, " + InsertColumns;

    private const string InsertColumns =
        "purchase_id, idempotency_key, request_hash, status, performance_id, zone_id, quantity, payment_token, email, hold_id, " +
        "order_id, seats, total_cents, failure_code, message, attempts, checkout_attempted, created_at, updated_at, session_key, reserved, client_key, trace_parent";

    public Task<Purchase?> GetAsync(string purchaseId, CancellationToken cancellationToken) =>
        Task.FromResult(ReadOne("purchase_id = $v", purchaseId));

    public Task<Purchase?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(ReadOne("idempotency_key = $v", idempotencyKey));

    /// <summary>By the index on the email (schema 9), which leaves out erased ones; newest first by arrival.</summary>
    public Task<IReadOnlyList<Purchase>> FindByEmailAsync(string email, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(ReadMany(
            "email = $v COLLATE NOCASE ORDER BY seq DESC LIMIT $limit",
            parameters =>
            {
                parameters.AddWithValue("$v", email.Trim());
                parameters.AddWithValue("$limit", limit);
            }));

    public Task<Purchase> InsertAsync(Purchase purchase, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    INSERT INTO purchases ({InsertColumns})
                    VALUES ($purchase_id, $idempotency_key, $request_hash, $status, $performance_id, $zone_id, $quantity, $payment_token, $email, $hold_id,
                            $order_id, $seats, $total_cents, $failure_code, $message, $attempts, $checkout_attempted, $created_at, $updated_at,
                            $session_key, $reserved, $client_key, $trace_parent)
                    RETURNING seq;
                    """;
                Bind(command.Parameters, purchase);
                var seq = (long)command.ExecuteScalar()!;
                return purchase with { Sequence = seq };
            },
            cancellationToken);

    public async Task UpdateAsync(Purchase purchase, CancellationToken cancellationToken)
    {
        var changed = await database.ExecuteAsync(
            $"""
            UPDATE purchases SET status = $status,
                payment_token = CASE WHEN $status IN {Done} THEN NULL ELSE $payment_token END,
                order_id = $order_id, seats = $seats,
                total_cents = $total_cents, failure_code = $failure_code, message = $message, attempts = $attempts,
                checkout_attempted = $checkout_attempted, updated_at = $updated_at,
                session_key = CASE WHEN $status IN {Done} THEN NULL ELSE $session_key END,
                reserved = $reserved,
                settled_at = CASE WHEN $status IN {Settled} THEN COALESCE(settled_at, $updated_at) END
            WHERE purchase_id = $purchase_id;
            """,
            parameters => Bind(parameters, purchase),
            cancellationToken);
        if (changed != 1)
        {
            throw new InvalidOperationException($"Purchase {purchase.PurchaseId} is not in the journal.");
        }
    }

    public Task DeleteAsync(string purchaseId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM purchases WHERE purchase_id = $v;", p => p.AddWithValue("$v", purchaseId), cancellationToken);

    public Task<IReadOnlyList<Purchase>> GetPendingAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult(ReadMany("status IN ('parked', 'processing') ORDER BY seq LIMIT $limit", parameters => parameters.AddWithValue("$limit", limit)));

    /// <summary>One process, one replayer: everything pending.</summary>
    public Task<IReadOnlyList<Purchase>> TakeForReplayAsync(int limit, CancellationToken cancellationToken) => GetPendingAsync(limit, cancellationToken);

    public Task<int> RecoverInterruptedAsync(CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE purchases SET status = 'processing' WHERE status = 'live';", _ => { }, cancellationToken);

    public async Task<int> EraseEmailsAsync(DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken)
    {
        var erased = await database.ExecuteAsync(
            """
            UPDATE purchases SET email = NULL, client_key = NULL
            WHERE seq IN (SELECT seq FROM purchases WHERE settled_at <= $before AND email IS NOT NULL ORDER BY settled_at LIMIT $limit);
            """,
            p =>
            {
                p.AddWithValue("$before", settledBefore.ToUnixTimeMilliseconds());
                p.AddWithValue("$limit", limit);
            },
            cancellationToken);

        // Old copies of the pages, with what this and every earlier write erased, are still in the write-ahead log.
        await database.TruncateLogAsync(cancellationToken);
        return erased;
    }

    public Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM purchases WHERE status IN ('parked', 'processing');";
        return Task.FromResult((int)(long)command.ExecuteScalar()!);
    }

    public Task<PurchaseOutcomes> ReadOutcomesAsync(int recentFailures, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT performance_id, SUM(quantity) FROM purchases WHERE status = 'confirmed' GROUP BY performance_id;";
        using var reader = command.ExecuteReader();
        var sold = new Dictionary<int, int>();
        while (reader.Read())
        {
            sold[reader.GetInt32(0)] = reader.GetInt32(1);
        }

        var failed = ReadMany(
            "status IN ('failed', 'needssupport') ORDER BY updated_at DESC, seq DESC LIMIT $limit",
            parameters => parameters.AddWithValue("$limit", recentFailures));
        return Task.FromResult(new PurchaseOutcomes(sold, failed));
    }

    private Purchase? ReadOne(string where, string value) =>
        ReadMany(where, parameters => parameters.AddWithValue("$v", value)) is [var one, ..] ? one : null;

    private IReadOnlyList<Purchase> ReadMany(string where, Action<SqliteParameterCollection> bind)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM purchases WHERE {where};";
        bind(command.Parameters);
        using var reader = command.ExecuteReader();
        var result = new List<Purchase>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static void Bind(SqliteParameterCollection parameters, Purchase p)
    {
        parameters.AddWithValue("$purchase_id", p.PurchaseId);
        parameters.AddWithValue("$idempotency_key", p.IdempotencyKey);
        parameters.AddWithValue("$request_hash", p.RequestHash);
        parameters.AddWithValue("$status", p.Status.ToString().ToLowerInvariant());
        parameters.AddWithValue("$performance_id", p.PerformanceId);
        parameters.AddWithValue("$zone_id", p.ZoneId);
        parameters.AddWithValue("$quantity", p.Quantity);
        parameters.AddWithValue("$payment_token", (object?)p.PaymentToken ?? DBNull.Value);
        parameters.AddWithValue("$email", (object?)p.Email ?? DBNull.Value);
        parameters.AddWithValue("$hold_id", (object?)p.HoldId ?? DBNull.Value);
        parameters.AddWithValue("$order_id", (object?)p.OrderId ?? DBNull.Value);
        parameters.AddWithValue("$seats", p.Seats is null ? DBNull.Value : JsonSerializer.Serialize(p.Seats, InfrastructureJsonContext.Default.IReadOnlyListString));
        parameters.AddWithValue("$total_cents", (object?)p.TotalCents ?? DBNull.Value);
        parameters.AddWithValue("$failure_code", (object?)p.FailureCode ?? DBNull.Value);
        parameters.AddWithValue("$message", (object?)p.Message ?? DBNull.Value);
        parameters.AddWithValue("$attempts", p.Attempts);
        parameters.AddWithValue("$checkout_attempted", p.CheckoutAttempted ? 1 : 0);
        parameters.AddWithValue("$created_at", p.CreatedAt.ToUnixTimeMilliseconds());
        parameters.AddWithValue("$updated_at", p.UpdatedAt.ToUnixTimeMilliseconds());
        parameters.AddWithValue("$session_key", (object?)p.SessionKey ?? DBNull.Value);
        parameters.AddWithValue("$reserved", p.Reserved ? 1 : 0);
        parameters.AddWithValue("$client_key", (object?)p.ClientKey ?? DBNull.Value);
        parameters.AddWithValue("$trace_parent", (object?)p.TraceParent ?? DBNull.Value);
    }

    private static Purchase Read(SqliteDataReader r) => new()
    {
        Sequence = r.GetInt64(0),
        PurchaseId = r.GetString(1),
        IdempotencyKey = r.GetString(2),
        RequestHash = r.GetString(3),
        Status = Enum.Parse<PurchaseStatus>(r.GetString(4), ignoreCase: true),
        PerformanceId = r.GetInt32(5),
        ZoneId = r.GetInt32(6),
        Quantity = r.GetInt32(7),
        PaymentToken = r.IsDBNull(8) ? null : r.GetString(8),
        Email = r.IsDBNull(9) ? null : r.GetString(9),
        HoldId = r.IsDBNull(10) ? null : r.GetString(10),
        OrderId = r.IsDBNull(11) ? null : r.GetInt32(11),
        Seats = r.IsDBNull(12) ? null : JsonSerializer.Deserialize(r.GetString(12), InfrastructureJsonContext.Default.IReadOnlyListString),
        TotalCents = r.IsDBNull(13) ? null : r.GetInt32(13),
        FailureCode = r.IsDBNull(14) ? null : r.GetString(14),
        Message = r.IsDBNull(15) ? null : r.GetString(15),
        Attempts = r.GetInt32(16),
        CheckoutAttempted = r.GetInt32(17) != 0,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(18)),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(19)),
        SessionKey = r.IsDBNull(20) ? null : r.GetString(20),
        Reserved = r.GetInt32(21) != 0,
        ClientKey = r.IsDBNull(22) ? null : r.GetString(22),
        TraceParent = r.IsDBNull(23) ? null : r.GetString(23),
    };
}
