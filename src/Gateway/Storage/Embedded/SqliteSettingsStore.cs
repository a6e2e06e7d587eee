using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>Settings and the audit trail in SQLite.</summary>
internal sealed class SqliteSettingsStore(SqliteDatabase database) : ISettingsStore
{
    /// <summary>Never raised: one node has this store to itself.</summary>
    public event Action<string?>? ChangedElsewhere
    {
        add { }
        remove { }
    }

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        return Task.FromResult(command.ExecuteScalar() as string);
    }

    public Task SetAsync(string key, string? value, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            p =>
            {
                p.AddWithValue("$key", key);
                p.AddWithValue("$value", (object?)value ?? DBNull.Value);
            },
            cancellationToken);

    public async Task EraseAsync(string key, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync("DELETE FROM settings WHERE key = $key;", p => p.AddWithValue("$key", key), cancellationToken);
        await database.TruncateLogAsync(cancellationToken);
    }

    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO audit (at, who, action, detail, reason) VALUES ($at, $who, $action, $detail, $reason);",
            p =>
            {
                p.AddWithValue("$at", entry.At.ToUnixTimeMilliseconds());
                p.AddWithValue("$who", entry.Operator);
                p.AddWithValue("$action", entry.Action);
                p.AddWithValue("$detail", entry.Detail);
                p.AddWithValue("$reason", (object?)entry.Reason ?? DBNull.Value);
            },
            cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, who, action, detail, reason FROM audit ORDER BY id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", limit);
        using var r = command.ExecuteReader();
        var result = new List<AuditEntry>();
        while (r.Read())
        {
            result.Add(new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }

        return Task.FromResult<IReadOnlyList<AuditEntry>>(result);
    }
}
