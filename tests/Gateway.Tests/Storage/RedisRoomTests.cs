using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Storage.Redis;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common;
using StackExchange.Redis;

namespace OnSale.Gateway.Tests.Storage;

/// <summary>
/// The waiting room in Redis, each test on a fresh redis-server with three "nodes" (their own connection and room
/// objects) on it: one line whatever node a buyer asks, the lobby placed once for the cluster however many nodes open
/// it at once, one admission limit, one poll budget and one share of seats per place, and a place's cost in Redis.
/// </summary>
public sealed class RedisRoomTests : IAsyncLifetime
{
    private const int Performance = 1001;
    private static readonly DateTimeOffset OpensAt = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly AdmissionPace Slow = new(PurchasesPerSecond: 3);
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly WaitingRoomOptions _options = new() { ActivationThreshold = 1, MaxActiveBuyers = 500 };
    private RedisServerProcess _server = null!;

    // Not about durability: without a forced write per command, so that thousands of joins do not hold up the disk
    // for the other suites' servers.
    public async Task InitializeAsync() => _server = await RedisServerProcess.StartAsync(appendFsync: "everysec");

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Lobby_JoinedAcrossThreeNodesOpenedByAllAtOnce_PlacedOnceAsOneLinePositions1ToWFromEveryNode()
    {
        var nodes = await NodesAsync(3);
        var ids = new List<UInt128>();
        for (var i = 0; i < 30; i++)
        {
            var (view, created) = await nodes[i % 3].JoinAsync(null, null, OpensAt.AddMinutes(-5));
            Assert.NotNull(created);
            Assert.Equal(EntryState.Lobby, view.State);
            ids.Add(view.EntryId);
        }

        var opened = await Task.WhenAll(nodes.Select((n, i) => n.TickAsync(OpensAt, false, new AdmissionPace(0, Queued: true), new SeededShuffle(i)).AsTask()));

        Assert.Single(opened, r => r.Opened);
        Assert.Equal(30, opened.Single(r => r.Opened).Placed);
        foreach (var node in nodes)
        {
            var positions = new List<int>();
            foreach (var id in ids)
            {
                var (view, _) = await node.PollAsync(id, OpensAt, TimeSpan.Zero, 0);
                Assert.Equal(EntryState.Waiting, view!.Value.State);
                positions.Add(view.Value.Position!.Value);
            }

            Assert.Equal(Enumerable.Range(1, 30), positions.Order());
            Assert.NotEqual(Enumerable.Range(1, 30), positions); // placed at random, not in arrival order
        }

        var later = await nodes[1].JoinAsync(null, null, OpensAt.AddSeconds(1));
        Assert.Equal(31, later.View.Position);
    }

    [Fact]
    public async Task Lobby_ClosedByANodeThatDiedBeforePlacingIt_PlacedByAnotherAfterFiveSeconds_LaterJoinersStayBehind()
    {
        var nodes = await NodesAsync(2);
        var lobby = new List<UInt128>();
        for (var i = 0; i < 10; i++)
        {
            lobby.Add((await nodes[0].JoinAsync(null, null, OpensAt.AddMinutes(-1))).View.EntryId);
        }

        // The first node closes the lobby (its script) and dies before it places it.
        RedisKey[] keys = [.. RedisRoomScripts.Keys(Performance).Select(k => (RedisKey)k)];
        Assert.Equal(10, (int)await Database().ScriptEvaluateAsync(RedisRoomScripts.Seal, keys, [OpensAt.ToUnixTimeMilliseconds()]));
        var late = (await nodes[1].JoinAsync(null, null, OpensAt.AddSeconds(1))).View;
        Assert.Equal(11, late.Position); // behind the lobby, whose places are not known yet

        var stillWaiting = await nodes[1].TickAsync(OpensAt.AddSeconds(2), false, new AdmissionPace(0, Queued: true), null);
        Assert.Equal(EntryState.Lobby, (await nodes[1].PollAsync(lobby[0], OpensAt.AddSeconds(2), TimeSpan.Zero, 0)).View!.Value.State);
        await nodes[1].TickAsync(OpensAt.AddSeconds(6), false, new AdmissionPace(0, Queued: true), null);

        var positions = new List<int>();
        foreach (var id in lobby)
        {
            positions.Add((await nodes[0].PollAsync(id, OpensAt.AddSeconds(6), TimeSpan.Zero, 0)).View!.Value.Position!.Value);
        }

        Assert.False(stillWaiting.Opened);
        Assert.Equal(Enumerable.Range(1, 10), positions.Order());
        Assert.Equal(11, (await nodes[0].PollAsync(late.EntryId, OpensAt.AddSeconds(6), TimeSpan.Zero, 0)).View!.Value.Position);
    }

