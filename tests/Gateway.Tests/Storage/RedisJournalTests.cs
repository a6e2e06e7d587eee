using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Storage.Redis;
using OnSale.Tests.Common;
using StackExchange.Redis;

namespace OnSale.Gateway.Tests.Storage;

/// <summary>
/// The purchase journal and the holds in Redis, each test on a fresh redis-server, with two or three "nodes" (their own
/// connection, node id and replay lease) on it: exactly one node replays at a time, in arrival order, a node that dies
/// has its unsettled purchases claimed by another, a purchase left live by a dead node is handed to the replay, settled
/// purchases keep no secret and expire, and the seats promised to parked purchases are counted for the cluster.
/// </summary>
public sealed class RedisJournalTests : IAsyncLifetime
{
    private readonly DateTimeOffset _now = TimeProvider.System.GetUtcNow();
    private readonly List<IAsyncDisposable> _owned = [];
    private RedisServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await RedisServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Pending_ParkedAndProcessing_InArrivalOrderAndCounted_LiveAndSettledNot()
    {
        var node = Node();
        await node.Journal.InsertAsync(Purchase("a", PurchaseStatus.Parked), default);
        await node.Journal.InsertAsync(Purchase("b", PurchaseStatus.Confirmed), default);
        await node.Journal.InsertAsync(Purchase("c", PurchaseStatus.Live), default);
        await node.Journal.InsertAsync(Purchase("d", PurchaseStatus.Processing), default);

        var pending = await node.Journal.GetPendingAsync(10, default);

        Assert.Equal(["a", "d"], pending.Select(p => p.PurchaseId));
        Assert.True(pending[0].Sequence < pending[1].Sequence);
        Assert.Equal(2, await node.Journal.CountPendingAsync(default));
        Assert.Equal(["a", "d"], (await node.Journal.TakeForReplayAsync(10, default)).Select(p => p.PurchaseId));
    }

    [Fact]
    public async Task Insert_SameIdempotencyKeyTwice_IsRefusedAndTheFirstKept()
    {
        var node = Node();
        await node.Journal.InsertAsync(Purchase("a", PurchaseStatus.Parked, key: "k"), default);

        await Assert.ThrowsAsync<IdempotencyKeyTakenException>(() => node.Journal.InsertAsync(Purchase("b", PurchaseStatus.Parked, key: "k"), default));
        Assert.Equal("a", (await node.Journal.FindByIdempotencyKeyAsync("k", default))?.PurchaseId);
        Assert.Null(await node.Journal.GetAsync("b", default));
    }

