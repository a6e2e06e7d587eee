using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.WaitingRoom;

/// <summary>
/// The waiting room over HTTP, on a manual clock: the stadium show (2001) opens at 10:00, the clock starts a minute
/// before (buyers who have not been seen for three minutes when their turn comes are passed over).
/// </summary>
public sealed class WaitingRoomApiTests : IAsyncLifetime
{
    private const int Stadium = 2001;
    private static readonly DateTimeOffset OpensAt = TestClock.Start.AddHours(1);
    private readonly FakeTimeProvider _time = new(OpensAt.AddMinutes(-1));
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
    private MockBackendHost _mock = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockBackendHost.StartAsync(_time, settings: new Dictionary<string, string?> { ["VenueBackend:Performances:3:OnSaleAt"] = OpensAt.ToString("O") });
        _gateway = await StartGatewayAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
        Directory.Delete(_dataPath, recursive: true);
    }

    [Fact]
    public async Task Join_BeforeTheSaleOpens_WaitsInTheLobbyWithOpensAtAndRetryAfter()
    {
        using var response = await JoinAsync();
        var body = await GatewayHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("lobby", body.GetProperty("state").GetString());
        Assert.Equal(OpensAt, body.GetProperty("opensAt").GetDateTimeOffset());
        Assert.False(body.TryGetProperty("position", out _));
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 40);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("queueToken").GetString()));
    }

    [Fact]
    public async Task Opening_LobbyIsAdmittedInTurn_AndAPurchaseFreesThePlaceForTheNext()
    {
        var tokens = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add((await GatewayHost.JsonAsync(await JoinAsync())).GetProperty("queueToken").GetString()!);
        }

        await OpenAsync();
        var states = await Task.WhenAll(tokens.Select(StatusAsync));
        var admitted = Assert.Single(states, s => s.GetProperty("state").GetString() == "admitted");
        var waitingPositions = states.Where(s => s.GetProperty("state").GetString() == "waiting").Select(s => s.GetProperty("position").GetInt32()).Order();
        Assert.Equal([1, 2], waitingPositions);

        using var withoutToken = await _gateway.PostAsync("/api/v1/holds", Requests.Hold(Stadium, 1, 1));
        await Problems.AssertAsync(withoutToken, HttpStatusCode.Unauthorized, "invalid_token");

        var accessToken = admitted.GetProperty("accessToken").GetString()!;
        using var purchase = await PurchaseWithAsync(accessToken, Stadium);
        Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);

        await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(tokens.Select(StatusAsync))).Count(s => s.GetProperty("state").GetString() == "admitted"),
            count => count == 1,
            "the next buyer is admitted once the first has bought",
            time: _time);
        var first = await StatusAsync(tokens[states.ToList().IndexOf(admitted)]);
        Assert.Equal("expired", first.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Waiting_FewSeatsLeftForThePeopleAhead_TheAnswerSaysSoInNumbersAndWords()
    {
        await _mock.Control.SetAvailableAsync(Stadium, 1, 3);
        await _mock.Control.SetAvailableAsync(Stadium, 2, 0);
        await _mock.Control.SetAvailableAsync(Stadium, 3, 0);
        var tokens = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            tokens.Add((await GatewayHost.JsonAsync(await JoinAsync())).GetProperty("queueToken").GetString()!);
        }

        await OpenAsync();
        var waiting = await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(tokens.Select(StatusAsync))).Where(s => s.GetProperty("state").GetString() == "waiting").ToList(),
            states => states.Count == 4 && states.All(s => s.TryGetProperty("seatsLeft", out _)),
            "four buyers wait, told the seats left",
            time: _time);
        var first = waiting.Single(s => s.GetProperty("position").GetInt32() == 1);
        var last = waiting.Single(s => s.GetProperty("position").GetInt32() == 4);

        // One buyer is buying: the first in line has one person ahead, likely to take 2 of the 3 seats left.
        Assert.Equal((3, 1, 2, false), Odds(first));
        Assert.Equal((3, 4, 8, true), Odds(last));
        Assert.Equal(
            "About 3 seats are left for the 4 people ahead of you: you may not get tickets. Keep this page open if you still want to try; you keep your place.",
            last.GetProperty("message").GetString());
        Assert.Equal("You are in line. Keep this page open; we will let you in when it is your turn.", first.GetProperty("message").GetString());

        static (int, int, int, bool) Odds(JsonElement s) => (
            s.GetProperty("seatsLeft").GetInt32(),
            s.GetProperty("peopleAhead").GetInt32(),
            s.GetProperty("seatsLikelyTakenAhead").GetInt32(),
            s.GetProperty("likelySoldOut").GetBoolean());
    }

    [Fact]
    public async Task Status_ACrowdBeyondTheBudget_IsToldToWaitLongerSoThatTogetherItKeepsToIt()
    {
        await _gateway.DisposeAsync();
        _gateway = await StartGatewayAsync(new Dictionary<string, string?> { ["Gateway:WaitingRoom:StatusChecksPerSecond"] = "1" });
        var tokens = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            tokens.Add((await GatewayHost.JsonAsync(await JoinAsync())).GetProperty("queueToken").GetString()!);
        }

        // 20 in the lobby at 1 check a second, paced to four fifths of it: 25 s each on average (±50 %), not the
        // lobby's own 15 s (±20 %).
        var waits = await Eventually.HoldsAsync(
            async () => await Task.WhenAll(tokens.Select(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/performances/{Stadium}/queue");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await _gateway.Client.SendAsync(request);
                return response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
            })),
            seconds => seconds.Average() > 19,
            "the next admission round sets the budget's pace",
            time: _time,
            advance: TimeSpan.FromMilliseconds(100));

        Assert.All(waits, s => Assert.InRange(s, 12, 38));
        Assert.InRange(waits.Average(), 19, 31);
    }

    [Fact]
    public async Task Purchase_AccessTokenOfAnotherPerformance_Returns401()
    {
        await JoinAsync();
        await OpenAsync();
        var admitted = await GatewayHost.JsonAsync(await JoinAsync(performanceId: 1001));
        var accessToken = admitted.GetProperty("accessToken").GetString()!;

        using var response = await PurchaseWithAsync(accessToken, Stadium);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Purchase_BeforeTheSaleOpensWithoutAnyQueue_Returns401()
    {
        using var response = await _gateway.PurchaseAsync(Requests.Purchase(Stadium, 1, 1));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Contains("opens at", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Join_AgainWithTheQueueToken_KeepsThePlace()
    {
        await JoinAsync();
        await OpenAsync();
        await JoinAsync();
        var mine = await GatewayHost.JsonAsync(await JoinAsync());
        await JoinAsync();

        var again = await GatewayHost.JsonAsync(await JoinAsync(queueToken: mine.GetProperty("queueToken").GetString()));

        Assert.Equal("waiting", again.GetProperty("state").GetString());
        Assert.Equal(mine.GetProperty("position").GetInt32(), again.GetProperty("position").GetInt32());
    }

    [Theory]
    [InlineData("v1.q.2001.0000000000000000000000000000002a.9999999999.local.AAAA")]
    [InlineData("garbage")]
    [InlineData(null)]
    public async Task Status_WithoutAGenuineToken_Returns401InvalidToken(string? token)
    {
        await JoinAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/performances/{Stadium}/queue");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _gateway.Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Status_TokenWithMoreThanHalfItsLifetimeLeft_ComesBackAsIs_LaterARenewedOne()
    {
        var token = (await GatewayHost.JsonAsync(await JoinAsync())).GetProperty("queueToken").GetString()!;

        var soon = (await StatusAsync(token)).GetProperty("queueToken").GetString();
        _time.Advance(TimeSpan.FromHours(13)); // the default lifetime is a day: now less than half of it is left
        var later = (await StatusAsync(token)).GetProperty("queueToken").GetString()!;

        Assert.Equal(token, soon);
        Assert.NotEqual(token, later);
        Assert.Equal((await StatusAsync(token)).GetRawText().Replace(later, token, StringComparison.Ordinal),
            (await StatusAsync(later)).GetRawText().Replace(later, token, StringComparison.Ordinal)); // the same place, whichever is sent
    }

    [Fact]
    public async Task Status_Answer_HasItsLengthAndNoChunking()
    {
        var token = (await GatewayHost.JsonAsync(await JoinAsync())).GetProperty("queueToken").GetString()!;
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/performances/{Stadium}/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal((await response.Content.ReadAsByteArrayAsync()).Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Status_QueueTokenOfAnotherPerformance_Returns401()
    {
        var lobby = await GatewayHost.JsonAsync(await JoinAsync());

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", lobby.GetProperty("queueToken").GetString());
        using var response = await _gateway.Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Join_MoreThanTheClientsLimit_Returns429WithRetryAfter()
    {
        await _gateway.DisposeAsync();
        _gateway = await StartGatewayAsync(new Dictionary<string, string?> { ["Gateway:RateLimits:PerClientPerMinute"] = "3" });

        for (var i = 0; i < 3; i++)
        {
            (await JoinAsync()).EnsureSuccessStatusCode();
        }

        using var refused = await JoinAsync();

        await Problems.AssertAsync(refused, (HttpStatusCode)429, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Restart_PlacesInLineAreKeptInTheSameOrder()
    {
        var tokens = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            tokens.Add((await GatewayHost.JsonAsync(await JoinAsync())).GetProperty("queueToken").GetString()!);
        }

        await OpenAsync();
        var before = await Task.WhenAll(tokens.Select(async t => Describe(await StatusAsync(t))));

        await _gateway.DisposeAsync();
        _gateway = await StartGatewayAsync();
        var after = await Task.WhenAll(tokens.Select(async t => Describe(await StatusAsync(t))));

        Assert.Equal(before, after);
        Assert.Equal(39, before.Count(d => d.StartsWith("waiting", StringComparison.Ordinal)));
    }

    private static string Describe(JsonElement status) =>
        status.GetProperty("state").GetString() + (status.TryGetProperty("position", out var p) ? "@" + p.GetInt32() : string.Empty);

    private Task<GatewayHost> StartGatewayAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:WaitingRoom:ActivationThreshold"] = "1",
            ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
            ["Gateway:WaitingRoom:AdmissionInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return GatewayHost.StartAsync(time: _time, mock: _mock, dataPath: _dataPath, settings: settings);
    }

    /// <summary>Moves the clock to the opening and waits for the admission round that opens the lobby.</summary>
    private async Task OpenAsync()
    {
        _time.SetUtcNow(OpensAt);
        await Eventually.HoldsAsync(
            async () => (await _gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status")).GetProperty("queues"),
            queues => queues.EnumerateArray().Any(q => q.GetProperty("performanceId").GetInt32() == Stadium && q.GetProperty("opened").GetBoolean()),
            "the lobby opens",
            time: _time,
            advance: TimeSpan.FromMilliseconds(100));
    }

    private Task<HttpResponseMessage> JoinAsync(string? queueToken = null, int performanceId = Stadium)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/performances/{performanceId}/queue");
        if (queueToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        }

        return _gateway.Client.SendAsync(request);
    }

    private async Task<JsonElement> StatusAsync(string queueToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/performances/{Stadium}/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        using var response = await _gateway.Client.SendAsync(request);
        return await GatewayHost.JsonAsync(response);
    }

    private Task<HttpResponseMessage> PurchaseWithAsync(string accessToken, int performanceId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/purchases") { Content = JsonContent.Create(Requests.Purchase(performanceId, 1, 1)) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return _gateway.Client.SendAsync(request);
    }
}
