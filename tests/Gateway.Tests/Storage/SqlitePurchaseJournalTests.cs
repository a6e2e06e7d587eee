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

    [Theory]
    [InlineData(nameof(PurchaseStatus.Confirmed))]
    [InlineData(nameof(PurchaseStatus.Failed))]
    [InlineData(nameof(PurchaseStatus.NeedsSupport))]
    public async Task Update_SettledOrSetAside_ErasesTokenAndSessionEvenIfTheCallerKeptThem(string settled)
    {
        var status = Enum.Parse<PurchaseStatus>(settled);
        var journal = new SqlitePurchaseJournal(_database);
        var inserted = await journal.InsertAsync(Purchase("a", PurchaseStatus.Processing) with { SessionKey = "sess-a" }, default);

        await journal.UpdateAsync(inserted with { Status = status, UpdatedAt = _now.AddMinutes(1) }, default);
        var read = await journal.GetAsync("a", default);

        Assert.Null(read!.PaymentToken);
        Assert.Null(read.SessionKey);
        Assert.Equal("a@example.com", read.Email);
    }

    [Fact]
    public async Task Update_StillPending_KeepsTokenAndSessionForTheReplay()
    {
        var journal = new SqlitePurchaseJournal(_database);
        var inserted = await journal.InsertAsync(Purchase("a", PurchaseStatus.Parked), default);

        await journal.UpdateAsync(inserted with { Status = PurchaseStatus.Processing, SessionKey = "sess-a", Reserved = true }, default);
        var read = await journal.GetAsync("a", default);

        Assert.Equal("tok_ok", read!.PaymentToken);
        Assert.Equal("sess-a", read.SessionKey);
    }

    [Fact]
    public async Task EraseEmails_MoreDueThanTheLimit_ErasesTheLongestSettledFirstAndNothingNotDue()
    {
        var journal = new SqlitePurchaseJournal(_database);
        foreach (var (id, settledAfter) in new[] { ("c", 2), ("a", 0), ("b", 1), ("late", 10) })
        {
            var inserted = await journal.InsertAsync(Purchase(id, PurchaseStatus.Processing), default);
            await journal.UpdateAsync(inserted with { Status = PurchaseStatus.Confirmed, UpdatedAt = _now.AddMinutes(settledAfter) }, default);
        }

        await journal.InsertAsync(Purchase("pending", PurchaseStatus.Parked) with { CreatedAt = _now.AddDays(-100), UpdatedAt = _now.AddDays(-100) }, default);

        var first = await journal.EraseEmailsAsync(_now.AddMinutes(5), limit: 2, default);
        var afterFirst = await EmailsAsync(journal);
        var second = await journal.EraseEmailsAsync(_now.AddMinutes(5), limit: 2, default);

        Assert.Equal(2, first);
        Assert.Equal<string?>([null, null, "a@example.com", "a@example.com", "a@example.com"], afterFirst.AsEnumerable());
        Assert.Equal(1, second);
        Assert.Equal<string?>([null, null, null, "a@example.com", "a@example.com"], (await EmailsAsync(journal)).AsEnumerable());
        Assert.Equal("confirmed", (await journal.GetAsync("a", default))!.Status.ToString().ToLowerInvariant());
    }

    [Fact]
    public Task FindByEmail_NewestFirstWhateverTheCase_UntilTheEmailIsErased() =>
        JournalRecords.AssertFoundByEmailUntilErasedAsync(new SqlitePurchaseJournal(_database), _now);

    [Fact]
    public async Task Update_AnAlreadySettledPurchase_KeepsWhenItSettled()
    {
        var journal = new SqlitePurchaseJournal(_database);
        var inserted = await journal.InsertAsync(Purchase("a", PurchaseStatus.Processing), default);
        var confirmed = inserted with { Status = PurchaseStatus.Confirmed, UpdatedAt = _now };
        await journal.UpdateAsync(confirmed, default);

        await journal.UpdateAsync(confirmed with { UpdatedAt = _now.AddDays(20) }, default);

        Assert.Equal(1, await journal.EraseEmailsAsync(_now.AddDays(1), limit: 10, default));
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

    /// <summary>The emails of a, b, c, late and pending, in that order.</summary>
    private static async Task<string?[]> EmailsAsync(SqlitePurchaseJournal journal) =>
        await Task.WhenAll(new[] { "a", "b", "c", "late", "pending" }.Select(async id => (await journal.GetAsync(id, default))!.Email));

    private Purchase Purchase(string id, PurchaseStatus status, string? key = null) => JournalRecords.Purchase(id, status, _now, key);
}
