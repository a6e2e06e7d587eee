using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Storage.Redis;
using OnSale.Tests.Common;

namespace OnSale.Gateway.Tests.Storage;

/// <summary>One real redis-server (AOF, appendfsync always) for the tests of a class.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServerProcess.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The Redis store against a real redis-server: what its persistence promises, settings shared and followed between
/// nodes, one signing key for all, a clear refusal when Redis is gone, and two gateways on one Redis acting as one.
/// </summary>
public sealed class RedisStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Theory]
    [InlineData("no", "everysec", true)]
    [InlineData("no", null, true)]
    [InlineData("yes", "no", true)]
    [InlineData("yes", "everysec", false)]
    [InlineData("yes", "always", false)]
    [InlineData("yes", "sometimes", true)]
    public void Judge_Persistence_WarnsWhenACrashWouldLoseAcknowledgedWrites(string appendOnly, string? appendFsync, bool warns)
    {
        var durability = RedisDurability.Judge(appendOnly, appendFsync);

        Assert.Equal(warns, durability.Warning is not null);
        Assert.Equal(appendOnly == "yes", durability.AppendOnly);
    }

    [Fact]
    public async Task Startup_ServerWithoutAppendOnlyFile_WarnsAndSaysWhatACrashLoses()
    {
        await using var volatileRedis = await RedisServerProcess.StartAsync(appendFsync: "off");
        await using var connection = Connect(volatileRedis.Configuration);
        var startup = new RedisStartup(connection, new RedisSettingsStore(connection), TimeProvider.System, NullLogger<RedisStartup>.Instance);

        await startup.StartAsync(CancellationToken.None);

        Assert.False(startup.Durability!.AppendOnly);
        Assert.Contains("appendonly is off", startup.Durability.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_ServerWithAppendFsyncAlways_IsDurableAndReady()
    {
        await using var connection = Connect(redis.Server.Configuration);
        var startup = new RedisStartup(connection, new RedisSettingsStore(connection), TimeProvider.System, NullLogger<RedisStartup>.Instance);

        await startup.StartAsync(CancellationToken.None);
        var health = await startup.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(("always", (string?)null), (startup.Durability!.AppendFsync, startup.Durability.Warning));
        Assert.Equal(HealthStatus.Healthy, health.Status);
    }

    [Fact]
    public async Task SetAsync_OnOneNode_OtherNodeHearsTheKeyAndReadsTheValue_TheWriterHearsNothing()
    {
        await using var first = Connect(redis.Server.Configuration);
        await using var second = Connect(redis.Server.Configuration);
        var writer = new RedisSettingsStore(first);
        var follower = new RedisSettingsStore(second);
        var heardByWriter = new ConcurrentQueue<string?>();
        var heardByFollower = new ConcurrentQueue<string?>();
        writer.ChangedElsewhere += heardByWriter.Enqueue;
        follower.ChangedElsewhere += heardByFollower.Enqueue;
        await ConnectedAsync(first);
        await ConnectedAsync(second);
        await writer.SubscribeAsync();
        await follower.SubscribeAsync();
        var key = "test." + Guid.NewGuid().ToString("N");

        await writer.SetAsync(key, "degraded", CancellationToken.None);

        await Eventually.HoldsAsync(() => Task.FromResult(heardByFollower.ToArray()), h => h.Contains(key), "the other node hears of the change");
        Assert.Equal("degraded", await follower.GetAsync(key, CancellationToken.None));
        Assert.DoesNotContain(key, heardByWriter);
        await writer.SetAsync(key, null, CancellationToken.None);
        Assert.Null(await follower.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task GetAuditAsync_LinesFromSeveralNodes_NewestFirstWithEveryField()
    {
        await using var first = Connect(redis.Server.Configuration);
        await using var second = Connect(redis.Server.Configuration);
        var a = new RedisSettingsStore(first);
        var b = new RedisSettingsStore(second);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        var marker = Guid.NewGuid().ToString("N");

        await a.AppendAuditAsync(new AuditEntry(at, "alice", "mode.degraded", "box slow " + marker), CancellationToken.None);
        await b.AppendAuditAsync(new AuditEntry(at.AddSeconds(1), "bob", "banner.set", "with a \u001f separator? no: " + marker), CancellationToken.None);
        await a.AppendAuditAsync(new AuditEntry(at.AddSeconds(2), "alice", "mode.normal", "fine " + marker), CancellationToken.None);
        var audit = await b.GetAuditAsync(2, CancellationToken.None);

        Assert.Equal(["mode.normal", "banner.set"], audit.Select(e => e.Action));
        Assert.Equal(new AuditEntry(at.AddSeconds(2), "alice", "mode.normal", "fine " + marker), audit[0]);
        Assert.Equal("bob", audit[1].Who);
    }

    [Fact]
    public async Task SigningKey_EightNodesStartingAtOnce_AllGetTheOneKeyTheFirstKept()
    {
        await using var fresh = await RedisServerProcess.StartAsync();
        var connections = Enumerable.Range(0, 8).Select(_ => Connect(fresh.Configuration)).ToArray();
        try
        {
            var keys = await Task.WhenAll(connections.Select(c => new RedisSigningKey(c).GetOrCreateAsync(CancellationToken.None)));

            Assert.Single(keys.Select(Convert.ToBase64String).Distinct());
            Assert.Equal(32, keys[0].Length);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RunAsync_RedisGone_RefusesAtOnceWithStoreUnavailable_AndHealthSaysWhy()
    {
        await using var doomed = await RedisServerProcess.StartAsync();
        await using var connection = Connect(doomed.Configuration);
        var store = new RedisSettingsStore(connection);
        var startup = new RedisStartup(connection, store, TimeProvider.System, NullLogger<RedisStartup>.Instance);
        await store.SetAsync("k", "v", CancellationToken.None);

        doomed.Kill();
        var refused = await Eventually.HoldsAsync(
            async () => await Record.ExceptionAsync(() => store.GetAsync("k", CancellationToken.None)),
            e => e is not null,
            "a read with Redis gone fails");
        var health = await startup.CheckHealthAsync(new HealthCheckContext());

        Assert.IsType<StoreUnavailableException>(refused);
        Assert.Contains(doomed.Address, refused.Message, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("is not answering", health.Description, StringComparison.Ordinal);

        await doomed.RestartAsync();
        Assert.Equal("v", await Eventually.HoldsAsync(
            async () => await Record.ExceptionAsync(() => store.GetAsync("k", CancellationToken.None)) is null ? await store.GetAsync("k", CancellationToken.None) : null,
            v => v is not null,
            "reads resume when Redis is back (its AOF kept the value)"));
    }

    [Fact]
    public async Task TwoGateways_OneRedis_ModeBannerAndTokensAreShared()
    {
        await using var one = await GatewayHost.StartAsync(settings: RedisMode());
        await using var two = await GatewayHost.StartAsync(settings: RedisMode(), mock: one.Mock);

        Assert.Equal(HttpStatusCode.OK, (await one.SetModeAsync("degraded", "box on fire")).StatusCode);
        await Eventually.HoldsAsync(() => StatusAsync(two), s => s.Mode == "degraded", "the other gateway is degraded too");
        Assert.Equal(HttpStatusCode.OK, (await two.Admin.PutAsJsonAsync("/admin/api/banner", new { message = "Doors at 7", level = "info" })).StatusCode);
        var seen = await Eventually.HoldsAsync(() => StatusAsync(one), s => s.Banner == "Doors at 7", "the first gateway shows the banner set on the second");
        Assert.Equal(HttpStatusCode.OK, (await two.SetModeAsync("normal", "box fine")).StatusCode);
        await Eventually.HoldsAsync(() => StatusAsync(one), s => s.Mode == "normal", "the first gateway is back to normal");

        var audit = await one.Admin.GetFromJsonAsync<List<AuditLine>>("/admin/api/audit");
        Assert.Equal(["mode.normal", "banner.set", "mode.degraded"], audit!.Take(3).Select(a => a.Action));
        Assert.Equal("degraded", seen.Mode);
        Assert.Equal(
            Convert.ToBase64String(one.Get<Gateway.WaitingRoom.WaitingRoomKeys>().Secrets[0].Secret),
            Convert.ToBase64String(two.Get<Gateway.WaitingRoom.WaitingRoomKeys>().Secrets[0].Secret));
    }

    [Fact]
    public async Task NodeRegistry_TwoNodesBeat_EachSeesBoth_ThenOneFallsSilentAndIsForgotten()
    {
        await using var fresh = await RedisServerProcess.StartAsync();
        await using var first = Connect(fresh.Configuration);
        await using var second = Connect(fresh.Configuration);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var a = Registry(first, time);
        var b = Registry(second, time);
        var counts = new ConcurrentQueue<int>();
        a.Changed += counts.Enqueue;

        await a.BeatAsync();
        await b.BeatAsync();
        await a.BeatAsync();
        var bothSeenByA = a.Nodes.Select(n => n.Id).ToArray();
        var bothSeenByB = b.Nodes.Select(n => n.Id).ToArray();
        time.Advance(TimeSpan.FromSeconds(6));
        await a.BeatAsync();

        Assert.Equal(2, bothSeenByA.Length);
        Assert.Equal(bothSeenByA.Order(), bothSeenByB.Order());
        Assert.Equal(bothSeenByA[0], a.Nodes[0].Id); // itself first
        Assert.Single(a.Nodes);
        Assert.Equal([2, 1], counts);
    }

    [Theory]
    [InlineData("127.0.0.1:6379", 1_000, 1_000)]
    [InlineData("127.0.0.1:6379,asyncTimeout=5000", 1_000, 5_000)]
    [InlineData("127.0.0.1:6379, SyncTimeout = 3000", 3_000, 3_000)]
    [InlineData("127.0.0.1:6379,syncTimeout=3000,asynctimeout=4000", 3_000, 4_000)]
    public void Configure_TimeoutsTheOperatorSets_AreKept_OtherwiseTheGatewaysShortOne(string text, int sync, int async)
    {
        var configuration = RedisConnection.Configure(text);

        Assert.Equal((sync, async), (configuration.SyncTimeout, configuration.AsyncTimeout));
        Assert.False(configuration.AbortOnConnectFail);
    }

    [Fact]
    public async Task Start_RedisStoreWithoutConfiguration_RefusesNamingTheKey()
    {
        var failure = await Record.ExceptionAsync(() => GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Store"] = "Redis" }));

        Assert.NotNull(failure);
        Assert.Contains("Gateway:Redis:Configuration", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownStore_RefusesNamingTheChoices()
    {
        var failure = await Record.ExceptionAsync(() => GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Store"] = "Postgres" }));

        Assert.NotNull(failure);
        Assert.Contains("'Embedded' or 'Redis'", failure.ToString(), StringComparison.Ordinal);
    }

    private Dictionary<string, string?> RedisMode() => new()
    {
        ["Gateway:Store"] = "Redis",
        ["Gateway:Redis:Configuration"] = redis.Server.Configuration,
    };

    private static async Task<(string Mode, string? Banner)> StatusAsync(GatewayHost host)
    {
        var status = await host.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/api/status");
        return (status.GetProperty("mode").GetString()!, status.TryGetProperty("banner", out var b) ? b.GetProperty("message").GetString() : null);
    }

    private static RedisNodeRegistry Registry(RedisConnection connection, TimeProvider time) =>
        new(connection, new ThisNode(time, new GatewayReadiness()), time, NullLogger<RedisNodeRegistry>.Instance);

    /// <summary>
    /// A connection made with <c>AbortOnConnectFail=false</c> may still be shaking hands when it is handed out, and fails
    /// fast until then: the gateway subscribes from its start-up, which tries again; a test that subscribes itself waits.
    /// </summary>
    private static Task ConnectedAsync(RedisConnection connection) =>
        Eventually.HoldsAsync(async () => (await connection.MultiplexerAsync()).IsConnected, connected => connected, "the connection to Redis is up");

    private static RedisConnection Connect(string configuration) =>
        new(Options.Create(new RedisOptions { Configuration = configuration }), NullLogger<RedisConnection>.Instance);

    private sealed record AuditLine(string Action);
}