    [Fact]
    public async Task Update_Confirmed_RoundTripsEveryFieldAndLeavesNoSecretInRedis()
    {
        var node = Node();
        var inserted = await node.Journal.InsertAsync(Purchase("a", PurchaseStatus.Processing) with { SessionKey = "sess-secret", HoldId = "hld_1" }, default);
        var confirmed = inserted with
        {
            Status = PurchaseStatus.Confirmed,
            OrderId = 50001,
            Seats = ["A-1", "A-2"],
            TotalCents = 17000,
            Attempts = 3,
            CheckoutAttempted = true,
            Message = "ok",
            UpdatedAt = _now.AddMinutes(1),
        };

        await node.Journal.UpdateAsync(confirmed, default); // the caller kept the token and session: the journal drops them

        var read = await node.Journal.GetAsync("a", default);
        Assert.Equal(confirmed with { Seats = null, PaymentToken = null, SessionKey = null }, read! with { Seats = null });
        Assert.Equal(["A-1", "A-2"], read.Seats);
        var raw = await RawAsync();
        Assert.DoesNotContain("tok_secret", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("sess-secret", raw, StringComparison.Ordinal);
        Assert.Equal(0, await node.Journal.CountPendingAsync(default));
    }

    [Fact]
    public async Task Settled_PurchaseAndItsKey_ExpireAfterTheEmailRetention_SetAsideKeepsItsEmailAndNoExpiry()
    {
        var node = Node();
        var settled = await node.Journal.InsertAsync(Purchase("a", PurchaseStatus.Parked, key: "ka"), default);
        var aside = await node.Journal.InsertAsync(Purchase("b", PurchaseStatus.Parked, key: "kb"), default);

        await node.Journal.UpdateAsync(settled with { Status = PurchaseStatus.Failed, FailureCode = "expired" }, default);
        await node.Journal.UpdateAsync(aside with { Status = PurchaseStatus.NeedsSupport }, default);

        var db = Database();
        foreach (var key in new[] { RedisPurchaseJournal.Tag + "purchase:a", RedisPurchaseJournal.Tag + "key:ka" })
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.InRange(ttl!.Value, TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        }

        Assert.Null(await db.KeyTimeToLiveAsync(RedisPurchaseJournal.Tag + "purchase:b"));
        var setAside = await node.Journal.GetAsync("b", default);
        Assert.Equal(("a@example.com", null, 0), (setAside!.Email, setAside.PaymentToken, await node.Journal.CountPendingAsync(default)));
    }

    [Fact]
    public Task FindByEmail_NewestFirstWhateverTheCase_UntilTheEmailIsErased() =>
        JournalRecords.AssertFoundByEmailUntilErasedAsync(Node().Journal, _now);

    [Fact]
    public async Task FindByEmail_AnExpiredPurchase_LeavesTheIndexWhenMetAndErasureEmptiesIt()
    {
        var node = Node();
        var settled = await node.Journal.InsertAsync(Purchase("a", PurchaseStatus.Processing), default);
        await node.Journal.InsertAsync(Purchase("b", PurchaseStatus.Parked), default);
        await node.Journal.UpdateAsync(settled with { Status = PurchaseStatus.Confirmed }, default);
        var db = Database();
        await db.KeyDeleteAsync(RedisPurchaseJournal.Tag + "purchase:a"); // as its expiry does

        Assert.Equal(["b"], (await node.Journal.FindByEmailAsync("a@example.com", 10, default)).Select(p => p.PurchaseId));
        var index = RedisPurchaseJournal.Tag + "email:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("a@example.com"u8));
        Assert.Equal(["b"], (await db.SortedSetRangeByRankAsync(index)).Select(v => (string)v!));
        Assert.Equal(1, await node.Journal.EraseEmailsAsync(_now.AddSeconds(1), 10, default));
        Assert.Equal(0, await db.SortedSetLengthAsync(RedisPurchaseJournal.Tag + "emails-due"));
    }

    [Fact]
    public async Task Replay_ThreeNodes_OnlyTheLeaseHolderIsHandedPurchases_EachOnce_InArrivalOrder()
    {
        var nodes = new[] { Node(), Node(), Node() };
        foreach (var id in new[] { "p1", "p2", "p3", "p4" })
        {
            await nodes[int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 3].Journal.InsertAsync(Purchase(id, PurchaseStatus.Parked), default);
        }

        var handed = await Task.WhenAll(nodes.Select(n => n.Journal.TakeForReplayAsync(10, default)));

        var replaying = Assert.Single(handed, h => h.Count > 0);
        Assert.Equal(["p1", "p2", "p3", "p4"], replaying.Select(p => p.PurchaseId));
        Assert.Single(nodes, n => n.Lease.IsHeld);
    }

    [Fact]
    public async Task Replay_HolderDiesMidRound_AnotherClaimsItsUnsettledPurchasesFirst_InOrder_AndSettledOnesAreNotReplayed()
    {
        var first = Node();
        var second = Node();
        foreach (var id in new[] { "p1", "p2", "p3" })
        {
            await first.Journal.InsertAsync(Purchase(id, PurchaseStatus.Parked), default);
        }

        var handed = await first.Journal.TakeForReplayAsync(2, default); // p1, p2 handed to the first node
        Assert.Equal(["p1", "p2"], handed.Select(p => p.PurchaseId));
        await first.Journal.UpdateAsync(handed[0] with { Status = PurchaseStatus.Confirmed, OrderId = 1 }, default);
        await first.Journal.UpdateAsync(handed[1] with { Status = PurchaseStatus.Processing, CheckoutAttempted = true }, default); // then it dies
        Assert.Empty(await second.Journal.TakeForReplayAsync(10, default)); // the lease is not the second's yet

        await Database().KeyDeleteAsync(RedisReplayLease.Key); // what running out of a dead node's lease does
        var claimed = await second.Journal.TakeForReplayAsync(10, default);

        Assert.Equal(["p2", "p3"], claimed.Select(p => p.PurchaseId));
        Assert.True(claimed[0].CheckoutAttempted); // so the replay asks FindOrder first
        var consumers = await Database().StreamConsumerInfoAsync(RedisPurchaseJournal.Stream, RedisPurchaseJournal.Group);
        Assert.Equal([second.Self.Id], consumers.Select(c => (string)c.Name!)); // the dead consumer, left with nothing, is forgotten
    }

    [Fact]
    public async Task Replay_RoundEndsEarly_TheSameNodeIsHandedTheSamePurchasesAgainBeforeNewOnes()
    {
        var node = Node();
        foreach (var id in new[] { "p1", "p2", "p3" })
        {
            await node.Journal.InsertAsync(Purchase(id, PurchaseStatus.Parked), default);
        }

        Assert.Equal(["p1"], (await node.Journal.TakeForReplayAsync(1, default)).Select(p => p.PurchaseId));

        Assert.Equal(["p1", "p2"], (await node.Journal.TakeForReplayAsync(2, default)).Select(p => p.PurchaseId));
    }

    [Fact]
    public async Task RecoverInterrupted_LiveOnANodeThatIsGone_BecomesProcessing_LiveOnALiveNodeStaysItsOwn()
    {
        var gone = Node();
        var alive = Node();
        var recovering = Node();
        await gone.Journal.InsertAsync(Purchase("orphan", PurchaseStatus.Live) with { CheckoutAttempted = true }, default);
        await alive.Journal.InsertAsync(Purchase("busy", PurchaseStatus.Live), default);
        await BeatAsync(alive);

        Assert.Equal(1, await recovering.Journal.RecoverInterruptedAsync(default));

        Assert.Equal(PurchaseStatus.Processing, (await recovering.Journal.GetAsync("orphan", default))!.Status);
        Assert.Equal(PurchaseStatus.Live, (await recovering.Journal.GetAsync("busy", default))!.Status);
        Assert.Equal(["orphan"], (await recovering.Journal.GetPendingAsync(10, default)).Select(p => p.PurchaseId));
        Assert.Equal(0, await recovering.Journal.RecoverInterruptedAsync(default));
    }

    [Fact]
    public async Task Promised_ParkedWithoutHold_CountedPerZoneUntilSettled_AndFollowedByEveryNode()
    {
        var node = Node();
        var a = await node.Journal.InsertAsync(Purchase("a", PurchaseStatus.Parked), default);
        await node.Journal.InsertAsync(Purchase("b", PurchaseStatus.Parked) with { ZoneId = 2, Quantity = 3 }, default);
        await node.Journal.InsertAsync(Purchase("held", PurchaseStatus.Parked) with { HoldId = "hld_1" }, default);
        await node.Journal.UpdateAsync(a with { Status = PurchaseStatus.Processing }, default); // still promised, once

        Assert.Equal(new Dictionary<string, int> { ["1001:1"] = 2, ["1001:2"] = 3 }, await PromisedAsync());
        var followed = await RedisPromiseFollower.ReadAsync(Connect()); // as another node reads them
        Assert.Equal(new Dictionary<(int, int), int> { [(1001, 1)] = 2, [(1001, 2)] = 3 }, followed);

        await node.Journal.UpdateAsync(a with { Status = PurchaseStatus.Confirmed, OrderId = 1 }, default);
        await node.Journal.DeleteAsync("b", default);

        Assert.Empty(await PromisedAsync());
    }

    [Fact]
    public async Task Holds_SessionKeptWhileOpen_GoneWhenClosed_HoldForgottenADayAfterExpiry()
    {
        var holds = new RedisHoldStore(Connect(), TimeProvider.System);
        var open = Hold("hld_open");
        await holds.SaveAsync(open, default);
        await holds.SaveAsync(Hold("hld_closed"), default);

        await holds.SaveAsync(Hold("hld_closed") with { Closed = true }, default);

        var kept = await holds.GetAsync("hld_open", default);
        Assert.Equal(open with { Seats = [] }, kept! with { Seats = [] });
        Assert.Equal(open.Seats, kept.Seats);
        var closed = await holds.GetAsync("hld_closed", default);
        Assert.Equal((true, null), (closed!.Closed, closed.SessionKey));
        Assert.DoesNotContain("sess-hld_closed", await RawAsync(), StringComparison.Ordinal);
        var db = Database();
        Assert.InRange((await db.KeyTimeToLiveAsync(RedisConnection.Prefix + "hold-session:hld_open"))!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.InRange((await db.KeyTimeToLiveAsync(RedisConnection.Prefix + "hold:hld_open"))!.Value, TimeSpan.FromDays(1), TimeSpan.FromDays(1) + TimeSpan.FromMinutes(10));
        Assert.Null(await holds.GetAsync("hld_never", default));
    }

    private sealed record TestNode(RedisPurchaseJournal Journal, RedisReplayLease Lease, ThisNode Self, RedisConnection Connection);

    private TestNode Node()
    {
        var connection = Connect();
        var self = new ThisNode(TimeProvider.System, new GatewayReadiness());
        var lease = new RedisReplayLease(connection, self, TimeProvider.System, NullLogger<RedisReplayLease>.Instance);
        var journal = new RedisPurchaseJournal(
            connection, lease, self, TimeProvider.System, Options.Create(new PurchasingOptions()), NullLogger<RedisPurchaseJournal>.Instance);
        return new TestNode(journal, lease, self, connection);
    }

    private async Task BeatAsync(TestNode node) =>
        await new RedisNodeRegistry(node.Connection, node.Self, TimeProvider.System, NullLogger<RedisNodeRegistry>.Instance).BeatAsync();

    private RedisConnection Connect()
    {
        var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = _server.Configuration }), NullLogger<RedisConnection>.Instance);
        _owned.Add(connection);
        return connection;
    }

    private IDatabase Database()
    {
        var multiplexer = ConnectionMultiplexer.Connect(_server.Configuration);
        _owned.Add(multiplexer);
        return multiplexer.GetDatabase();
    }

    /// <summary>Every string, hash and stream value under the gateway's prefix, as whoever reads this Redis sees them.</summary>
    private async Task<string> RawAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        _owned.Add(multiplexer);
        var db = multiplexer.GetDatabase();
        var all = new List<string>();
        foreach (var key in multiplexer.GetServers()[0].Keys(pattern: RedisConnection.Prefix + "*"))
        {
            var type = await db.KeyTypeAsync(key);
            all.Add(type switch
            {
                RedisType.String => (string)(await db.StringGetAsync(key))!,
                RedisType.Hash => JsonSerializer.Serialize((await db.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}")),
                _ => key.ToString(),
            });
        }

        return string.Join('\n', all);
    }

    private async Task<Dictionary<string, int>> PromisedAsync() =>
        (await Database().HashGetAllAsync(RedisPurchaseJournal.Promised)).ToDictionary(e => (string)e.Name!, e => (int)e.Value);

    private Purchase Purchase(string id, PurchaseStatus status, string? key = null) => JournalRecords.Purchase(id, status, _now, key, paymentToken: "tok_secret");

    private HeldSeats Hold(string id) => new()
    {
        HoldId = id,
        SessionKey = "sess-" + id,
        LineItemId = 7,
        PerformanceId = 1001,
        ZoneId = 1,
        Quantity = 2,
        Seats = ["A-1", "A-2"],
        TotalCents = 17000,
        ExpiresAt = _now.AddMinutes(10),
    };
}
