using System.Globalization;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// The embedded store's durability: its file is there and a connection of it runs with the write-ahead log and a sync
/// at every commit, as <see cref="SqliteDatabase"/> asks (a file system that cannot take the log, a network share for
/// one, leaves SQLite in another journal mode).
/// </summary>
internal sealed class SqliteDurability(SqliteDatabase database) : IStoreDurability
{
    /// <summary><c>PRAGMA synchronous</c>: 2 is FULL, 3 EXTRA; both sync the log at every commit.</summary>
    private const long Full = 2;

    public Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var path = database.FilePath;
        if (!File.Exists(path))
        {
            return Task.FromResult((false, $"The store's file {path} is missing: what the gateway acknowledged is not on disk."));
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        var journal = Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        command.CommandText = "PRAGMA synchronous;";
        var synchronous = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        return Task.FromResult(string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase) && synchronous >= Full
            ? (true, $"The store is on disk at {path}, with a write-ahead log synced at every commit: a parked purchase survives a crash.")
            : (false, $"The store at {path} runs with journal_mode={journal} and synchronous={synchronous}, not WAL and FULL: a crash may lose acknowledged writes. Put Gateway:DataPath on a local disk."));
    }
}
