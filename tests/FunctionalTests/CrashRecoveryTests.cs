using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Storage.Embedded;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OnSale.FunctionalTests;

/// <summary>
/// The gateway killed with SIGKILL and restarted on the same data folder loses no purchase and charges nobody twice.
/// </summary>
public sealed class CrashRecoveryTests : FunctionalTest
{

    [Fact]
    public async Task TwentyParkedPurchases_GatewayKilledAndRestarted_AllConfirmedExactlyOnce()
    {
        var ids = new List<string>();
        await using (var gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath))
        {
            await gateway.KnowAvailabilityAsync(1001);
            await Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });

            for (var i = 0; i < 20; i++)
            {
                using var response = await gateway.PurchaseAsync(
                    new { performanceId = 1001, zoneId = 1, quantity = 1, paymentToken = "tok_ok", email = $"buyer{i}@example.com" },
                    $"crash-{i}");
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"purchase {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                ids.Add((await GatewayHostJson.ReadAsync(response)).GetProperty("purchaseId").GetString()!);
            }

            gateway.Kill();
        }

        await using var restarted = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath);
        await Mock.Control.ClearFaultsAsync();

        foreach (var id in ids)
        {
            var settled = await Eventually.HoldsAsync(
                () => restarted.GetJsonAsync($"/api/v1/purchases/{id}"),
                p => p.GetProperty("status").GetString() == "confirmed",
                $"{id} confirmed after the restart");
            Assert.Equal(1, settled.GetProperty("seats").GetArrayLength());
        }

        var orders = await Mock.Control.GetOrdersAsync();
        Assert.Equal(20, orders.Count);
        Assert.Equal(ids.Order(), orders.Select(o => o.ClientReference).Order());
        Assert.Equal(0, (await Mock.Control.GetStatsAsync()).Oversold);
    }

    [Fact]
    public async Task ThirtyPlacesJustAnswered_GatewayKilledAndRestarted_EveryTokenFindsItsPlace()
    {
        // A place is answered once its write is in the log (not yet forced to disk): a crash of the gateway keeps it.
        var tokens = new List<(string Token, string State)>();
        await using (var gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath))
        {
            await gateway.KnowAvailabilityAsync(1001);
            for (var i = 0; i < 30; i++)
            {
                using var joined = await gateway.Client.PostAsync("/api/v1/performances/1001/queue", null);
                Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
                var body = await GatewayHostJson.ReadAsync(joined);
                tokens.Add((body.GetProperty("queueToken").GetString()!, body.GetProperty("state").GetString()!));
            }

            gateway.Kill();
        }

        await using var restarted = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath);
        foreach (var (token, state) in tokens)
        {
            var status = await restarted.GetJsonAsync("/api/v1/performances/1001/queue", token);
            Assert.Equal(state, status.GetProperty("state").GetString());
        }
    }

    [Fact]
    public async Task AvailabilityRead_GatewayKilledAndRestartedDuringAnOutage_ServesTheLastKnownAnswerStale()
    {
        JsonElement first;
        await using (var gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath))
        {
            first = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");

            // Written off the request path: wait until it is on disk (read from this process), then kill.
            await Eventually.HoldsAsync(
                LoadKeptAsync,
                kept => kept.Performances is not null && kept.Availability.Any(a => a.PerformanceId == 1001),
                "the answer is kept in the store");
            gateway.Kill();
        }

        await Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        await using var restarted = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath);
        using var response = await restarted.Client.GetAsync("/api/v1/performances/1001/availability");
        var body = await GatewayHostJson.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("stale").GetBoolean());
        Assert.Equal(first.GetProperty("asOf").GetDateTimeOffset(), body.GetProperty("asOf").GetDateTimeOffset());
        Assert.Equal(first.GetProperty("zones").GetRawText(), body.GetProperty("zones").GetRawText());
        Assert.True(long.Parse(response.Headers.GetValues("Age").Single(), CultureInfo.InvariantCulture) >= 0);
    }

    private async Task<LastKnownAnswers> LoadKeptAsync()
    {
        using var database = new SqliteDatabase(DataPath, NullLogger<SqliteDatabase>.Instance);
        return await new SqliteAvailabilityStore(database).LoadAsync(default);
    }

    [Fact]
    public async Task GatewayKilledBetweenCheckoutAndItsAnswer_AfterRestartFindsTheOrderInsteadOfBuyingAgain()
    {
        // The proxy lets the checkout reach the backend (the order is made) and then never answers the gateway.
        using var proxy = WireMockLoopback.Start();
        var checkoutReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gatewayKilled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void PassThrough() => proxy.Given(Request.Create().UsingAnyMethod()).AtPriority(100)
            .RespondWith(Response.Create().WithProxy(Mock.BaseAddress.ToString().TrimEnd('/')));
        PassThrough();
        proxy.Given(Request.Create().WithHeader("SOAPAction", "*/Checkout\"")).RespondWith(Response.Create().WithCallback(async request =>
        {
            var answer = await WireMockLoopback.ForwardAsync(request, Mock.BaseAddress);
            checkoutReached.TrySetResult();
            await gatewayKilled.Task; // by then nobody is there to read the answer
            return answer;
        }));
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Http:RequestDeadline"] = "00:00:30",
            ["Gateway:Resilience:AttemptTimeout"] = "00:00:30",
        };

        Task<HttpResponseMessage> pending;
        await using (var gateway = await GatewayProcess.StartAsync(new Uri(proxy.Url + "/VenueService.svc"), DataPath, settings))
        {
            pending = gateway.PurchaseAsync(new { performanceId = 1001, zoneId = 2, quantity = 2, paymentToken = "tok_ok", email = "a@example.com" }, "crash-checkout");
            await checkoutReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            gateway.Kill();
            gatewayKilled.SetResult();
        }

        // The buyer got no answer: the connection died with the process (or the client gave up on it).
        var lost = await Assert.ThrowsAnyAsync<Exception>(() => pending);
        Assert.True(lost is HttpRequestException or TaskCanceledException, $"unexpected {lost}");
        var order = Assert.Single(await Mock.Control.GetOrdersAsync());

        proxy.ResetMappings();
        PassThrough();
        await using var restarted = await GatewayProcess.StartAsync(new Uri(proxy.Url + "/VenueService.svc"), DataPath, settings);
        using var retry = await restarted.PurchaseAsync(new { performanceId = 1001, zoneId = 2, quantity = 2, paymentToken = "tok_ok", email = "a@example.com" }, "crash-checkout");
        var purchaseId = (await GatewayHostJson.ReadAsync(retry)).GetProperty("purchaseId").GetString()!;
        var settled = await Eventually.HoldsAsync(
            () => restarted.GetJsonAsync($"/api/v1/purchases/{purchaseId}"),
            p => p.GetProperty("status").GetString() == "confirmed",
            "the interrupted purchase is confirmed");

        Assert.Equal(order.ClientReference, purchaseId);
        Assert.Equal(order.OrderId, settled.GetProperty("orderId").GetInt32());
        Assert.Single(await Mock.Control.GetOrdersAsync());
        Assert.NotEmpty(proxy.FindLogEntries(Request.Create().WithHeader("SOAPAction", "*/FindOrder\"")));
    }
}

internal static class GatewayHostJson
{
    public static async Task<System.Text.Json.JsonElement> ReadAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
