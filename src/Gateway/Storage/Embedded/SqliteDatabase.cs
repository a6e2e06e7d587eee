using Microsoft.Data.Sqlite;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// The embedded store's SQLite file (<c>{DataPath}/gateway.db</c>): WAL journal, <c>synchronous=FULL</c> so that a
/// committed write is on disk before we answer (new places alone ask for less: <see cref="SqliteBatchWriter"/>), one
/// writer at a time (SQLite's own rule, kept here to avoid busy
/// errors), readers in parallel from the connection pool. The file and its <c>-wal</c> and <c>-shm</c> are the
/// gateway user's alone (<see cref="DataFolder"/>), and an erased value is zeroed where it lay (<c>secure_delete</c>),
/// not left in the page's free space for whoever copies the file.
/// </summary>
internal sealed partial class SqliteDatabase : IDisposable
{
    private static int SchemaVersion => Migrations[^1].Version;
    private const int BusyTimeoutMs = 10_000;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _relaxed;
    private readonly SqliteCommand _strict;
    private readonly SqliteCommand _checkpoint;

    public SqliteDatabase(string dataPath, ILogger<SqliteDatabase> logger)
    {
        DataFolder.Prepare(dataPath, logger);
        FilePath = Path.GetFullPath(Path.Combine(dataPath, "gateway.db"));
        DataFolder.CreateFile(FilePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = Open();
        _relaxed = Command("PRAGMA synchronous=NORMAL;");
        _strict = Command("PRAGMA synchronous=FULL;");
        _checkpoint = Command("PRAGMA wal_checkpoint(PASSIVE);");

        // On the writer only, the one connection that writes: FAST zeroes what a write frees on the pages it writes
        // anyway, at no extra I/O.
        Pragma("PRAGMA secure_delete=FAST;");
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
        pragma.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs <paramref name="write"/> on the single writer connection inside a transaction, committed durably.</summary>
    /// <remarks>
    /// With <paramref name="synchronous"/> false the commit is written to the log but not forced to disk
    /// (<c>synchronous=NORMAL</c> for this transaction): it survives a crash of the process at once, and a crash of
    /// the machine once a later synchronous commit or <see cref="CheckpointAsync"/> has forced the log.
    /// </remarks>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken, bool synchronous = true)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (!synchronous)
            {
                _relaxed.ExecuteNonQuery();
            }

            try
            {
                using var transaction = _writer.BeginTransaction();
                var result = write(_writer, transaction);
                transaction.Commit();
                return result;
            }
            finally
            {
                if (!synchronous)
                {
                    _strict.ExecuteNonQuery();
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Copies the log into the database without waiting for readers (a passive checkpoint), forcing the log to disk
    /// before and the database after: true when every logged commit is now on disk, false when a reader still held
    /// some of the log back (try again shortly).
    /// </summary>
    public async Task<bool> CheckpointAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            using var reader = _checkpoint.ExecuteReader();
            return reader.Read() && reader.GetInt64(1) == reader.GetInt64(2);
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

    /// <summary>
    /// Checkpoints the write-ahead log into the database and empties it: the log keeps whole old copies of the pages
    /// it logged, so a value erased from the database lingers there until the log is emptied.
    /// </summary>
    public async Task TruncateLogAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            TruncateLog();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        _relaxed.Dispose();
        _strict.Dispose();
        _checkpoint.Dispose();
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

        // Steps copy tables whose old pages held secrets: those pages are zeroed as they are freed, and the log that
        // recorded them is emptied afterwards.
        Pragma("PRAGMA secure_delete=ON;");
        using (var transaction = _writer.BeginTransaction())
        {
            foreach (var (version, script) in Migrations.Where(m => m.Version > current))
            {
                using var command = _writer.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = script + $"PRAGMA user_version = {version};";
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        Pragma("PRAGMA secure_delete=FAST;");
        TruncateLog();
    }

    /// <remarks>
    /// The checkpoint waits for readers still in the old log, and every write waits for it: it gives them a tenth of a
    /// second, not the usual ten, and what it could not empty the next call does.
    /// </remarks>
    private void TruncateLog() => Pragma($"PRAGMA busy_timeout=100; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout={BusyTimeoutMs};");

    private SqliteCommand Command(string sql)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }

    private void Pragma(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The schema, one step per version; a file is brought up to date step by step, never rewritten.</summary>
    internal static readonly (int Version, string Script)[] Migrations =
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
        (6, """
            -- Secrets end: emails and hold sessions may be erased (NULL), so both tables are rebuilt without NOT NULL on
            -- them (SQLite cannot drop a constraint in place), and settled purchases and closed holds lose what they kept.
            CREATE TABLE purchases_v6 (
                seq                INTEGER PRIMARY KEY AUTOINCREMENT,
                purchase_id        TEXT    NOT NULL UNIQUE,
                idempotency_key    TEXT    NOT NULL UNIQUE,
                request_hash       TEXT    NOT NULL,
                status             TEXT    NOT NULL,
                performance_id     INTEGER NOT NULL,
                zone_id            INTEGER NOT NULL,
                quantity           INTEGER NOT NULL,
                payment_token      TEXT,
                email              TEXT,
                hold_id            TEXT,
                order_id           INTEGER,
                seats              TEXT,
                total_cents        INTEGER,
                failure_code       TEXT,
                message            TEXT,
                attempts           INTEGER NOT NULL DEFAULT 0,
                checkout_attempted INTEGER NOT NULL DEFAULT 0,
                created_at         INTEGER NOT NULL,
                updated_at         INTEGER NOT NULL,
                session_key        TEXT,
                reserved           INTEGER NOT NULL DEFAULT 0,
                client_key         TEXT,
                settled_at         INTEGER);
            INSERT INTO purchases_v6 (seq, purchase_id, idempotency_key, request_hash, status, performance_id, zone_id, quantity,
                payment_token, email, hold_id, order_id, seats, total_cents, failure_code, message, attempts, checkout_attempted,
                created_at, updated_at, session_key, reserved, client_key, settled_at)
            SELECT seq, purchase_id, idempotency_key, request_hash, status, performance_id, zone_id, quantity,
                CASE WHEN status IN ('confirmed', 'failed', 'needssupport') THEN NULL ELSE payment_token END,
                email, hold_id, order_id, seats, total_cents, failure_code, message, attempts, checkout_attempted,
                created_at, updated_at,
                CASE WHEN status IN ('confirmed', 'failed', 'needssupport') THEN NULL ELSE session_key END,
                reserved, client_key,
                CASE WHEN status IN ('confirmed', 'failed') THEN updated_at END
            FROM purchases;
            -- Keep the AUTOINCREMENT high-water mark: DROP TABLE deletes the row named after the table, RENAME renames it.
            DELETE FROM sqlite_sequence WHERE name = 'purchases_v6';
            UPDATE sqlite_sequence SET name = 'purchases_v6' WHERE name = 'purchases';
            DROP TABLE purchases;
            ALTER TABLE purchases_v6 RENAME TO purchases;
            CREATE INDEX purchases_pending ON purchases(seq) WHERE status IN ('parked', 'processing');
            CREATE INDEX purchases_email_due ON purchases(settled_at) WHERE email IS NOT NULL;

            CREATE TABLE holds_v6 (
                hold_id         TEXT    PRIMARY KEY,
                session_key     TEXT,
                line_item_id    INTEGER NOT NULL,
                performance_id  INTEGER NOT NULL,
                zone_id         INTEGER NOT NULL,
                quantity        INTEGER NOT NULL,
                seats           TEXT    NOT NULL,
                total_cents     INTEGER NOT NULL,
                expires_at      INTEGER NOT NULL,
                closed          INTEGER NOT NULL DEFAULT 0,
                access_entry_id TEXT);
            INSERT INTO holds_v6 (hold_id, session_key, line_item_id, performance_id, zone_id, quantity, seats, total_cents, expires_at, closed, access_entry_id)
            SELECT hold_id, CASE WHEN closed = 0 THEN session_key END, line_item_id, performance_id, zone_id, quantity, seats, total_cents,
                expires_at, closed, access_entry_id
            FROM holds;
            DROP TABLE holds;
            ALTER TABLE holds_v6 RENAME TO holds;
            CREATE INDEX holds_expiry ON holds(expires_at);
            """),
        (7, """
            -- Places keyed in the order they are made (SqliteWaitingRoomStore.WriteId): a minted id's index in its room,
            -- the first four bytes of the old key little-endian, becomes its first four big-endian; the rest is kept.
            CREATE TABLE queue_entries_v7 (
                performance_id    INTEGER NOT NULL,
                entry_id          BLOB    NOT NULL,
                arrival           INTEGER NOT NULL,
                order_key         INTEGER,
                state             INTEGER NOT NULL,
                access_expires_at INTEGER,
                seats_spent       INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (performance_id, entry_id)) WITHOUT ROWID;
            INSERT INTO queue_entries_v7 (performance_id, entry_id, arrival, order_key, state, access_expires_at, seats_spent)
            SELECT performance_id,
                unhex(substr(hex(entry_id), 7, 2) || substr(hex(entry_id), 5, 2) || substr(hex(entry_id), 3, 2) || substr(hex(entry_id), 1, 2) || substr(hex(entry_id), 9)),
                arrival, order_key, state, access_expires_at, seats_spent
            FROM queue_entries;
            DROP TABLE queue_entries;
            ALTER TABLE queue_entries_v7 RENAME TO queue_entries;
            """),
        (8, """
            -- Audit lines keep the reason apart from what was changed.
            ALTER TABLE audit ADD COLUMN reason TEXT;
            """),
        (9, """
            -- Support finds a buyer's purchases by email (erased ones are left out of the index), and a purchase keeps the
            -- trace context of the request that made it, so that its replay joins that trace.
            ALTER TABLE purchases ADD COLUMN trace_parent TEXT;
            CREATE INDEX purchases_email ON purchases(email COLLATE NOCASE) WHERE email IS NOT NULL;
            """),
    ];

    [LoggerMessage(Infrastructure.EventIds.StoreOpened, LogLevel.Information, "Embedded store at {Path}")]
    private static partial void LogOpened(ILogger logger, string path);
}
