using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;

namespace OnSale.FunctionalTests;

/// <summary>
/// Three gateway processes with <c>Gateway:Store=Redis</c> on one real redis-server (AOF, appendfsync always), and
/// Debian's nginx as the load balancer in front of them (round robin, nothing sticky): what the nodes share behaves as
/// one gateway (CONTRACT.md §3) — the availability cache with one refresh per key for the cluster, the last good
/// answer for a node started during an outage, mode and banner within a second, parked purchases replayed by one node
/// and taken over when it dies, and a Redis that dies and comes back from its AOF.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(Xunit.Abstractions.ITestOutputHelper output) : FunctionalTest
{
    private const string AdminKey = GatewayProcess.AdminKey;
    private readonly List<GatewayProcess> _nodes = [];
    private RedisServerProcess _redis = null!;
    private NginxProcess _balancer = null!;
    private HttpClient _client = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await StartClusterAsync();
    }

    public override async Task DisposeAsync()
    {
        await StopClusterAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task ColdKey_450ConcurrentReadersAcrossTheNodes_AtMostTwoBackendCalls()
    {
        // Every node warmed up on another performance (its first request's compilation and the performance list are
        // not this test's subject), then a slow box: every node's readers arrive while the first call is still out.
        foreach (var node in _nodes)
        {
            await KnowAsync(node, 1003);
        }

        await Mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 500, Operations = ["GetAvailability"] });
        var before = await AvailabilityCallsAsync();

        var reads = await Task.WhenAll(Enumerable.Range(0, 450).Select(async _ =>
        {
            using var response = await _client.GetAsync("/api/v1/performances/1002/availability");
            return response.StatusCode;
        }));

        Assert.All(reads, status => Assert.Equal(HttpStatusCode.OK, status));
        var calls = await AvailabilityCallsAsync() - before;
        output.WriteLine($"{calls} backend calls for 450 readers across three nodes");
        Assert.True(calls is >= 1 and <= 2, $"{calls} backend calls for 450 readers across three nodes");
    }

    [Fact]
    public async Task Status_OnEveryNode_ListsTheThreeNodesWithTheirVersion()
    {
        foreach (var node in _nodes)
        {
            var status = await Eventually.HoldsAsync(() => StatusAsync(node), s => s.GetProperty("nodes").GetArrayLength() == 3 && s.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("ready").GetBoolean()),
                $"{node.BaseAddress} sees three nodes, all ready");
            var listed = status.GetProperty("nodes").EnumerateArray().ToArray();
            Assert.All(listed, n => Assert.False(string.IsNullOrEmpty(n.GetProperty("version").GetString())));
            Assert.All(listed, n => Assert.True(n.GetProperty("ready").GetBoolean()));
            Assert.Equal(3, listed.Select(n => n.GetProperty("id").GetString()).Distinct().Count());
        }
    }

    [Fact]
    public async Task ColdKey_ReadersGiveUpWhileAnotherNodeRefreshes_NoKeyStaysWedged()
    {
        // A box slower than the request deadline: every reader gives up (503) while one node's call is out and the
        // others wait for its lock. Once the box is quick again, every node answers: no lock outlives its reader.
        await Mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 4_000, Operations = ["GetAvailability"] });
        var impatient = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await _nodes[i % _nodes.Count].Client.GetAsync("/api/v1/performances/1002/availability");
            return response.StatusCode;
        }));
        await Mock.Control.ClearFaultsAsync();

        Assert.Contains(HttpStatusCode.ServiceUnavailable, impatient);
        foreach (var node in _nodes)
        {
            await Eventually.HoldsAsync(
                async () => (await node.Client.GetAsync("/api/v1/performances/1002/availability")).StatusCode,
                s => s == HttpStatusCode.OK,
                $"{node.BaseAddress} answers once the box is quick again",
                attempts: 20);
        }
    }

    [Fact]
    public async Task ModeAndBanner_SetThroughOneNode_TheOthersFollowWithinASecond()
    {
        var degradedAfter = await ChangeAndWaitAsync(
            () => Admin(_nodes[0], HttpMethod.Put, "/admin/api/mode", new { mode = "degraded", reason = "box overloaded" }),
            status => status.GetProperty("mode").GetString() == "degraded");
        var bannerAfter = await ChangeAndWaitAsync(
            () => Admin(_nodes[1], HttpMethod.Put, "/admin/api/banner", new { message = "Doors open at 7", level = "warning" }),
            status => status.TryGetProperty("banner", out var banner) && banner.GetProperty("message").GetString() == "Doors open at 7");
        var normalAfter = await ChangeAndWaitAsync(
            () => Admin(_nodes[2], HttpMethod.Put, "/admin/api/mode", new { mode = "normal", reason = "box fine" }),
            status => status.GetProperty("mode").GetString() == "normal");

        output.WriteLine($"reached every node after: degraded {degradedAfter.TotalMilliseconds:0} ms, banner {bannerAfter.TotalMilliseconds:0} ms, normal {normalAfter.TotalMilliseconds:0} ms");
        Assert.True(degradedAfter < TimeSpan.FromSeconds(1), $"degraded mode reached every node after {degradedAfter}");
        Assert.True(bannerAfter < TimeSpan.FromSeconds(1), $"the banner reached every node after {bannerAfter}");
        Assert.True(normalAfter < TimeSpan.FromSeconds(1), $"normal mode reached every node after {normalAfter}");

        // What every open widget reads, through the balancer: each node in turn says the same.
        foreach (var _ in _nodes)
        {
            using var notice = await _client.GetAsync("/api/v1/notice");
            Assert.Contains("Doors open at 7", await notice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NinetyPurchasesAcrossTheNodes_BoxOfThirtyCallsASecondNobodyWasToldOf_AllBoughtWithFewRefusals()
    {
        const int Ceiling = 30;
        foreach (var node in _nodes)
        {
            await KnowAsync(node, 1001);
        }

        await Mock.Control.SetFaultsAsync(new FaultSettings { MaxCallsPerSecond = Ceiling });
        var before = await Mock.Control.GetStatsAsync();
        var bought = await Task.WhenAll(Enumerable.Range(0, 90).Select(async i =>
        {
            var node = _nodes[i % _nodes.Count];
            using var response = await node.PurchaseAsync(
                new { performanceId = 1001, zoneId = 1, quantity = 1, paymentToken = "tok_ok", email = $"buyer{i}@example.com" },
                $"cluster-budget-{i}");
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"purchase {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("purchaseId").GetString()!;
            return (node, id);
        }));
        foreach (var (node, id) in bought)
        {
            await Eventually.HoldsAsync(() => node.GetJsonAsync($"/api/v1/purchases/{id}"), p => p.GetProperty("status").GetString() == "confirmed", $"{id} confirmed");
        }

        var after = await Mock.Control.GetStatsAsync();
        var calls = after.Calls.Values.Sum() - before.Calls.Values.Sum();
        var refused = after.Rejected - before.Rejected;
        output.WriteLine($"{refused} of {calls} calls refused by a box of {Ceiling} calls/s with three nodes selling");
        Assert.Equal(90, (await Mock.Control.GetOrdersAsync()).Select(o => o.OrderId).Distinct().Count());
        Assert.True(refused <= 0.05 * calls, $"{refused} of {calls} calls refused by the box");
    }

    [Fact]
    public async Task TwentyPurchasesParkedAcrossTheNodes_TheReplayingNodeKilledMidReplay_AllConfirmedByTheOthers_TwentyDistinctOrders()
    {
        foreach (var node in _nodes)
        {
            await KnowAsync(node, 1001);
        }

        var parked = await ParkTwentyAsync("kill");

        // The box is slow, so that the replay is under way when its node dies.
        await Mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 400, Operations = ["Checkout"] });
        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[0], HttpMethod.Put, "/admin/api/mode", new { mode = "normal", reason = "the box is back" })).StatusCode);
        var replaying = await Eventually.HoldsAsync(
            () => Task.FromResult(_nodes.SingleOrDefault(n => n.Output.Contains("now replays the cluster's parked purchases", StringComparison.Ordinal))),
            n => n is not null,
            "one node replays the parked purchases");
        await Eventually.HoldsAsync(async () => (await Mock.Control.GetOrdersAsync()).Count, n => n >= 1, "the replay has bought some");
        replaying!.Kill();
        var killedAt = (await Mock.Control.GetOrdersAsync()).Count;
        output.WriteLine($"replaying node killed with {killedAt} of 20 bought");
        Assert.True(killedAt < 20, "the node died before the replay was over");

        var others = _nodes.Where(n => n != replaying).ToArray();
        foreach (var (id, i) in parked.Select((id, i) => (id, i)))
        {
            var asker = others[i % others.Length];
            await Eventually.HoldsAsync(() => asker.GetJsonAsync($"/api/v1/purchases/{id}"), p => p.GetProperty("status").GetString() == "confirmed", $"{id} confirmed", attempts: 1200);
        }

        var orders = await Mock.Control.GetOrdersAsync();
        Assert.Equal(20, orders.Count); // nobody bought twice
        Assert.Equal(20, orders.Select(o => o.OrderId).Distinct().Count());
        Assert.Equal(0, (await Mock.Control.GetStatsAsync()).Oversold);
    }

    [Fact]
    public async Task TwentyPurchasesParked_RedisKilledAndRestartedFromItsAof_NothingParkedIsLost()
    {
        foreach (var node in _nodes)
        {
            await KnowAsync(node, 1001);
        }

        var parked = await ParkTwentyAsync("aof");

        _redis.Kill(); // SIGKILL: what survives is what the AOF holds
        await _redis.RestartAsync();
        foreach (var node in _nodes)
        {
            await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK, $"node {node.BaseAddress} ready again");
        }

        Assert.Equal(20, (await StatusAsync(_nodes[2])).GetProperty("parked").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[1], HttpMethod.Put, "/admin/api/mode", new { mode = "normal", reason = "the box is back" })).StatusCode);
        foreach (var id in parked)
        {
            await Eventually.HoldsAsync(() => _nodes[0].GetJsonAsync($"/api/v1/purchases/{id}"), p => p.GetProperty("status").GetString() == "confirmed", $"{id} confirmed", attempts: 1200);
        }

        Assert.Equal(20, (await Mock.Control.GetOrdersAsync()).Select(o => o.OrderId).Distinct().Count());
    }

    [Fact]
    public async Task NodeStartedDuringABackendOutage_ServesTheLastGoodAnswerTheOthersKeptInRedis_Stale()
    {
        using var first = await _client.GetAsync("/api/v1/performances/1001/availability");
        var known = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        await using var late = await StartNodeAsync(4);

        // Past the answer's fresh period (2 s), so that the late node's read is the stale one whatever its start took.
        var fresh = known.GetProperty("asOf").GetDateTimeOffset() + TimeSpan.FromSeconds(3) - TimeProvider.System.GetUtcNow();
        if (fresh > TimeSpan.Zero)
        {
            await Task.Delay(fresh);
        }

        // As AvailabilityProbe allows: a fresh process's first read may miss its deadline on a loaded machine.
        await KnowAsync(late, 1001);
        using var read = await late.Client.GetAsync("/api/v1/performances/1001/availability");
        var answer = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(answer.GetProperty("stale").GetBoolean(), answer.ToString());
        Assert.Equal(known.GetProperty("zones").ToString(), answer.GetProperty("zones").ToString());
        Assert.Equal(known.GetProperty("asOf").GetDateTimeOffset(), answer.GetProperty("asOf").GetDateTimeOffset());
    }

    [Fact]
    public async Task RedisKilled_ReadsGoOn_ChangesGetAClear503_ReadinessSaysWhy_ThenAllResumesWithNothingLost()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[0], HttpMethod.Put, "/admin/api/banner", new { message = "Kept in the AOF", level = "info" })).StatusCode);
        foreach (var node in _nodes)
        {
            await KnowAsync(node, 1001); // each node has the answer in memory
        }

        _redis.Kill();
        foreach (var node in _nodes)
        {
            using var read = await node.Client.GetAsync("/api/v1/performances/1001/availability");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        var waited = Stopwatch.StartNew();
        using var change = await Admin(_nodes[1], HttpMethod.Put, "/admin/api/mode", new { mode = "degraded", reason = "would not be shared" });
        waited.Stop();
        var problem = JsonDocument.Parse(await change.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, change.StatusCode);
        Assert.Equal("store_unavailable", problem.GetProperty("code").GetString());
        Assert.NotNull(change.Headers.RetryAfter);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), $"the refusal took {waited.Elapsed}");
        waited.Restart();
        using (var purchase = await _nodes[0].PurchaseAsync(
            new { performanceId = 1001, zoneId = 1, quantity = 1, paymentToken = "tok_ok", email = "during@example.com" }, "cluster-redis-down"))
        {
            waited.Stop();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, purchase.StatusCode);
            Assert.Equal("store_unavailable", JsonDocument.Parse(await purchase.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            Assert.NotNull(purchase.Headers.RetryAfter);
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), $"the purchase's refusal took {waited.Elapsed}");
        }

        using (var ready = await _nodes[2].Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("redis:", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The refused change was not made anywhere: the node that refused it is as normal as the others.
        Assert.Equal("normal", (await StatusAsync(_nodes[1])).GetProperty("mode").GetString());

        await _redis.RestartAsync();
        foreach (var node in _nodes)
        {
            await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK, $"node {node.BaseAddress} ready again");
        }

        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[1], HttpMethod.Put, "/admin/api/mode", new { mode = "degraded", reason = "shared again" })).StatusCode);
        await Eventually.HoldsAsync(() => StatusAsync(_nodes[0]), s => s.GetProperty("mode").GetString() == "degraded", "the change made after Redis came back reaches the others");
        await using var restarted = await StartNodeAsync(5);
        var status = await StatusAsync(restarted);
        Assert.Equal("Kept in the AOF", status.GetProperty("banner").GetProperty("message").GetString());
        Assert.Equal("degraded", status.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task NodeStartedWhileRedisIsDown_WaitsForIt_ThenStartsWithTheSharedState()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[0], HttpMethod.Put, "/admin/api/banner", new { message = "Shared before the outage", level = "info" })).StatusCode);
        _redis.Kill();

        var starting = StartNodeAsync(6);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(starting.IsCompleted, "the node started without the shared state");

        await _redis.RestartAsync();
        await using var late = await starting;
        var status = await StatusAsync(late);
        Assert.Equal("Shared before the outage", status.GetProperty("banner").GetProperty("message").GetString());
        Assert.Contains("not ready; trying again every two seconds", late.Output, StringComparison.Ordinal);

        // It follows the others from now on.
        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[1], HttpMethod.Put, "/admin/api/mode", new { mode = "degraded", reason = "after the outage" })).StatusCode);
        await Eventually.HoldsAsync(() => StatusAsync(late), s => s.GetProperty("mode").GetString() == "degraded", "the late node follows a change made elsewhere");
    }

    [Fact]
    public async Task OneQueueAcrossTheNodes_LobbyPlacedOnceForTheCluster_Positions1ToW_TokensFromOneNodeHonouredByTheOthers()
    {
        // A fresh cluster whose rooms queue everyone and let one buyer in at a time, so that the line stands still to be
        // read, for a sale that opens in a few seconds (set before any node has read the list of performances).
        await StopClusterAsync();
        await Mock.Control.SetOnSaleAtAsync(2001, TimeProvider.System.GetUtcNow().AddSeconds(15));
        await StartClusterAsync(new Dictionary<string, string>
        {
            ["Gateway:WaitingRoom:ActivationThreshold"] = "1",
            ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
            ["Gateway:WaitingRoom:SeatsPerBuyer"] = "10",
        });
        const int Buyers = 45;
        var tokens = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(async i =>
        {
            using var joined = await _client.PostAsync("/api/v1/performances/2001/queue", null);
            var body = await joined.Content.ReadAsStringAsync();
            Assert.True(joined.StatusCode == HttpStatusCode.Created, $"join {i}: {(int)joined.StatusCode} {body}");
            var answer = JsonDocument.Parse(body).RootElement;
            Assert.Equal("lobby", answer.GetProperty("state").GetString());
            return answer.GetProperty("queueToken").GetString()!;
        }));

        // Every node opens the lobby when the time comes; it is placed once, and every node tells each buyer the same place.
        foreach (var node in _nodes)
        {
            await Eventually.HoldsAsync(
                () => StatusAsync(node),
                s => s.GetProperty("queues").EnumerateArray().Any(q => q.GetProperty("performanceId").GetInt32() == 2001 && q.GetProperty("opened").GetBoolean() && q.GetProperty("activeBuyers").GetInt32() == 1),
                $"{node.BaseAddress} saw the sale open",
                attempts: 800);
        }

        var places = new List<(string State, int? Position, string? AccessToken)>();
        foreach (var token in tokens)
        {
            var seen = await Task.WhenAll(_nodes.Select(node => QueueAsync(node, token)));
            var states = seen.Select(q => q.GetProperty("state").GetString()!).Distinct().ToArray();
            var positions = seen.Select(q => q.TryGetProperty("position", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : (int?)null).Distinct().ToArray();
            Assert.True(states.Length == 1 && positions.Length == 1, $"the nodes disagree: {string.Join(" | ", seen.Select(q => q.GetRawText()))}");
            places.Add((states[0], positions[0], seen[0].TryGetProperty("accessToken", out var access) ? access.GetString() : null));
        }

        var admitted = places.Where(p => p.State == "admitted").ToArray();
        Assert.Single(admitted); // one admission limit for the cluster, of one
        Assert.Equal(Enumerable.Range(1, Buyers - 1), places.Where(p => p.State == "waiting").Select(p => p.Position!.Value).Order());
        var opened = _nodes.Sum(n => Regex.Count(n.Output, "Performance 2001 opened"));
        Assert.Equal(1, opened); // the lobby placed by one node for all

        // The admitted buyer's access token, signed by whichever node answered, is honoured by every node: their share of
        // seats is one for the cluster, spent across the nodes.
        var held = 0;
        foreach (var node in _nodes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds") { Content = JsonContent.Create(new { performanceId = 2001, zoneId = 1, quantity = 3 }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admitted[0].AccessToken);
            using var hold = await node.Client.SendAsync(request);
            var body = await hold.Content.ReadAsStringAsync();
            Assert.True(hold.StatusCode == HttpStatusCode.Created, $"hold on {node.BaseAddress}: {(int)hold.StatusCode} {body}");
            held += 3;
        }

        using var fourth = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds") { Content = JsonContent.Create(new { performanceId = 2001, zoneId = 1, quantity = 2 }) };
        fourth.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admitted[0].AccessToken);
        using var over = await _nodes[1].Client.SendAsync(fourth);
        Assert.Equal(HttpStatusCode.Conflict, over.StatusCode); // 10 a buyer: 9 held across three nodes, 1 left
        Assert.Equal(1, JsonDocument.Parse(await over.Content.ReadAsStringAsync()).RootElement.GetProperty("left").GetInt32());
        output.WriteLine($"{Buyers} buyers over three nodes: 1 admitted, positions 1..{Buyers - 1}; {held} seats held with one access token on three nodes");
    }

    /// <summary>A buyer's status asked of one node.</summary>
    private static async Task<JsonElement> QueueAsync(GatewayProcess node, string queueToken) =>
        await node.GetJsonAsync("/api/v1/performances/2001/queue/", queueToken);

    /// <summary>A redis-server, three nodes on it with <paramref name="settings"/>, and nginx in front of them.</summary>
    private async Task StartClusterAsync(Dictionary<string, string>? settings = null)
    {
        _redis = await RedisServerProcess.StartAsync();
        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, 3).Select(n => StartNodeAsync(n, settings))));
        var servers = string.Concat(_nodes.Select(n => $"server {n.BaseAddress.Authority};"));
        _balancer = await NginxProcess.StartAsync("proxy_pass http://gateways;", $"upstream gateways {{ {servers} }}");
        _client = new HttpClient { BaseAddress = _balancer.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task StopClusterAsync()
    {
        _client?.Dispose();
        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _nodes.Clear();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>Degraded mode set through one node, then twenty purchases across the three, each answered 202 parked.</summary>
    private async Task<string[]> ParkTwentyAsync(string prefix)
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin(_nodes[2], HttpMethod.Put, "/admin/api/mode", new { mode = "degraded", reason = "the box is down" })).StatusCode);
        foreach (var node in _nodes)
        {
            await Eventually.HoldsAsync(() => StatusAsync(node), s => s.GetProperty("mode").GetString() == "degraded", $"{node.BaseAddress} degraded");
        }

        return await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await _nodes[i % _nodes.Count].PurchaseAsync(
                new { performanceId = 1001, zoneId = 1, quantity = 1, paymentToken = "tok_ok", email = $"parked{i}@example.com" },
                $"cluster-{prefix}-{i}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"purchase {i}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("purchaseId").GetString()!;
        }));
    }

    private Task<GatewayProcess> StartNodeAsync(int number) => StartNodeAsync(number, null);

    private Task<GatewayProcess> StartNodeAsync(int number, Dictionary<string, string>? settings) =>
        GatewayProcess.StartAsync(Mock.SoapUrl, Path.Combine(DataPath, "node" + number), new Dictionary<string, string>(settings ?? [])
        {
            ["Gateway:Store"] = "Redis",
            ["Gateway:Redis:Configuration"] = _redis.Configuration,
        });

    /// <summary>Makes the node know a performance's availability; if it never does, says what the node logged.</summary>
    private static async Task KnowAsync(GatewayProcess node, int performanceId)
    {
        try
        {
            await node.KnowAvailabilityAsync(performanceId);
        }
        catch (Xunit.Sdk.XunitException never)
        {
            var log = node.Output;
            throw new Xunit.Sdk.XunitException($"{never.Message}\n{node.BaseAddress} logged:\n{log[Math.Max(0, log.Length - 20_000)..]}");
        }
    }

    /// <summary>
    /// Makes a change through one node and measures, from its answer (the change is in effect there), until every other
    /// node's status shows it, polling each every 10 ms.
    /// </summary>
    private async Task<TimeSpan> ChangeAndWaitAsync(Func<Task<HttpResponseMessage>> change, Func<JsonElement, bool> shows)
    {
        foreach (var node in _nodes)
        {
            await StatusAsync(node); // Its status page warmed up, so that only the change is measured.
        }

        using (var response = await change())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(_nodes.Select(async node =>
        {
            for (var i = 0; i < 500 && !shows(await StatusAsync(node)); i++)
            {
                await Task.Delay(10);
            }
        }));
        var elapsed = clock.Elapsed;
        foreach (var node in _nodes)
        {
            Assert.True(shows(await StatusAsync(node)), $"node {node.BaseAddress} never showed the change");
        }

        return elapsed;
    }

    private static async Task<HttpResponseMessage> Admin(GatewayProcess node, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return await node.Client.SendAsync(request);
    }

    private static Task<JsonElement> StatusAsync(GatewayProcess node) => node.GetJsonAsync("/admin/api/status", AdminKey);

    private async Task<long> AvailabilityCallsAsync() => (await Mock.Control.GetStatsAsync()).Calls["GetAvailability"];
}

/// <summary>Five servers per test on two cores: the cluster's tests run alone, after the others of this assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
