using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// Group commit: writes queued by concurrent callers go to disk together, in one transaction with one fsync, and
/// each caller's task completes once that transaction is committed. Many joins per second then cost a few fsyncs,
/// not one each, with the same durability. One loop, started on first use, bounded by the channel's capacity. The
/// batches share their prepared statements (<see cref="SqliteBatch"/>): a statement is compiled once, not once per
/// write or batch.
/// </summary>
/// <remarks>
/// A write may ask for less than an fsync (<c>synchronous: false</c>): its batch is committed to the log at once (safe
/// from a crash of the gateway) and forced to disk within <see cref="SyncEvery"/> (safe from a crash of the machine):
/// by the next synchronous batch, by the first batch after that second, or, when no write comes, by a checkpoint (a
/// one-shot timer, set when a relaxed commit is the first not yet forced, wakes the loop for it).
/// </remarks>
internal sealed partial class SqliteBatchWriter : IAsyncDisposable
{
    /// <summary>How long a relaxed commit may stay in the operating system's cache before it is forced to disk.</summary>
    public static readonly TimeSpan SyncEvery = TimeSpan.FromSeconds(1);

    private const int MaxBatch = 2_000;
    private static readonly TimeSpan RetrySync = TimeSpan.FromMilliseconds(100);
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(100_000) { SingleReader = true });
    private readonly SqliteBatch _statements = new();
    private static readonly Pending NudgeItem = new(null, null, Synchronous: false);
    private readonly ITimer _syncTimer;
    private readonly Task _loop;
    private DateTimeOffset? _syncDue;
    private bool _unsynced;

    public SqliteBatchWriter(SqliteDatabase database, TimeProvider? time = null, ILogger<SqliteBatchWriter>? logger = null)
    {
        _database = database;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _syncTimer = _time.CreateTimer(static state => ((SqliteBatchWriter)state!).Nudge(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Whether a relaxed commit is not forced to disk yet.</summary>
    public bool Unsynced => Volatile.Read(ref _unsynced);

    public async Task WriteAsync(Action<SqliteBatch> write, CancellationToken cancellationToken, bool synchronous = true)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), synchronous);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Committed!.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _syncTimer.DisposeAsync();
        _statements.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            var synchronous = _syncDue is { } due && _time.GetUtcNow() >= due;
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                if (item.Write is not null)
                {
                    batch.Add(item);
                    synchronous |= item.Synchronous;
                }
            }

            if (batch.Count == 0)
            {
                await SyncIfDueAsync(); // Only the timer's nudge.
                continue;
            }

            try
            {
                await _database.WriteAsync(
                    (connection, transaction) =>
                    {
                        _statements.Begin(connection, transaction);
                        foreach (var pending in batch)
                        {
                            pending.Write!(_statements);
                        }

                        return 0;
                    },
                    CancellationToken.None,
                    synchronous);
                Committed(synchronous);
                batch.ForEach(p => p.Committed!.TrySetResult());
            }
            catch (Exception ex)
            {
                // Nothing of the batch was committed: every caller learns it.
                batch.ForEach(p => p.Committed!.TrySetException(ex));
            }

            batch.Clear();
        }

        // Closing: what is still relaxed is forced now (a few tries, on the real clock: shutdown waits for no test's).
        for (var attempt = 0; attempt < 20 && _syncDue is not null && !await SyncAsync(); attempt++)
        {
            await Task.Delay(RetrySync);
        }
    }

    /// <summary>The timer's work: wake the loop, which looks at the clock itself.</summary>
    private void Nudge() => _queue.Writer.TryWrite(NudgeItem);

    private void Committed(bool synchronous)
    {
        if (synchronous)
        {
            // The log is forced up to this commit, and with it every relaxed commit before.
            _syncDue = null;
        }
        else if (_syncDue is null)
        {
            // Set before the writers hear of their commit: on any clock, the second counts from here.
            _syncDue = _time.GetUtcNow() + SyncEvery;
            _syncTimer.Change(SyncEvery, Timeout.InfiniteTimeSpan);
        }

        Volatile.Write(ref _unsynced, _syncDue is not null);
    }

    private async Task SyncIfDueAsync()
    {
        if (_syncDue is not { } due)
        {
            return;
        }

        var left = due - _time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            _syncTimer.Change(left, Timeout.InfiniteTimeSpan); // Woken early (a coarse timer): again at the moment.
            return;
        }

        await SyncAsync();
    }

    /// <summary>Forces the relaxed commits to disk by a checkpoint; if a reader held part of the log back, soon again.</summary>
    private async Task<bool> SyncAsync()
    {
        try
        {
            if (await _database.CheckpointAsync(CancellationToken.None))
            {
                Committed(synchronous: true);
                return true;
            }
        }
        catch (Exception ex)
        {
            LogSyncFailed(_logger, ex);
        }

        _syncDue = _time.GetUtcNow() + RetrySync;
        _syncTimer.Change(RetrySync, Timeout.InfiniteTimeSpan);
        return false;
    }

    [LoggerMessage(Infrastructure.EventIds.StoreSyncFailed, LogLevel.Warning, "Could not force the embedded store's log to disk; trying again")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);

    /// <summary>A write and its caller's task; with neither, the sync timer's nudge.</summary>
    private sealed record Pending(Action<SqliteBatch>? Write, TaskCompletionSource? Committed, bool Synchronous);
}

/// <summary>
/// The statements the group commits share, prepared once on the writer connection and kept: each batch only names its
/// transaction and sets values. Used by the writer's loop alone, one batch at a time.
/// </summary>
internal sealed class SqliteBatch : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;

    /// <summary>
    /// The command for <paramref name="sql"/>, prepared on first use with the parameters <paramref name="declare"/>
    /// adds; later writes get the same command and only set its values.
    /// </summary>
    public SqliteCommand Command(string sql, Action<SqliteParameterCollection> declare)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection!.CreateCommand();
            command.CommandText = sql;
            declare(command.Parameters);
            command.Prepare();
            _commands[sql] = command;
        }

        command.Transaction = _transaction;
        return command;
    }

    /// <summary>The next batch's transaction, on the one writer connection.</summary>
    public void Begin(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
