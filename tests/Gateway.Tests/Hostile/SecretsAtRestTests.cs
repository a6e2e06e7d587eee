using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Storage.Embedded;
using OnSale.Gateway.WaitingRoom;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.Hostile;

/// <summary>
/// What someone who gets to read the gateway's data folder finds there, as a hostile review found it: a world-readable
/// <c>gateway.db</c>, the waiting room's signing key in plain text (a token forged with it was accepted), and payment
/// tokens, backend sessions and emails kept for ever. Each finding is reproduced here against the real gateway and
/// its real files.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretsAtRestTests : IDisposable
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Wide = Folder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode WideFile = File0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// For what only the embedded store keeps in its files (the database, the protected signing key, the journal's
    /// rows; in Redis mode nothing is written to gateway.db), whichever
    /// store the suite runs on; what the Redis store keeps is read from Redis in Storage/RedisJournalTests.
    /// </summary>
    private static readonly Dictionary<string, string?> Embedded = new() { ["Gateway:Store"] = "Embedded" };

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    // 1. The data folder and its files.
    [Fact]
    public async Task DataFolder_AfterStartAndWrites_FolderIs0700AndDbWalShmAndKeyRingAre0600()
    {
        await using var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded);
        await JoinAsync(gateway); // the signing key, and with it the key ring
        using var bought = await gateway.PurchaseAsync(Requests.Purchase());
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);

        Assert.Equal(Folder, File.GetUnixFileMode(_dataPath));
        foreach (var name in new[] { "gateway.db", "gateway.db-wal", "gateway.db-shm" })
        {
            Assert.True(File.Exists(Path.Combine(_dataPath, name)), $"{name} exists while the gateway runs");
            Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(_dataPath, name)));
        }

        var keys = Path.Combine(_dataPath, "keys");
        Assert.Equal(Folder, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys));
        foreach (var entry in Directory.EnumerateFileSystemEntries(_dataPath, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(Directory.Exists(entry) ? Folder : File0600, File.GetUnixFileMode(entry));
        }
    }

    [Fact]
    public async Task DataFolder_Existing0755FolderAnd0644Files_AreTightenedAtStartUpAndLoggedOnce()
    {
        Directory.CreateDirectory(_dataPath);
        new SqliteDatabase(_dataPath, NullLogger<SqliteDatabase>.Instance).Dispose();
        SqliteConnection.ClearAllPools();
        var keys = Directory.CreateDirectory(Path.Combine(_dataPath, "keys")).FullName;
        var notes = Path.Combine(_dataPath, "notes.txt");
        await File.WriteAllTextAsync(notes, "left by an operator");
        File.SetUnixFileMode(_dataPath, Wide);
        File.SetUnixFileMode(keys, Wide);
        File.SetUnixFileMode(Path.Combine(_dataPath, "gateway.db"), WideFile);
        File.SetUnixFileMode(notes, WideFile);
        var logs = new LogCapture();

        await using (var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded, services: s => s.AddSingleton<ILoggerProvider>(logs)))
        {
            await JoinAsync(gateway);

            Assert.Equal(Folder, File.GetUnixFileMode(_dataPath));
            Assert.Equal(Folder, File.GetUnixFileMode(keys));
            Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(_dataPath, "gateway.db")));
            Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(_dataPath, "gateway.db-wal")));
            Assert.Equal(File0600, File.GetUnixFileMode(notes));
        }

        var tightened = logs.Messages(501);
        foreach (var path in new[] { _dataPath, keys, Path.Combine(_dataPath, "gateway.db"), notes })
        {
            Assert.Single(tightened, m => m.StartsWith(path + " ", StringComparison.Ordinal));
        }

        var again = new LogCapture();
        await using (var restarted = await GatewayHost.StartAsync(dataPath: _dataPath, services: s => s.AddSingleton<ILoggerProvider>(again)))
        {
            await JoinAsync(restarted);
        }

        Assert.Empty(again.Messages(501));
    }

    // 2. The signing key.
    [Fact]
    public async Task SigningKey_StoredValueIsNotTheKey_TokensSignedWithItOrAny32BytesOfItAreRefused()
    {
        // The embedded store's protected key (the Redis store keeps its shared key in Redis: RedisStoreTests).
        await using var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded);
        var token = await JoinAsync(gateway);
        var stored = (string)Scalar("SELECT value FROM settings WHERE key = 'waitingroom.signing-key.protected';")!;
        var decoded = Convert.FromBase64String(stored);
        var candidates = new List<byte[]> { Encoding.UTF8.GetBytes(stored), decoded };
        for (var i = 0; i + 32 <= decoded.Length; i++)
        {
            candidates.Add(decoded[i..(i + 32)]);
        }

        // The forgery itself works: with the key the gateway really uses, a re-signed token is accepted.
        using (var genuine = await StatusAsync(gateway, Resign(token, gateway.Get<WaitingRoomKeys>().Secrets[0].Secret)))
        {
            Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        }

        foreach (var candidate in candidates)
        {
            using var forged = await StatusAsync(gateway, Resign(token, candidate));
            await Problems.AssertAsync(forged, HttpStatusCode.Unauthorized, "invalid_token");
        }

        Assert.Null(Scalar("SELECT value FROM settings WHERE key = 'waitingroom.signing-key';"));
    }

    [Fact]
    public async Task SigningKey_Generated_TokensSurviveARestart()
    {
        string token;
        await using (var first = await GatewayHost.StartAsync(dataPath: _dataPath))
        {
            token = await JoinAsync(first);
        }

        await using var second = await GatewayHost.StartAsync(dataPath: _dataPath);

        using var status = await StatusAsync(second, token);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task SigningKey_PlainFromAnOlderVersion_IsKeptProtectedAndThePlainCopyIsGoneFromTheFiles()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var plain = Convert.ToBase64String(key);
        using (var older = new SqliteDatabase(_dataPath, NullLogger<SqliteDatabase>.Instance))
        {
            await older.ExecuteAsync("INSERT INTO settings (key, value) VALUES ('waitingroom.signing-key', $v);", p => p.AddWithValue("$v", plain), default);
        }

        SqliteConnection.ClearAllPools();
        Assert.True(FilesContain(plain), "the older version's file holds the plain key");

        string token;
        await using (var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded))
        {
            token = await JoinAsync(gateway);
            Assert.Equal(Resign(token, key), token); // still signed with the same key: nobody's place is lost

            Assert.Null(Scalar("SELECT value FROM settings WHERE key = 'waitingroom.signing-key';"));
            var stored = (string)Scalar("SELECT value FROM settings WHERE key = 'waitingroom.signing-key.protected';")!;
            Assert.NotEqual(plain, stored);
            Assert.False(FilesContain(plain), "no copy of the plain key is left in gateway.db or its log");
            Assert.False(FilesContain(key), "nor the key's bytes");
        }

        await using var restarted = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded);
        using var status = await StatusAsync(restarted, token);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    // 3. Payment tokens and backend sessions end with the purchase.
    [Fact]
    public async Task LivePurchase_ConfirmedOrDeclined_LeavesNoPaymentTokenOrSession()
    {
        var token = "tok_secret_" + Guid.NewGuid().ToString("N");
        var declinedToken = "tok_declined_" + Guid.NewGuid().ToString("N");
        await using var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded);

        using var bought = await gateway.PurchaseAsync(Requests.Purchase(paymentToken: token));
        using var declined = await gateway.PurchaseAsync(Requests.Purchase(paymentToken: declinedToken));

        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        await Problems.AssertAsync(declined, HttpStatusCode.PaymentRequired, "payment_declined");
        AssertSettled(await IdAsync(bought));
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM purchases WHERE payment_token IS NOT NULL OR session_key IS NOT NULL;"));

        // The write-ahead log still holds the pages as they were before; the retention run empties it.
        await gateway.Get<RetentionWorker>().RunOnceAsync(default);
        Assert.False(FilesContain(token), "the payment token is nowhere in gateway.db or its log");
        Assert.False(FilesContain(declinedToken), "nor the declined one");
    }

    [Fact]
    public async Task HoldCheckout_BoughtOrReleased_LeavesNoPaymentTokenOrSession()
    {
        await using var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded);
        var bought = await HoldAsync(gateway);
        var released = await HoldAsync(gateway);
        var open = await HoldAsync(gateway);

        using var checkout = await gateway.PostAsync($"/api/v1/holds/{bought}/checkout", Requests.Checkout(), "secrets-checkout");
        using var release = await gateway.Client.DeleteAsync($"/api/v1/holds/{released}");

        Assert.Equal(HttpStatusCode.Created, checkout.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        AssertSettled(await IdAsync(checkout));
        Assert.Null(HoldSession(bought));
        Assert.Null(HoldSession(released));
        Assert.NotNull(HoldSession(open)); // still needed: the buyer may buy or release it
    }

    [Fact]
    public async Task Replay_ParkedPurchasesConfirmedOrFailed_LeaveNoPaymentTokenOrSession()
    {
        await using var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded);
        await gateway.KnowAvailabilityAsync(1003);
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var toConfirm = await gateway.PurchaseAsync(Requests.Purchase(1003));
        using var toFail = await gateway.PurchaseAsync(Requests.Purchase(1003, paymentToken: "tok_declined_parked"));
        var (confirmed, failed) = (await IdAsync(toConfirm), await IdAsync(toFail));
        Assert.NotNull(Scalar("SELECT payment_token FROM purchases WHERE purchase_id = $id;", confirmed)); // needed until then

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();

        Assert.Equal("confirmed", (await gateway.SettledAsync(confirmed)).GetProperty("status").GetString());
        Assert.Equal("failed", (await gateway.SettledAsync(failed)).GetProperty("status").GetString());
        AssertSettled(confirmed);
        AssertSettled(failed);
    }

    [Fact]
    public async Task Replay_ReconciledByFindOrder_LeavesNoPaymentTokenOrSession()
    {
        await using var mock = await MockBackendHost.StartAsync();
        string id;
        await using (var before = await GatewayHost.StartAsync(mock: mock, dataPath: _dataPath, settings: Embedded))
        {
            using var bought = await before.PurchaseAsync(Requests.Purchase());
            id = await IdAsync(bought);
        }

        // As a crash between Checkout and its answer leaves it: the order exists at the backend, the journal does not know.
        Execute(
            "UPDATE purchases SET status = 'processing', checkout_attempted = 1, payment_token = 'tok_crashed', session_key = 'sess-crashed', " +
            "order_id = NULL, seats = NULL, settled_at = NULL WHERE purchase_id = $id;",
            id);

        await using var after = await GatewayHost.StartAsync(mock: mock, dataPath: _dataPath, settings: Embedded);

        Assert.Equal("confirmed", (await after.SettledAsync(id)).GetProperty("status").GetString());
        AssertSettled(id);
        Assert.True((await mock.Control.GetStatsAsync()).Calls.GetValueOrDefault("FindOrder") >= 1);
        Assert.Single(await mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Replay_SetAsideForSupport_LeavesNoPaymentTokenOrSessionButKeepsTheEmail()
    {
        await using var gateway = await GatewayHost.StartAsync(dataPath: _dataPath, settings: Embedded, services: s => s.Decorate(inner => new CheckoutBug(inner)));
        await gateway.KnowAvailabilityAsync(1003);
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var parked = await gateway.PurchaseAsync(Requests.Purchase(1003, paymentToken: CheckoutBug.Token));
        var id = await IdAsync(parked);

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(
            () => Task.FromResult(Scalar("SELECT status FROM purchases WHERE purchase_id = $id;", id)),
            status => (string?)status == "needssupport",
            "the purchase is set aside for support");
        Assert.Null(Scalar("SELECT payment_token FROM purchases WHERE purchase_id = $id;", id));
        Assert.Null(Scalar("SELECT session_key FROM purchases WHERE purchase_id = $id;", id));
        Assert.Null(Scalar("SELECT settled_at FROM purchases WHERE purchase_id = $id;", id)); // not settled: support still needs the buyer
        Assert.Equal("buyer@example.com", Scalar("SELECT email FROM purchases WHERE purchase_id = $id;", id));
    }

    // 4. Emails and holds end after their time.
    [Fact]
    public async Task Email_SettledPurchase_ErasedAfterTheRetentionNotBefore_AndThePurchaseStillAnswers()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, dataPath: _dataPath, settings: Embedded);
        var retention = gateway.Get<RetentionWorker>();
        await RanAsync(retention, time.GetUtcNow());
        using var bought = await gateway.PurchaseAsync(Requests.Purchase());
        var id = await IdAsync(bought);
        var settledAt = DateTimeOffset.FromUnixTimeMilliseconds((long)Scalar("SELECT settled_at FROM purchases WHERE purchase_id = $id;", id)!);

        time.SetUtcNow(settledAt + TimeSpan.FromDays(30) - TimeSpan.FromHours(1));
        await RanAsync(retention, time.GetUtcNow());
        Assert.Equal("buyer@example.com", Scalar("SELECT email FROM purchases WHERE purchase_id = $id;", id));

        time.SetUtcNow(settledAt + TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var run = await RanAsync(retention, time.GetUtcNow());

        Assert.Equal(1, run.Emails);
        Assert.Null(Scalar("SELECT email FROM purchases WHERE purchase_id = $id;", id));
        Assert.Null(Scalar("SELECT client_key FROM purchases WHERE purchase_id = $id;", id));
        Assert.False(FilesContain("buyer@example.com"), "the email is nowhere in gateway.db or its log");
        var answer = await gateway.GetJsonAsync($"/api/v1/purchases/{id}");
        Assert.Equal("confirmed", answer.GetProperty("status").GetString());
        Assert.Equal(id, answer.GetProperty("purchaseId").GetString());
    }

    [Fact]
    public async Task Holds_ExpiredLoseTheirSessionAndAllAreDeletedADayAfterExpiry()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, dataPath: _dataPath, settings: Embedded);
        var retention = gateway.Get<RetentionWorker>();
        await RanAsync(retention, time.GetUtcNow());
        var released = await HoldAsync(gateway);
        var expired = await HoldAsync(gateway);
        using (await gateway.Client.DeleteAsync($"/api/v1/holds/{released}"))
        {
        }

        time.Advance(TimeSpan.FromMinutes(5));
        await retention.RunOnceAsync(default);
        Assert.NotNull(HoldSession(expired)); // the backend holds it for ten minutes: not yet

        time.Advance(TimeSpan.FromHours(1)); // past the next scheduled run
        await RanAsync(retention, time.GetUtcNow());
        Assert.Null(HoldSession(expired));
        using (var late = await gateway.Client.DeleteAsync($"/api/v1/holds/{expired}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, late.StatusCode); // nothing left to release at the backend
        }

        Assert.Equal(2L, Scalar("SELECT COUNT(*) FROM holds;"));
        time.Advance(RetentionWorker.HoldsKeptFor);
        var run = await RanAsync(retention, time.GetUtcNow());

        Assert.Equal(2, run.Holds);
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM holds;"));
        using var forgotten = await gateway.Client.DeleteAsync($"/api/v1/holds/{released}");
        await Problems.AssertAsync(forgotten, HttpStatusCode.NotFound, "unknown_hold");
    }

    /// <summary>Waits for the scheduled retention run at or after <paramref name="at"/> (the clock is not moved).</summary>
    private static async Task<RetentionRun> RanAsync(RetentionWorker worker, DateTimeOffset at) =>
        (await Eventually.HoldsAsync(
            () => Task.FromResult(worker.LastRun),
            run => run is { Failed: false } && run.At >= at,
            $"a retention run at {at:O}"))!;

    private void AssertSettled(string purchaseId)
    {
        Assert.Null(Scalar("SELECT payment_token FROM purchases WHERE purchase_id = $id;", purchaseId));
        Assert.Null(Scalar("SELECT session_key FROM purchases WHERE purchase_id = $id;", purchaseId));
        Assert.NotNull(Scalar("SELECT settled_at FROM purchases WHERE purchase_id = $id;", purchaseId));
    }

    private object? HoldSession(string holdId) => Scalar("SELECT session_key FROM holds WHERE hold_id = $id;", holdId);

    private object? Scalar(string sql, string? id = null)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private void Execute(string sql, string id)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dataPath, "gateway.db"), Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Whether gateway.db or its write-ahead log holds <paramref name="text"/> anywhere, as a copy of the files would.</summary>
    private bool FilesContain(string text) => FilesContain(Encoding.UTF8.GetBytes(text));

    private bool FilesContain(byte[] needle) =>
        new[] { "gateway.db", "gateway.db-wal" }
            .Select(name => Path.Combine(_dataPath, name))
            .Where(File.Exists)
            .Any(path => ReadShared(path).AsSpan().IndexOf(needle) >= 0);

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task<string> JoinAsync(GatewayHost gateway)
    {
        using var joined = await gateway.Client.PostAsync("/api/v1/performances/1001/queue", null);
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        return (await GatewayHost.JsonAsync(joined)).GetProperty("queueToken").GetString()!;
    }

    private static Task<HttpResponseMessage> StatusAsync(GatewayHost gateway, string queueToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        return gateway.Client.SendAsync(request);
    }

    /// <summary>The token's claims signed again with <paramref name="key"/>, as a forger holding that key would.</summary>
    private static string Resign(string token, byte[] key)
    {
        var body = token[..token.LastIndexOf('.')];
        return body + "." + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(body))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static async Task<string> HoldAsync(GatewayHost gateway)
    {
        using var held = await gateway.PostAsync("/api/v1/holds", Requests.Hold());
        Assert.Equal(HttpStatusCode.Created, held.StatusCode);
        return (await GatewayHost.JsonAsync(held)).GetProperty("holdId").GetString()!;
    }

    private static async Task<string> IdAsync(HttpResponseMessage response) =>
        (await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!;

    /// <summary>Log events as the gateway writes them, by event id.</summary>
    private sealed class LogCapture : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<(int Id, string Message)> _entries = new();

        public IReadOnlyList<string> Messages(int eventId) => [.. _entries.Where(e => e.Id == eventId).Select(e => e.Message)];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((eventId.Id, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
