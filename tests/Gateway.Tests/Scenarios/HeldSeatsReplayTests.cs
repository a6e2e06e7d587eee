using System.Net;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Stubs;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.Scenarios;

/// <summary>
/// A purchase that got as far as holding seats before the backend failed it must buy those seats when replayed,
/// not reserve more and leave the first hold stranded for ten minutes while buyers are told it is sold out.
/// </summary>
public sealed class HeldSeatsReplayTests : IAsyncLifetime
{
    private MockBackendHost _mock = null!;
    private StubServer _proxy = null!;
    private GatewayHost _gateway = null!;
    private volatile Func<StubRequest, CancellationToken, Task<StubResponse>>? _checkoutScript;
    private volatile Func<StubRequest, CancellationToken, Task<StubResponse>>? _reserveScript;

    public async Task InitializeAsync()
    {
        _mock = await MockBackendHost.StartAsync();
        _proxy = await StubServer.StartAsync();
        _proxy.RespondWith((request, ct) =>
            Is(request, "Checkout") && _checkoutScript is { } checkout ? checkout(request, ct)
            : Is(request, "ReserveTickets") && _reserveScript is { } reserve ? reserve(request, ct)
            : StubServer.ForwardAsync(request, _mock.BaseAddress, ct));
        _gateway = await GatewayHost.StartAsync(mock: _mock, backendUrl: _proxy.Url("VenueService.svc"), settings: new Dictionary<string, string?>
        {
            ["Gateway:Resilience:ReadRetries"] = "0",
        });
        await _mock.Control.SetAvailableAsync(1003, 1, 6);
        (await _gateway.Client.GetAsync("/api/v1/performances/1003/availability")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _proxy.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task CheckoutRefusedAfterTheSeatsWereHeld_ReplayBuysTheHeldSeats()
    {
        _checkoutScript = (_, _) => Task.FromResult(StubResponse.Xml(Busy, 500));

        using var response = await _gateway.PurchaseAsync(Requests.Purchase(1003, 1, 4));
        var parked = await GatewayHost.JsonAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        _checkoutScript = null;
        var settled = await _gateway.SettledAsync(parked.GetProperty("purchaseId").GetString()!);

        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        await AssertOneReservationBoughtAsync(seats: 4);
    }

    [Fact]
    public async Task ReservationAnswerLost_ReplayBuysWhatTheSessionHolds()
    {
        _reserveScript = async (request, ct) =>
        {
            await StubServer.ForwardAsync(request, _mock.BaseAddress, ct); // the backend holds the seats...
            return StubResponse.Xml("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Bo"); // ...the answer is garbage
        };

        using var response = await _gateway.PurchaseAsync(Requests.Purchase(1003, 1, 5));
        var parked = await GatewayHost.JsonAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        _reserveScript = null;
        var settled = await _gateway.SettledAsync(parked.GetProperty("purchaseId").GetString()!);

        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        await AssertOneReservationBoughtAsync(seats: 5);
    }

    private const string Busy =
        """<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Backend busy</faultstring><detail><VenueFault xmlns="urn:venue-backend:v1"><Code>503</Code><Message>Backend busy</Message></VenueFault></detail></soap:Fault></soap:Body></soap:Envelope>""";

    private static bool Is(StubRequest request, string operation) =>
        request.Headers.TryGetValue("SOAPAction", out var action) && action.EndsWith("/" + operation + "\"", StringComparison.Ordinal);

    private async Task AssertOneReservationBoughtAsync(int seats)
    {
        var order = Assert.Single(await _mock.Control.GetOrdersAsync());
        Assert.Equal(seats, order.Seats.Count);
        Assert.Equal(1, _proxy.Requests.Count(r => Is(r, "ReserveTickets")));

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
