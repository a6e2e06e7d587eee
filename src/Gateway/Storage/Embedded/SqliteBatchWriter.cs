using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// Group commit: writes queued by concurrent callers go to disk together, in one transaction with one fsync, and
/// each caller's task completes once that transaction is committed. Many joins per second then cost a few fsyncs,
/// not one each, with the same durability. One loop, started on first use, bounded by the channel's capacity. The
/// writes of a batch share its prepared statements (<see cref="SqliteBatch"/>): a statement is compiled once per
/// batch, not once per write.
/// </summary>
internal sealed class SqliteBatchWriter : IAsyncDisposable
{
    private const int MaxBatch = 2_000;
    private readonly SqliteDatabase _database;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(100_000) { SingleReader = true });
    private readonly Task _loop;

    public SqliteBatchWriter(SqliteDatabase database)
    {
        _database = database;
        _loop = Task.Run(RunAsync);
    }

    public async Task WriteAsync(Action<SqliteBatch> write, CancellationToken cancellationToken)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Committed.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await _database.WriteAsync(
                    (connection, transaction) =>
                    {
                        using var shared = new SqliteBatch(connection, transaction);
                        foreach (var pending in batch)
                        {
                            pending.Write(shared);
                        }

                        return 0;
                    },
                    CancellationToken.None);
                batch.ForEach(p => p.Committed.TrySetResult());
            }
            catch (Exception ex)
            {
                // Nothing of the batch was committed: every caller learns it.
                batch.ForEach(p => p.Committed.TrySetException(ex));
            }

            batch.Clear();
        }
    }

    private sealed record Pending(Action<SqliteBatch> Write, TaskCompletionSource Committed);
}

/// <summary>One group commit's transaction, and the statements its writes share.</summary>
internal sealed class SqliteBatch(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>
    /// The batch's command for <paramref name="sql"/>, prepared on first use with the parameters
    /// <paramref name="declare"/> adds; later writes of the batch get the same command and only set its values.
    /// </summary>
    public SqliteCommand Command(string sql, Action<SqliteParameterCollection> declare)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            declare(command.Parameters);
            command.Prepare();
            _commands[sql] = command;
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
