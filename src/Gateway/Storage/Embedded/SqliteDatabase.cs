using Microsoft.Data.Sqlite;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// The embedded store's SQLite file (<c>{DataPath}/gateway.db</c>): WAL journal, <c>synchronous=FULL</c> so that a
/// committed write is on disk before we answer, one writer at a time (SQLite's own rule, kept here to avoid busy
/// errors), readers in parallel from the connection pool.
/// </summary>
internal sealed partial class SqliteDatabase : IDisposable
{
    private const int SchemaVersion = 5;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteConnection _writer;

    public SqliteDatabase(string dataPath, ILogger<SqliteDatabase> logger)
    {
        Directory.CreateDirectory(dataPath);
        FilePath = Path.GetFullPath(Path.Combine(dataPath, "gateway.db"));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = Open();
        Migrate();
        LogOpened(logger, FilePath);
    }

    public string FilePath { get; }

    /// <summary>A pooled connection for reads.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs <paramref name="write"/> on the single writer connection inside a transaction, committed durably.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _writer.BeginTransaction();
            var result = write(_writer, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs one statement as a durable write; returns the rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) =>
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                bind(command.Parameters);
                return command.ExecuteNonQuery();
            },
            cancellationToken);

    public void Dispose()
    {
        _writer.Dispose();
        _writeGate.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private void Migrate()
    {
        using var query = _writer.CreateCommand();
        query.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"{FilePath} has schema version {current}, newer than this gateway's {SchemaVersion}. Run a newer gateway.");
        }

        if (current == SchemaVersion)
        {
            return;
        }

        using var transaction = _writer.BeginTransaction();
        foreach (var (version, script) in Migrations.Where(m => m.Version > current))
        {
            using var command = _writer.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = script + $"PRAGMA user_version = {version};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The schema, one step per version; a file is brought up to date step by step, never rewritten.</summary>
    private static readonly (int Version, string Script)[] Migrations =
    [
        (1, """
            CREATE TABLE IF NOT EXISTS purchases (
                seq                INTEGER PRIMARY KEY AUTOINCREMENT,
                purchase_id        TEXT    NOT NULL UNIQUE,
                idempotency_key    TEXT    NOT NULL UNIQUE,
                request_hash       TEXT    NOT NULL,
                status             TEXT    NOT NULL,
                performance_id     INTEGER NOT NULL,
                zone_id            INTEGER NOT NULL,
                quantity           INTEGER NOT NULL,
                payment_token      TEXT,
                email              TEXT    NOT NULL,
                hold_id            TEXT,
                order_id           INTEGER,
                seats              TEXT,
                total_cents        INTEGER,
                failure_code       TEXT,
                message            TEXT,
                attempts           INTEGER NOT NULL DEFAULT 0,
                checkout_attempted INTEGER NOT NULL DEFAULT 0,
                created_at         INTEGER NOT NULL,
                updated_at         INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS purchases_pending ON purchases(seq) WHERE status IN ('parked', 'processing');

            CREATE TABLE IF NOT EXISTS holds (
                hold_id         TEXT    PRIMARY KEY,
                session_key     TEXT    NOT NULL,
                line_item_id    INTEGER NOT NULL,
                performance_id  INTEGER NOT NULL,
                zone_id         INTEGER NOT NULL,
                quantity        INTEGER NOT NULL,
                seats           TEXT    NOT NULL,
                total_cents     INTEGER NOT NULL,
                expires_at      INTEGER NOT NULL,
                closed          INTEGER NOT NULL DEFAULT 0,
                access_entry_id TEXT);

            CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);

            CREATE TABLE IF NOT EXISTS audit (
                id     INTEGER PRIMARY KEY AUTOINCREMENT,
                at     INTEGER NOT NULL,
                who    TEXT    NOT NULL,
                action TEXT    NOT NULL,
                detail TEXT    NOT NULL);
            """),
        (2, """
            CREATE TABLE IF NOT EXISTS rooms (
                performance_id INTEGER PRIMARY KEY,
                opens_at       INTEGER NOT NULL,
                opened         INTEGER NOT NULL);

            CREATE TABLE IF NOT EXISTS queue_entries (
                performance_id    INTEGER NOT NULL,
                entry_id          BLOB    NOT NULL,
                arrival           INTEGER NOT NULL,
                order_key         INTEGER,
                state             INTEGER NOT NULL,
                access_expires_at INTEGER,
                PRIMARY KEY (performance_id, entry_id)) WITHOUT ROWID;
            """),
        (3, """
            ALTER TABLE purchases ADD COLUMN session_key TEXT;
            ALTER TABLE purchases ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;
            """),
        (4, """
            CREATE TABLE IF NOT EXISTS last_known_availability (
                performance_id INTEGER PRIMARY KEY,
                as_of_ticks    INTEGER NOT NULL,
                zones          TEXT    NOT NULL);

            CREATE TABLE IF NOT EXISTS last_known_performances (
                id           INTEGER PRIMARY KEY CHECK (id = 0),
                as_of_ticks  INTEGER NOT NULL,
                performances TEXT    NOT NULL);
            """),
        (5, """
            ALTER TABLE purchases ADD COLUMN client_key TEXT;
            ALTER TABLE queue_entries ADD COLUMN seats_spent INTEGER NOT NULL DEFAULT 0;
            """),
    ];

    [LoggerMessage(Infrastructure.EventIds.StoreOpened, LogLevel.Information, "Embedded store at {Path}")]
    private static partial void LogOpened(ILogger logger, string path);
}
