using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Hostile;

/// <summary>
/// A fair share per buyer: one access token (or, while the room is not in use, one client) takes at most its share
/// of seats however many requests it sends at once, and parked purchases cannot promise a zone away.
/// </summary>
public sealed class FairShareTests
{
    private static readonly Dictionary<string, string?> OneBuyerAtATime = new()
    {
        ["Gateway:WaitingRoom:ActivationThreshold"] = "0",
        ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
        ["Gateway:WaitingRoom:SeatsPerBuyer"] = "10",
        ["Gateway:WaitingRoom:AdmissionInterval"] = "00:00:00.050",
    };

    [Fact]
    public async Task Purchase_TwentyAtOnceWithOneAccessToken_ConfirmsTheShareAndRefusesTheRestWithItsOwnCode()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: OneBuyerAtATime);
        var token = await AdmittedTokenAsync(gateway);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Send(gateway, HttpMethod.Post, "/api/v1/purchases", token, Requests.Purchase(1002, 1, 10), $"race-{i}")));

        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Single(created);
        foreach (var response in refused)
        {
            await Problems.AssertAsync(response, HttpStatusCode.Conflict, "seat_limit_reached");
        }

        var orders = await gateway.Mock.Control.GetOrdersAsync();
        Assert.Equal(10, orders.Sum(o => o.Seats.Count));
    }

    [Fact]
    public async Task Hold_EightOfTenWithOneAccessToken_HoldsOnceAndRefusesTheRest()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: OneBuyerAtATime);
        var token = await AdmittedTokenAsync(gateway);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            responses.Add(await Send(gateway, HttpMethod.Post, "/api/v1/holds", token, Requests.Hold(1002, 1, 10)));
        }

        Assert.Equal(HttpStatusCode.Created, responses[0].StatusCode);
        foreach (var response in responses.Skip(1))
        {
            var problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "seat_limit_reached");
            Assert.Equal(10, problem.GetProperty("limit").GetInt32());
            Assert.Equal(0, problem.GetProperty("left").GetInt32());
        }
    }

    [Fact]
    public async Task Purchase_AfterTheBuyersTurnEnded_TheSameKeyStillReturnsTheSamePurchase()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: OneBuyerAtATime);
        var token = await AdmittedTokenAsync(gateway);

        using var first = await Send(gateway, HttpMethod.Post, "/api/v1/purchases", token, Requests.Purchase(1002, 1, 2), "lost-answer");
        using var retried = await Send(gateway, HttpMethod.Post, "/api/v1/purchases", token, Requests.Purchase(1002, 1, 2), "lost-answer");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(
            (await GatewayHost.JsonAsync(first)).GetProperty("purchaseId").GetString(),
            (await GatewayHost.JsonAsync(retried)).GetProperty("purchaseId").GetString());
        Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Hold_RoomNotInUse_OneClientMakingManyHoldsAtOnceGetsOneShare()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:WaitingRoom:SeatsPerBuyer"] = "10" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 39).Select(_ => gateway.PostAsync("/api/v1/holds", Requests.Hold(1002, 1, 10))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var zone = (await gateway.GetJsonAsync("/api/v1/performances/1002/availability")).GetProperty("zones")[0];
        Assert.Equal(390, zone.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Hold_RoomNotInUse_RefusedHoldsGiveTheirSeatsBackToTheShare()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:WaitingRoom:SeatsPerBuyer"] = "10" });
        await gateway.Mock.Control.SetAvailableAsync(1002, 1, 3);

        using var tooMany = await gateway.PostAsync("/api/v1/holds", Requests.Hold(1002, 1, 8));
        using var fits = await gateway.PostAsync("/api/v1/holds", Requests.Hold(1002, 2, 10));

        await Problems.AssertAsync(tooMany, HttpStatusCode.Conflict, "not_enough_seats");
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
    }

    [Fact]
    public async Task Parked_JunkFromOneNetworkCannotPromiseTheZoneAway()
    {
        await using var gateway = await KestrelGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Purchasing:MaxParkedSeatsPerClient"] = "20",
            ["Gateway:WaitingRoom:SeatsPerBuyer"] = "100",
        });
        using var junk = gateway.ClientFrom("127.0.0.2");
        using var buyer = gateway.ClientFrom("127.0.0.3");
        using var admin = new HttpClient { BaseAddress = gateway.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminKey);
        (await buyer.GetAsync("/api/v1/performances/1003/availability")).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/admin/api/mode", new { mode = "degraded", reason = "outage drill" })).EnsureSuccessStatusCode();

        var junkStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var parked = await PurchaseFrom(junk, Requests.Purchase(1003, 1, 4, paymentToken: "tok_declined_junk"), $"junk-{i}");
            junkStatuses.Add(parked.StatusCode);
        }

        using var real = await PurchaseFrom(buyer, Requests.Purchase(1003, 1, 4), "real-1");

        Assert.Equal(5, junkStatuses.Count(s => s == HttpStatusCode.Accepted)); // 20 seats of 120
        Assert.All(junkStatuses.Skip(5), s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(HttpStatusCode.Accepted, real.StatusCode);
    }

    [Fact]
    public async Task IdempotencyKey_SameKeyFromAnotherBuyer_IsTheirsAloneAndRevealsNothing()
    {
        await using var gateway = await KestrelGateway.StartAsync();
        using var first = gateway.ClientFrom("127.0.0.4");
        using var second = gateway.ClientFrom("127.0.0.5");

        using var mine = await PurchaseFrom(first, Requests.Purchase(1001, 1, 1), "order-1");
        using var theirs = await PurchaseFrom(second, Requests.Purchase(1001, 2, 2), "order-1");
        using var mineAgain = await PurchaseFrom(first, Requests.Purchase(1001, 1, 1), "order-1");

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        var ids = new[] { mine, theirs, mineAgain }.Select(r => JsonDocument.Parse(r.Content.ReadAsStringAsync().Result).RootElement.GetProperty("purchaseId").GetString()).ToList();
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);
        Assert.Equal(2, (await gateway.Mock.Control.GetOrdersAsync()).Count);
    }

    private static async Task<string> AdmittedTokenAsync(GatewayHost gateway)
    {
        using var joined = await gateway.PostAsync("/api/v1/performances/1002/queue", new { });
        var queueToken = (await GatewayHost.JsonAsync(joined)).GetProperty("queueToken").GetString()!;
        var admitted = await OnSale.Tests.Common.Eventually.HoldsAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1002/queue");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
                return await GatewayHost.JsonAsync(await gateway.Client.SendAsync(request));
            },
            status => status.GetProperty("state").GetString() == "admitted",
            "the only buyer is admitted");
        return admitted.GetProperty("accessToken").GetString()!;
    }

    private static Task<HttpResponseMessage> Send(GatewayHost gateway, HttpMethod method, string path, string token, object body, string? key = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return gateway.Client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> PurchaseFrom(HttpClient client, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/purchases") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