    [Fact]
    public async Task Admission_RoundsFromThreeNodes_OneLimitForTheClusterAndPositionsOnlyMoveForward()
    {
        var nodes = await NodesAsync(3);
        await nodes[0].TickAsync(OpensAt, false, Slow, null); // opens an empty lobby
        var ids = new List<UInt128>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add((await nodes[i % 3].JoinAsync(null, null, OpensAt.AddSeconds(1))).View.EntryId);
        }

        var last = 40;
        for (var round = 0; round < 12; round++)
        {
            var now = OpensAt.AddSeconds(2 + round);
            var pace = new AdmissionPace(PurchasesPerSecond: 1); // per node: the cluster's pace is three times that
            await Task.WhenAll(nodes.Select(n => n.TickAsync(now, false, pace, null).AsTask()));
            var (view, _) = await nodes[round % 3].PollAsync(ids[^1], now, TimeSpan.Zero, 0);
            Assert.True(view!.Value.Position <= last, $"position went from {last} to {view.Value.Position}");
            last = view.Value.Position!.Value;
        }

        var admitted = 0;
        foreach (var id in ids)
        {
            admitted += (await nodes[0].PollAsync(id, OpensAt.AddSeconds(14), TimeSpan.Zero, 0)).View!.Value.State == EntryState.Admitted ? 1 : 0;
        }

