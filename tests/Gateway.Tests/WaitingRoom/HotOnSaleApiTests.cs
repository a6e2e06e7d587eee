using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Http;

namespace OnSale.Gateway.Tests.WaitingRoom;

/// <summary>
/// Hot on-sales over real HTTP: the gateway on Kestrel at 127.0.0.1 in front of the mock, buyers connecting from
/// their own loopback addresses (127.0.0.2, .3, …), so that per-address counting is what a real server sees. The
/// stadium show (2001) goes on sale in two minutes, so every place is in its lobby.
/// </summary>
public sealed class HotOnSaleApiTests
{
    private const int Stadium = 2001;
    private const string IdentitySecret = "royal-hall-identity-secret-0123456789";

    [Fact]
    public async Task Join_NothingHot_PlainClientQueuesAsToday()
    {
        await using var gateway = await KestrelGateway.StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);

        using var joined = await client.PostAsync($"api/v1/performances/{Stadium}/queue", null);
        var challenge = await client.GetFromJsonAsync<JsonElement>($"api/v1/performances/{Stadium}/queue/challenge");

        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        Assert.Equal("lobby", (await GatewayHost.JsonAsync(joined)).GetProperty("state").GetString());
        Assert.False(challenge.GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task Join_AnotherPerformanceThanTheHotOne_PlainClientQueuesAsToday()
    {
        await using var gateway = await StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);

        using var joined = await client.PostAsync("api/v1/performances/1001/queue", null);

        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        Assert.Equal("admitted", (await GatewayHost.JsonAsync(joined)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Join_HotWithoutASolution_Returns428ProofOfWorkRequired()
    {
        await using var gateway = await StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);

        using var refused = await client.PostAsync($"api/v1/performances/{Stadium}/queue", null);

        var problem = await Problems.AssertAsync(refused, (HttpStatusCode)428, "proof_of_work_required");
        Assert.Equal("missing", problem.GetProperty("reason").GetString());
        Assert.Contains($"/api/v1/performances/{Stadium}/queue/challenge", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Challenge_OfTheHotPerformance_SaysRequiredWithTheDifficultyAndNoStore()
    {
        await using var gateway = await StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);

        using var response = await client.GetAsync($"api/v1/performances/{Stadium}/queue/challenge");
        var challenge = await GatewayHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.True(challenge.GetProperty("required").GetBoolean());
        Assert.Equal(6, challenge.GetProperty("difficulty").GetInt32());
        Assert.Equal(ProofOfWork.Algorithm, challenge.GetProperty("algorithm").GetString());
        Assert.StartsWith($"p1.{Stadium}.", challenge.GetProperty("challenge").GetString(), StringComparison.Ordinal);
        Assert.InRange(challenge.GetProperty("expiresAt").GetDateTimeOffset() - TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Join_HotWithASolution_IsAcceptedOnceAndTheSameSolutionIsRefused()
    {
        await using var gateway = await StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);
        var solution = await SolveAsync(client);

        using var accepted = await JoinAsync(client, solution);
        using var again = await JoinAsync(client, solution);

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal("lobby", (await GatewayHost.JsonAsync(accepted)).GetProperty("state").GetString());
        var problem = await Problems.AssertAsync(again, (HttpStatusCode)428, "proof_of_work_required");
        Assert.Equal("reused", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Join_HotWithAWrongNonce_Returns428Unsolved()
    {
        await using var gateway = await StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);
        var challenge = await client.GetFromJsonAsync<JsonElement>($"api/v1/performances/{Stadium}/queue/challenge");

        using var refused = await JoinAsync(client, ProofOfWorkSolver.Miss(challenge.GetProperty("challenge").GetString()!, 6));

        Assert.Equal("unsolved", (await Problems.AssertAsync(refused, (HttpStatusCode)428, "proof_of_work_required")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Join_HotAgainWithTheQueueToken_KeepsThePlaceWithoutAChallenge()
    {
        await using var gateway = await StartAsync();
        using var client = LoopbackClients.From(2, gateway.BaseAddress);
        using var first = await JoinAsync(client, await SolveAsync(client));
        var token = (await GatewayHost.JsonAsync(first)).GetProperty("queueToken").GetString()!;

        using var again = await JoinAsync(client, proof: null, queueToken: token);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(EntryOf(token), EntryOf((await GatewayHost.JsonAsync(again)).GetProperty("queueToken").GetString()!));
    }

    [Fact]
    public async Task Join_HotPlacesPerClient_CapsOneAddressWithItsOwnCodeAndNotTheNext()
    {
        await using var gateway = await StartAsync(new() { ["Gateway:WaitingRoom:Hot:PlacesPerClient"] = "2" });
        using var farm = LoopbackClients.From(2, gateway.BaseAddress);
        using var buyer = LoopbackClients.From(3, gateway.BaseAddress);

        using var one = await JoinAsync(farm, await SolveAsync(farm));
        using var two = await JoinAsync(farm, await SolveAsync(farm));
        using var three = await JoinAsync(farm, await SolveAsync(farm));
        using var other = await JoinAsync(buyer, await SolveAsync(buyer));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (one.StatusCode, two.StatusCode));
        await Problems.AssertAsync(three, HttpStatusCode.Forbidden, "too_many_places");
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.Equal(3, await LobbyAsync(gateway));
    }

    [Fact]
    public async Task Join_HotIdentityRequired_OnePlacePerIdentity()
    {
        await using var gateway = await StartAsync(new()
        {
            ["Gateway:WaitingRoom:Hot:RequireIdentity"] = "true",
            ["Gateway:Venues:royal-hall:Origins:0"] = "http://127.0.0.1:5070",
            ["Gateway:Venues:royal-hall:IdentitySecret"] = IdentitySecret,
        });
        using var client = LoopbackClients.From(2, gateway.BaseAddress);
        var alice = Identity("alice");

        using var anonymous = await JoinAsync(client, await SolveAsync(client));
        using var forged = await JoinAsync(client, await SolveAsync(client), identity: alice[..^2] + "xx");
        using var first = await JoinAsync(client, await SolveAsync(client), identity: alice);
        using var again = await JoinAsync(client, proof: null, identity: Identity("alice"));
        using var bob = await JoinAsync(client, await SolveAsync(client), identity: Identity("bob"));

        await Problems.AssertAsync(anonymous, HttpStatusCode.Forbidden, "identity_required");
        Assert.Equal("forged", (await Problems.AssertAsync(forged, HttpStatusCode.Forbidden, "invalid_identity")).GetProperty("reason").GetString());
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, again.StatusCode, bob.StatusCode));
        var alicePlace = EntryOf((await GatewayHost.JsonAsync(first)).GetProperty("queueToken").GetString()!);
        Assert.Equal(alicePlace, EntryOf((await GatewayHost.JsonAsync(again)).GetProperty("queueToken").GetString()!));
        Assert.NotEqual(alicePlace, EntryOf((await GatewayHost.JsonAsync(bob)).GetProperty("queueToken").GetString()!));
        Assert.Equal(2, await LobbyAsync(gateway));
    }

    private static Task<KestrelGateway> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:WaitingRoom:Hot:Performances:0"] = Stadium.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:WaitingRoom:Hot:ProofOfWorkBits"] = "6",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return KestrelGateway.StartAsync(settings);
    }

    private static async Task<string> SolveAsync(HttpClient client)
    {
        var challenge = await client.GetFromJsonAsync<JsonElement>($"api/v1/performances/{Stadium}/queue/challenge");
        return ProofOfWorkSolver.Solve(challenge.GetProperty("challenge").GetString()!, challenge.GetProperty("difficulty").GetInt32());
    }

    private static Task<HttpResponseMessage> JoinAsync(HttpClient client, string? proof, string? identity = null, string? queueToken = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/performances/{Stadium}/queue");
        if (proof is not null)
        {
            request.Headers.Add(ProofOfWork.Header, proof);
        }

        if (identity is not null)
        {
            request.Headers.Add(VenueIdentities.Header, identity);
        }

        if (queueToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        }

        return client.SendAsync(request);
    }

    private static async Task<int> LobbyAsync(KestrelGateway gateway)
    {
        using var admin = new HttpClient { BaseAddress = gateway.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminKey);
        var status = await admin.GetFromJsonAsync<JsonElement>("admin/api/status");
        return status.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("performanceId").GetInt32() == Stadium).GetProperty("lobby").GetInt32();
    }

    /// <summary>The place a queue token names (<c>v1.q.{performance}.{entry}.…</c>).</summary>
    private static string EntryOf(string queueToken) => queueToken.Split('.')[3];

    private static string Identity(string account) =>
        VenueIdentities.Sign("royal-hall", Stadium, account, TimeProvider.System.GetUtcNow().AddHours(1), Encoding.UTF8.GetBytes(IdentitySecret));
}
