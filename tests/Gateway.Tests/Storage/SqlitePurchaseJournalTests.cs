using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Storage.Embedded;

namespace OnSale.Gateway.Tests.Storage;

public sealed class SqlitePurchaseJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "onsale-journal-tests", Guid.NewGuid().ToString("N"));
    private readonly DateTimeOffset _now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private SqliteDatabase _database;

    public SqlitePurchaseJournalTests()
    {
        _database = Open();
    }

    public void Dispose()
    {
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task GetPending_MixedStatuses_ReturnsParkedAndProcessingInArrivalOrder()
    {
        var journal = new SqlitePurchaseJournal(_database);
        await journal.InsertAsync(Purchase("a", PurchaseStatus.Parked), default);
        await journal.InsertAsync(Purchase("b", PurchaseStatus.Confirmed), default);
        await journal.InsertAsync(Purchase("c", PurchaseStatus.Live), default);
        await journal.InsertAsync(Purchase("d", PurchaseStatus.Processing), default);

        var pending = await journal.GetPendingAsync(10, default);

        Assert.Equal(["a", "d"], pending.Select(p => p.PurchaseId));
        Assert.True(pending[0].Sequence < pending[1].Sequence);
        Assert.Equal(2, await journal.CountPendingAsync(default));
    }

    [Fact]
    public async Task Insert_SameIdempotencyKeyTwice_IsRefusedByTheStore()
    {
        var journal = new SqlitePurchaseJournal(_database);
        await journal.InsertAsync(Purchase("a", PurchaseStatus.Parked, key: "k"), default);

        await Assert.ThrowsAsync<SqliteException>(() => journal.InsertAsync(Purchase("b", PurchaseStatus.Parked, key: "k"), default));
    }

    [Fact]
    public async Task Update_ConfirmedWithOrder_RoundTripsEveryField()
    {
        var journal = new SqlitePurchaseJournal(_database);
        var inserted = await journal.InsertAsync(Purchase("a", PurchaseStatus.Parked) with { HoldId = "hld_1" }, default);
        var confirmed = inserted with
        {
            Status = PurchaseStatus.Confirmed,
            OrderId = 50001,
            Seats = ["A-1", "A-2"],
            TotalCents = 17000,
            PaymentToken = null,
            Attempts = 3,
            CheckoutAttempted = true,
            Message = "ok",
            UpdatedAt = _now.AddMinutes(1),
        };

        await journal.UpdateAsync(confirmed, default);
        var read = await journal.GetAsync("a", default);

        Assert.Equal(confirmed with { Seats = null }, read! with { Seats = null });
        Assert.Equal(["A-1", "A-2"], read.Seats);
    }

    [Fact]
    public async Task RecoverInterrupted_LiveAttemptsOfACrashedProcess_BecomeProcessing()
    {
        var journal = new SqlitePurchaseJournal(_database);
        await journal.InsertAsync(Purchase("a", PurchaseStatus.Live) with { CheckoutAttempted = true }, default);

        Assert.Equal(1, await journal.RecoverInterruptedAsync(default));
        var recovered = Assert.Single(await journal.GetPendingAsync(10, default));
        Assert.Equal(PurchaseStatus.Processing, recovered.Status);
        Assert.True(recovered.CheckoutAttempted);
    }

    [Fact]
    public async Task Insert_ThenReopenTheFile_IsStillThere()
    {
        await new SqlitePurchaseJournal(_database).InsertAsync(Purchase("a", PurchaseStatus.Parked), default);
        _database.Dispose();
        _database = Open();

        var read = await new SqlitePurchaseJournal(_database).FindByIdempotencyKeyAsync("key-a", default);

        Assert.Equal("a", read?.PurchaseId);
    }

    [Fact]
    public async Task Delete_FreesTheIdempotencyKey()
    {
        var journal = new SqlitePurchaseJournal(_database);
        await journal.InsertAsync(Purchase("a", PurchaseStatus.Live, key: "k"), default);

        await journal.DeleteAsync("a", default);
        await journal.InsertAsync(Purchase("b", PurchaseStatus.Live, key: "k"), default);

        Assert.Equal("b", (await journal.FindByIdempotencyKeyAsync("k", default))?.PurchaseId);
    }

    [Fact]
    public void Open_TheFile_IsInWalModeWithFullSync()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        var mode = command.ExecuteScalar();
        command.CommandText = "PRAGMA synchronous;";
        var sync = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal("wal", mode);
        Assert.Equal(2, sync); // FULL
    }

    private SqliteDatabase Open() => new(_folder, NullLogger<SqliteDatabase>.Instance);

    private Purchase Purchase(string id, PurchaseStatus status, string? key = null) => new()
    {
        PurchaseId = id,
        IdempotencyKey = key ?? "key-" + id,
        RequestHash = "hash",
        Status = status,
        PerformanceId = 1001,
        ZoneId = 1,
        Quantity = 2,
        PaymentToken = "tok_ok",
        Email = "a@example.com",
        CreatedAt = _now,
        UpdatedAt = _now,
    };
}
