using System.Net;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OnSale.Gateway.Tests.Scenarios;

/// <summary>
/// A purchase that got as far as holding seats before the backend failed it must buy those seats when replayed,
/// not reserve more and leave the first hold stranded for ten minutes while buyers are told it is sold out.
/// </summary>
public sealed class HeldSeatsReplayTests : IAsyncLifetime
{
    private MockBackendHost _mock = null!;
    private WireMockServer _proxy = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockBackendHost.StartAsync();
        _proxy = WireMockLoopback.Start();
        PassThrough();
        _gateway = await GatewayHost.StartAsync(mock: _mock, backendUrl: new Uri(_proxy.Url + "/VenueService.svc"), settings: new Dictionary<string, string?>
        {
            ["Gateway:Resilience:ReadRetries"] = "0",
        });
        await _mock.Control.SetAvailableAsync(1003, 1, 6);
        await _gateway.KnowAvailabilityAsync(1003);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _proxy.Dispose();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task CheckoutRefusedAfterTheSeatsWereHeld_ReplayBuysTheHeldSeats()
    {
        await _mock.Control.SetFaultsAsync(new FaultSettings { Outage = true, Operations = ["Checkout"] });

        using var response = await _gateway.PurchaseAsync(Requests.Purchase(1003, 1, 4));
        var parked = await GatewayHost.JsonAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await _mock.Control.ClearFaultsAsync();
        var settled = await _gateway.SettledAsync(parked.GetProperty("purchaseId").GetString()!);

        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        await AssertOneReservationBoughtAsync(seats: 4);
    }

    [Fact]
    public async Task ReservationAnswerLost_ReplayBuysWhatTheSessionHolds()
    {
        _proxy.Given(Request.Create().WithHeader("SOAPAction", "*/ReserveTickets\"")).RespondWith(Response.Create().WithCallback(async request =>
        {
            await WireMockLoopback.ForwardAsync(request, _mock.BaseAddress); // the backend holds the seats...
            return WireMockLoopback.Answer(200, "text/xml; charset=utf-8", "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Bo"); // ...the answer is garbage
        }));

        using var response = await _gateway.PurchaseAsync(Requests.Purchase(1003, 1, 5));
        var parked = await GatewayHost.JsonAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        PassThrough();
        var settled = await _gateway.SettledAsync(parked.GetProperty("purchaseId").GetString()!);

        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        await AssertOneReservationBoughtAsync(seats: 5);
    }

    private void PassThrough()
    {
        _proxy.ResetMappings();
        _proxy.Given(Request.Create().UsingAnyMethod()).AtPriority(100)
            .RespondWith(Response.Create().WithProxy(_mock.BaseAddress.ToString().TrimEnd('/')));
    }

    private async Task AssertOneReservationBoughtAsync(int seats)
    {
        var order = Assert.Single(await _mock.Control.GetOrdersAsync());
        Assert.Equal(seats, order.Seats.Count);
        Assert.Single(_proxy.FindLogEntries(Request.Create().WithHeader("SOAPAction", "*/ReserveTickets\"")));

        // Nothing stranded: the zone's other seats are free, right now, at the backend.
        var zones = (await _mock.Control.GetStatsAsync()).SeatsSold;
        Assert.Equal(seats, zones["1003"]["1"]);
        var availability = await Eventually.HoldsAsync(
            async () => (await _gateway.GetJsonAsync("/api/v1/performances/1003/availability")).GetProperty("zones")[0].GetProperty("available").GetInt32(),
            available => available == 6 - seats,
            "the gateway shows the seats left");
        Assert.Equal(6 - seats, availability);
    }
}