        var figures = ((IRoom)nodes[2]).Figures;
        Assert.InRange(figures.Limit, 2, 39); // the limit binds: nine rounds could let everyone in at the pace alone
        Assert.Equal(figures.Limit, admitted);
        Assert.Equal(admitted, figures.Active);
        Assert.Equal(40 - admitted, figures.Waiting);
        Assert.Equal(40 - admitted, last); // the last to join is last in line
    }

    [Fact]
    public async Task Spend_SharePerPlaceWhateverNode_AndAReleaseOnOneNodeFreesTheTurnForTheNext()
    {
        var nodes = await NodesAsync(2);
        await nodes[0].TickAsync(OpensAt, false, Slow, null);
        var first = (await nodes[0].JoinAsync(null, null, OpensAt.AddSeconds(1))).View;
        Assert.Equal(EntryState.Admitted, first.State); // quiet room: straight in (threshold 1)
        var second = (await nodes[1].JoinAsync(null, null, OpensAt.AddSeconds(1))).View;
        Assert.Equal(1, second.Position);

        Assert.Equal(SpendOutcome.Spent, (await nodes[0].SpendAsync(first.EntryId, 6, 10, OpensAt.AddSeconds(2))).Outcome);
        var over = await nodes[1].SpendAsync(first.EntryId, 6, 10, OpensAt.AddSeconds(2));
        Assert.Equal((SpendOutcome.OverBudget, 4), (over.Outcome, over.Left));
        Assert.Equal(SpendOutcome.NotAdmitted, (await nodes[1].SpendAsync(second.EntryId, 1, 10, OpensAt.AddSeconds(2))).Outcome);

        await nodes[1].ReleaseAsync(first.EntryId, OpensAt.AddSeconds(3));
        await nodes[0].TickAsync(OpensAt.AddSeconds(4), false, new AdmissionPace(PurchasesPerSecond: 5), null);

        Assert.Equal(EntryState.Done, (await nodes[1].PollAsync(first.EntryId, OpensAt.AddSeconds(4), TimeSpan.Zero, 0)).View!.Value.State);
        Assert.Equal(EntryState.Admitted, (await nodes[0].PollAsync(second.EntryId, OpensAt.AddSeconds(4), TimeSpan.Zero, 0)).View!.Value.State);
        Assert.Equal(SpendOutcome.Spent, (await nodes[1].SpendAsync(second.EntryId, 10, 10, OpensAt.AddSeconds(4))).Outcome);
    }

    [Fact]
    public async Task Poll_BudgetPerPlaceForTheCluster_ASecondNodeDoesNotGiveAFreshBudget()
    {
        var nodes = await NodesAsync(2);
        var id = (await nodes[0].JoinAsync(null, null, OpensAt.AddMinutes(-1))).View.EntryId;
        var now = OpensAt.AddMinutes(-1);

        Assert.Null((await nodes[0].PollAsync(id, now, TimeSpan.FromSeconds(1), 1)).Throttled);
        Assert.Null((await nodes[1].PollAsync(id, now, TimeSpan.FromSeconds(1), 1)).Throttled);
        var (view, throttled) = await nodes[1].PollAsync(id, now, TimeSpan.FromSeconds(1), 1);

        Assert.Equal(EntryState.Lobby, view!.Value.State); // seen all the same
        Assert.Equal(TimeSpan.FromSeconds(1), throttled);
        Assert.Null((await nodes[0].PollAsync(id, now.AddSeconds(1), TimeSpan.FromSeconds(1), 1)).Throttled);
    }

    [Fact]
    public async Task Find_ForgedOrUnknownIds_AreNobodysPlace_AndANamedIdKeepsItsPlace()
    {
        var nodes = await NodesAsync(2);
        var minted = (await nodes[0].JoinAsync(null, null, OpensAt.AddMinutes(-1))).View.EntryId;
        var named = (UInt128.MaxValue / 3) + 12345; // a venue identity's id: its low bits are not its index
        var placed = await nodes[0].JoinAsync(named, named, OpensAt.AddMinutes(-1));
        Assert.NotNull(placed.Created);
        var again = await nodes[1].JoinAsync(named, named, OpensAt.AddMinutes(-1));

        Assert.Null(again.Created);
        Assert.Equal(named, again.View.EntryId);
        Assert.Null((await nodes[1].PollAsync(minted ^ ((UInt128)1 << 100), OpensAt, TimeSpan.Zero, 0)).View); // right index, wrong bits
        Assert.Null((await nodes[1].PollAsync(minted + 7, OpensAt, TimeSpan.Zero, 0)).View); // an index nobody has
        Assert.NotNull((await nodes[1].PollAsync(minted, OpensAt, TimeSpan.Zero, 0)).View);
    }

    [Fact]
    public async Task Rooms_MadeOnOneNode_AreFoundByTheOthers()
    {
        var rooms = Factory();
        var other = Factory();
        Assert.Null(await other.FindAsync(Performance, default));

        await rooms.CreateAsync(Performance, OpensAt, default);
        var again = await other.CreateAsync(Performance, OpensAt.AddHours(1), default); // the first node's room, not a new one

        Assert.Equal(OpensAt, again.OpensAt);
        Assert.Equal(OpensAt, (await other.FindAsync(Performance, default))!.OpensAt);
        Assert.Equal([Performance], (await Factory().MadeElsewhereAsync([], default)).Select(r => r.PerformanceId));
        Assert.Empty(await Factory().MadeElsewhereAsync([Performance], default));
    }

    [Fact]
    public async Task Place_InRedis_CostsAFewTensOfBytesInItsKeys()
    {
        var nodes = await NodesAsync(1);
        const int Places = 5_000;
        for (var i = 0; i < Places; i++)
        {
            await nodes[0].JoinAsync(null, null, OpensAt.AddMinutes(-1));
        }

        await nodes[0].TickAsync(OpensAt, false, new AdmissionPace(0, Queued: true), null);

        var db = Database();
        long bytes = 0;
        foreach (var key in RedisRoomScripts.Keys(Performance))
        {
            bytes += (long?)await db.ExecuteAsync("MEMORY", "USAGE", key) ?? 0;
        }

        // 32 a slot, 4 in the line, 4 in the lobby's ranks; below a megabyte Redis doubles a growing string's room, so at
        // this size up to twice the slots' share (bench/ measures a million places, where the slack is under 1 %).
        Assert.InRange(bytes / (double)Places, 40, 80);
    }

    private async Task<RedisRoom[]> NodesAsync(int count)
    {
        var rooms = new RedisRoom[count];
        for (var i = 0; i < count; i++)
        {
            rooms[i] = (RedisRoom)await Factory().CreateAsync(Performance, OpensAt, default);
        }

        return rooms;
    }

    private RedisRooms Factory()
    {
        var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = _server.Configuration }), NullLogger<RedisConnection>.Instance);
        _owned.Add(connection);
        var nodes = new ThreeNodes();
        return new RedisRooms(connection, nodes, TimeProvider.System, Options.Create(_options), NullLogger<RedisRoom>.Instance);
    }

    private IDatabase Database()
    {
        var multiplexer = ConnectionMultiplexer.Connect(_server.Configuration);
        _owned.Add(multiplexer);
        return multiplexer.GetDatabase();
    }

    /// <summary>A cluster of three live nodes, as the node registry would say.</summary>
    private sealed class ThreeNodes : IClusterNodes
    {
        public IReadOnlyList<NodeView> Nodes { get; } =
            [.. Enumerable.Range(0, 3).Select(i => new NodeView($"n{i}", "test", "1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, true))];

        public event Action<int>? Changed
        {
            add { }
            remove { }
        }
    }

    private sealed class SeededShuffle(int seed) : IShuffleRandom
    {
        private readonly Random _random = new(seed);

        public int Next(int maxExclusive) => _random.Next(maxExclusive);
    }
}
