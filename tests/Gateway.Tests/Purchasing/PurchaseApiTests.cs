using System.Net;
using OnSale.Mocks.VenueBackend.Control;
using System.Net.Http.Json;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Tests.Hostile;

namespace OnSale.Gateway.Tests.Purchasing;

public sealed class PurchaseApiTests
{
    [Fact]
    public async Task Purchase_HealthyBackend_Returns201ConfirmedWithTheOrder()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.PurchaseAsync(Requests.Purchase(1001, 1, 2));
        var purchase = await GatewayHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("confirmed", purchase.GetProperty("status").GetString());
        Assert.Equal(17000, purchase.GetProperty("totalCents").GetInt32());
        Assert.Equal(2, purchase.GetProperty("seats").GetArrayLength());
        var id = purchase.GetProperty("purchaseId").GetString()!;
        var order = Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
        Assert.Equal(id, order.ClientReference);
        Assert.Equal(order.OrderId, purchase.GetProperty("orderId").GetInt32());
    }

    [Fact]
    public void PurchaseId_Generated_Has128RandomBits()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => OnSale.Gateway.Purchasing.Ids.New("pur_")).ToList();

        Assert.Equal(1000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(16, Convert.FromBase64String(id[4..].Replace('-', '+').Replace('_', '/') + "==").Length));
    }

    [Fact]
    public async Task Purchase_SameKeyAndBodyTwice_ReturnsTheSamePurchaseAndBuysOnce()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var first = await gateway.PurchaseAsync(Requests.Purchase(), "key-1");
        using var second = await gateway.PurchaseAsync(Requests.Purchase(), "key-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(
            (await GatewayHost.JsonAsync(first)).GetProperty("purchaseId").GetString(),
            (await GatewayHost.JsonAsync(second)).GetProperty("purchaseId").GetString());
        Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Purchase_SameKeyConcurrently_BuysOnce()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => gateway.PurchaseAsync(Requests.Purchase(), "key-concurrent")));

        var ids = await Task.WhenAll(responses.Select(async r => (await GatewayHost.JsonAsync(r)).GetProperty("purchaseId").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Purchase_SameKeyWrittenFirstThroughAnotherNodeAtTheSameInstant_AnsweredAsARetryWouldBe_Not500()
    {
        // Another node (a cluster on Redis) writes its purchase with the key between this node's look-up and its insert.
        await using var gateway = await GatewayHost.StartAsync(services: s => s.Decorate<IPurchaseJournal>(inner => new OtherNodeFirst(inner)));

        using var response = await gateway.PurchaseAsync(Requests.Purchase(), "key-raced");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pur_other_node", (await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString());
    }

    [Fact]
    public async Task Purchase_SameKeyDifferentBody_Returns422IdempotencyKeyReused()
    {
        await using var gateway = await GatewayHost.StartAsync();
        (await gateway.PurchaseAsync(Requests.Purchase(quantity: 1), "key-2")).EnsureSuccessStatusCode();

        using var response = await gateway.PurchaseAsync(Requests.Purchase(quantity: 2), "key-2");

        await Problems.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Purchase_WithoutIdempotencyKey_Returns400IdempotencyKeyRequired()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.PostAsync("/api/v1/purchases", Requests.Purchase(), idempotencyKey: null);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "idempotency_key_required");
        Assert.Equal(0, (await gateway.Mock.Control.GetStatsAsync()).Calls.GetValueOrDefault("ReserveTickets"));
    }

    [Fact]
    public async Task Purchase_DeclinedPayment_Returns402AndLeavesTheKeyFree()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var declined = await gateway.PurchaseAsync(Requests.Purchase(paymentToken: "tok_declined"), "key-3");
        using var retried = await gateway.PurchaseAsync(Requests.Purchase(paymentToken: "tok_ok"), "key-3");

        await Problems.AssertAsync(declined, HttpStatusCode.PaymentRequired, "payment_declined");
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Purchase_MoreThanAvailable_Returns409NotEnoughSeats()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.Mock.Control.SetAvailableAsync(1001, 1, 3);

        using var response = await gateway.PurchaseAsync(Requests.Purchase(quantity: 5));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "not_enough_seats");
        Assert.Equal(3, problem.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Purchase_30ConcurrentBuyersForTheLast10Seats_Exactly10Confirmed()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.Mock.Control.SetAvailableAsync(1001, 1, 10);
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => gateway.PurchaseAsync(Requests.Purchase())));

        var codes = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(10, codes.Count(c => c == HttpStatusCode.Created));
        Assert.Equal(20, codes.Count(c => c == HttpStatusCode.Conflict));
        Assert.Equal(10, (await gateway.Mock.Control.GetOrdersAsync()).Count);
        Assert.Equal(0, (await gateway.Mock.Control.GetStatsAsync()).Oversold);
    }

    [Fact]
    public async Task Purchase_DegradedMode_ParksThenConfirmsWhenModeIsCleared()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded", "box office maintenance")).EnsureSuccessStatusCode();

        using var response = await gateway.PurchaseAsync(Requests.Purchase(quantity: 2));
        var parked = await GatewayHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("parked", parked.GetProperty("status").GetString());
        var id = parked.GetProperty("purchaseId").GetString()!;
        Assert.Equal($"/api/v1/purchases/{id}", response.Headers.Location!.OriginalString);
        Assert.Empty(await gateway.Mock.Control.GetOrdersAsync());

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();
        var settled = await gateway.SettledAsync(id);

        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        var order = Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
        Assert.Equal(id, order.ClientReference);
    }

    [Fact]
    public async Task Purchase_BackendOutage_ParksAndReplaysInArrivalOrder()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await gateway.PurchaseAsync(Requests.Purchase());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!);
        }

        await gateway.Mock.Control.ClearFaultsAsync();
        var seats = new List<string>();
        foreach (var id in ids)
        {
            var settled = await gateway.SettledAsync(id);
            Assert.Equal("confirmed", settled.GetProperty("status").GetString());
            seats.Add(settled.GetProperty("seats")[0].GetString()!);
        }

        // Best available goes to whoever reserves first: arrival order shows in the seats.
        Assert.Equal(["A-1", "A-2", "A-3", "A-4", "A-5"], seats);
        Assert.Equal(ids.Order(), (await gateway.Mock.Control.GetOrdersAsync()).Select(o => o.ClientReference).Order());
    }

    [Fact]
    public async Task Purchase_ParkingMoreThanLastKnownFree_Returns409()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.Mock.Control.SetAvailableAsync(1001, 1, 5);
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();

        using var first = await gateway.PurchaseAsync(Requests.Purchase(quantity: 3));
        using var second = await gateway.PurchaseAsync(Requests.Purchase(quantity: 3));
        var availability = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var problem = await Problems.AssertAsync(second, HttpStatusCode.Conflict, "not_enough_seats");
        Assert.Equal(2, problem.GetProperty("available").GetInt32());
        Assert.Equal(2, availability.GetProperty("zones")[0].GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Purchase_BackendDownAndZoneNeverKnown_Returns503AvailabilityUnknown()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances");
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        using var response = await gateway.PurchaseAsync(Requests.Purchase(1002, 1, 1), "key-unknown");

        await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "availability_unknown");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task ParkedPurchase_SeatsGoneBeforeReplay_FailsWithNotEnoughSeats()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var response = await gateway.PurchaseAsync(Requests.Purchase(quantity: 4));
        var id = (await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!;
        await gateway.Mock.Control.SetAvailableAsync(1001, 1, 2);

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();
        var settled = await gateway.SettledAsync(id);

        Assert.Equal("failed", settled.GetProperty("status").GetString());
        Assert.Equal("not_enough_seats", settled.GetProperty("failureCode").GetString());
        Assert.Contains("not been charged", settled.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task ParkedPurchase_PaymentDeclinedAtReplay_FailsWithPaymentDeclined()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var response = await gateway.PurchaseAsync(Requests.Purchase(paymentToken: "tok_declined_later"));
        var id = (await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!;

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();
        var settled = await gateway.SettledAsync(id);

        Assert.Equal("payment_declined", settled.GetProperty("failureCode").GetString());
        Assert.Equal(400, (await gateway.GetJsonAsync("/api/v1/performances/1001/availability")).GetProperty("zones")[0].GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task GetPurchase_UnknownId_Returns404UnknownPurchase()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Client.GetAsync("/api/v1/purchases/pur_doesnotexist");

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "unknown_purchase");
    }

    [Fact]
    public async Task ParkedPurchases_GatewayRestarts_AreStillParkedAndThenConfirmed()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        await using var mock = await OnSale.Tests.Common.VenueBackend.MockBackendHost.StartAsync();
        string id;
        await using (var before = await GatewayHost.StartAsync(mock: mock, dataPath: dataPath))
        {
            await before.GetJsonAsync("/api/v1/performances/1001/availability");
            (await before.SetModeAsync("degraded", "restart test")).EnsureSuccessStatusCode();
            using var response = await before.PurchaseAsync(Requests.Purchase(quantity: 3));
            id = (await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!;
        }

        await using var after = await GatewayHost.StartAsync(mock: mock, dataPath: dataPath);
        var status = await after.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/api/status");
        Assert.Equal("degraded", status.GetProperty("mode").GetString());
        Assert.Equal(1, status.GetProperty("parked").GetInt32());
        Assert.Equal("parked", (await after.GetJsonAsync($"/api/v1/purchases/{id}")).GetProperty("status").GetString());

        (await after.SetModeAsync("normal")).EnsureSuccessStatusCode();

        Assert.Equal("confirmed", (await after.SettledAsync(id)).GetProperty("status").GetString());
        Assert.Single(await mock.Control.GetOrdersAsync());
        after.DeleteData();
    }

    /// <summary>The first insert finds the key taken: another node wrote its own purchase (parked) with it just before.</summary>
    private sealed class OtherNodeFirst(IPurchaseJournal inner) : IPurchaseJournal
    {
        private int _raced;

        public async Task<Purchase> InsertAsync(Purchase purchase, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _raced, 1) == 1)
            {
                return await inner.InsertAsync(purchase, cancellationToken);
            }

            await inner.InsertAsync(purchase with { PurchaseId = "pur_other_node", Status = PurchaseStatus.Parked, SessionKey = null, Reserved = false }, cancellationToken);
            throw new IdempotencyKeyTakenException("taken");
        }

        public Task<Purchase?> GetAsync(string purchaseId, CancellationToken cancellationToken) => inner.GetAsync(purchaseId, cancellationToken);

        public Task<Purchase?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken) => inner.FindByIdempotencyKeyAsync(idempotencyKey, cancellationToken);

        public Task<IReadOnlyList<Purchase>> FindByEmailAsync(string email, int limit, CancellationToken cancellationToken) => inner.FindByEmailAsync(email, limit, cancellationToken);

        public Task UpdateAsync(Purchase purchase, CancellationToken cancellationToken) => inner.UpdateAsync(purchase, cancellationToken);

        public Task DeleteAsync(string purchaseId, CancellationToken cancellationToken) => inner.DeleteAsync(purchaseId, cancellationToken);

        public Task<IReadOnlyList<Purchase>> GetPendingAsync(int limit, CancellationToken cancellationToken) => inner.GetPendingAsync(limit, cancellationToken);

        public Task<IReadOnlyList<Purchase>> TakeForReplayAsync(int limit, CancellationToken cancellationToken) => inner.TakeForReplayAsync(limit, cancellationToken);

        public Task<int> RecoverInterruptedAsync(CancellationToken cancellationToken) => inner.RecoverInterruptedAsync(cancellationToken);

        public Task<int> CountPendingAsync(CancellationToken cancellationToken) => inner.CountPendingAsync(cancellationToken);

        public Task<int> EraseEmailsAsync(DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken) => inner.EraseEmailsAsync(settledBefore, limit, cancellationToken);

        public Task<PurchaseOutcomes> ReadOutcomesAsync(int recentFailures, CancellationToken cancellationToken) => inner.ReadOutcomesAsync(recentFailures, cancellationToken);
    }
}
