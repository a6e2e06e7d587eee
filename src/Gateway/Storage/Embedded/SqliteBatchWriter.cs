using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// Group commit: writes queued by concurrent callers go to disk together, in one transaction with one fsync, and
/// each caller's task completes once that transaction is committed. Many joins per second then cost a few fsyncs,
/// not one each, with the same durability. One loop, started on first use, bounded by the channel's capacity.
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

    public async Task WriteAsync(Action<SqliteConnection, SqliteTransaction> write, CancellationToken cancellationToken)
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
                        foreach (var pending in batch)
                        {
                            pending.Write(connection, transaction);
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

    private sealed record Pending(Action<SqliteConnection, SqliteTransaction> Write, TaskCompletionSource Committed);
}
