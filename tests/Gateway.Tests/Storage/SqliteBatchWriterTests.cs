using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Storage.Embedded;

namespace OnSale.Gateway.Tests.Storage;

/// <summary>Relaxed writes (new places) are forced to disk within <see cref="SqliteBatchWriter.SyncEvery"/>, whatever comes after them.</summary>
public sealed class SqliteBatchWriterTests : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "onsale-writer-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;
    private readonly SqliteBatchWriter _writer;

    public SqliteBatchWriterTests()
    {
        _database = new SqliteDatabase(_folder, NullLogger<SqliteDatabase>.Instance);
        _writer = new SqliteBatchWriter(_database, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ARelaxedWrite_NothingAfterIt_IsForcedByACheckpointOnceItsSecondHasPassed()
    {
        await WriteAsync("a", synchronous: false);
        Assert.True(_writer.Unsynced);

        _time.Advance(SqliteBatchWriter.SyncEvery - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.True(_writer.Unsynced);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually(() => !_writer.Unsynced);
        Assert.Equal(["a"], await ValuesAsync());
    }

    [Fact]
    public async Task ASynchronousWrite_ForcesTheRelaxedOnesBeforeIt()
    {
        await WriteAsync("a", synchronous: false);
        await WriteAsync("b", synchronous: false);
        Assert.True(_writer.Unsynced);

        await WriteAsync("c", synchronous: true);

        Assert.False(_writer.Unsynced);
        Assert.Equal(["a", "b", "c"], await ValuesAsync());
    }

    [Fact]
    public async Task RelaxedWritesOneAfterAnother_NoneStaysUnforcedPastItsSecond()
    {
        await WriteAsync("a", synchronous: false);
        _time.Advance(SqliteBatchWriter.SyncEvery);

        // Past the second: the timer's checkpoint or this batch, committed synchronously, forces "a", whichever is first.
        await WriteAsync("b", synchronous: false);
        _time.Advance(SqliteBatchWriter.SyncEvery);

        await Eventually(() => !_writer.Unsynced);
        Assert.Equal(["a", "b"], await ValuesAsync());
    }

    private Task WriteAsync(string value, bool synchronous) =>
        _writer.WriteAsync(
            batch =>
            {
                var command = batch.Command("INSERT INTO settings (key, value) VALUES ($k, $v);", p =>
                {
                    p.Add("$k", Microsoft.Data.Sqlite.SqliteType.Text);
                    p.Add("$v", Microsoft.Data.Sqlite.SqliteType.Text);
                });
                command.Parameters[0].Value = "writer-test-" + value;
                command.Parameters[1].Value = value;
                command.ExecuteNonQuery();
            },
            CancellationToken.None,
            synchronous);

    private async Task<List<string>> ValuesAsync()
    {
        using var connection = _database.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT value FROM settings WHERE key LIKE 'writer-test-%' ORDER BY value;";
        using var reader = await query.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
