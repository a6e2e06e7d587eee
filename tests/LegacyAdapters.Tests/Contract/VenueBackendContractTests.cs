using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.LegacyAdapters.Tests.Contract;

/// <summary>
/// CONTRACT.md §1, checked operation by operation and fault by fault against the mock over real HTTP on loopback.
/// The same tests run for every binding (subclasses below): callers must not be able to tell them apart.
/// The SOAP binding is WCF's client (System.ServiceModel) declared from the WSDL, and the mock's SOAP endpoint is our
/// own ASP.NET Core code: every case passing over SOAP is also evidence that the mock speaks the standard SOAP 1.1
/// a WCF client expects, not merely what a client of ours would accept.
/// </summary>
public abstract class VenueBackendContractTests : IAsyncLifetime
{
    private const int Hamlet = 1001;
    private const int Stalls = 1;

    private readonly FakeTimeProvider _time = TestClock.Create();
    private MockBackendHost _mock = null!;
    private ServiceProvider _services = null!;

    protected abstract VenueBackendProtocol Protocol { get; }

    private IVenueBackend Backend { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockBackendHost.StartAsync(_time);
        (Backend, _services) = TestBackends.Create(Protocol, Protocol == VenueBackendProtocol.Soap ? _mock.SoapUrl : _mock.XmlRpcUrl);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task GetPerformances_Seeded_ReturnsTypedPerformances()
    {
        var performances = await Backend.GetPerformancesAsync();

        var hamlet = Assert.Single(performances, p => p.Id == Hamlet);
        Assert.Equal("Hamlet", hamlet.Title);
        Assert.Equal("Royal Hall", hamlet.Venue);
        Assert.Equal(TimeSpan.Zero, hamlet.StartsAt.Offset);
        Assert.True(hamlet.OnSaleAt < _time.GetUtcNow(), "Hamlet is seeded as on sale already");
        Assert.Contains(performances, p => p.Id == 2001);
    }

    [Fact]
    public async Task GetAvailability_KnownPerformance_ReturnsZones()
    {
        var zones = await Backend.GetAvailabilityAsync(Hamlet);

        Assert.Equal(new Zone(Stalls, "Stalls", 8500, 400, 400), zones[0]);
        Assert.Equal(new Zone(2, "Balcony", 4500, 200, 200), zones[1]);
    }

    [Fact]
    public async Task GetAvailability_LargePerformance_Returns50000Seats()
    {
        var zones = await Backend.GetAvailabilityAsync(2001);

        Assert.Equal(50_000, zones.Sum(z => z.Capacity));
    }

    [Fact]
    public async Task GetAvailability_UnknownPerformance_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Backend.GetAvailabilityAsync(999_999));

        Assert.Equal(404, error.FaultCode);
        Assert.Equal(VenueOperation.GetAvailability, error.Operation);
    }

    [Fact]
    public async Task GetNewSessionKey_TwoCalls_ReturnDistinctKeys()
    {
        var first = await Backend.GetNewSessionKeyAsync();
        var second = await Backend.GetNewSessionKeyAsync();

        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task ReserveTickets_FreshZone_HoldsBestAvailableForTenMinutes()
    {
        var session = await Backend.GetNewSessionKeyAsync();

        var hold = await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 2);

        Assert.Equal((Hamlet, Stalls, 2), (hold.PerformanceId, hold.ZoneId, hold.Quantity));
        Assert.Equal(["A-1", "A-2"], hold.Seats);
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), hold.ExpiresAt);
        Assert.Equal(398, (await Backend.GetAvailabilityAsync(Hamlet))[0].Available);
    }

    [Fact]
    public async Task ReserveTickets_MoreThanAvailable_ThrowsNotEnoughSeatsWithCount()
    {
        await _mock.Control.SetAvailableAsync(Hamlet, Stalls, 3);
        var session = await Backend.GetNewSessionKeyAsync();

        var error = await Assert.ThrowsAsync<NotEnoughSeatsException>(() => Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 5));

        Assert.Equal(3, error.Available);
        Assert.Equal(201, error.FaultCode);
        Assert.Equal(3, (await Backend.GetAvailabilityAsync(Hamlet))[0].Available); // all or nothing
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public async Task ReserveTickets_QuantityOutOfRange_ThrowsInvalidArgument(int quantity)
    {
        var session = await Backend.GetNewSessionKeyAsync();

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => Backend.ReserveTicketsAsync(session, Hamlet, Stalls, quantity));

        Assert.Equal(422, error.FaultCode);
    }

    [Fact]
    public async Task ReserveTickets_UnknownZone_ThrowsNotFound()
    {
        var session = await Backend.GetNewSessionKeyAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Backend.ReserveTicketsAsync(session, Hamlet, 99, 1));
    }

    [Fact]
    public async Task ReserveTickets_UnknownSession_ThrowsSessionExpired()
    {
        var error = await Assert.ThrowsAsync<SessionExpiredException>(() => Backend.ReserveTicketsAsync("not-a-session", Hamlet, Stalls, 1));

        Assert.Equal(101, error.FaultCode);
    }

    [Fact]
    public async Task Session_IdleForTwentyOneMinutes_Expires()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        _time.Advance(TimeSpan.FromMinutes(21));

        await Assert.ThrowsAsync<SessionExpiredException>(() => Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 1));
    }

    [Fact]
    public async Task Hold_AfterTenMinutes_ExpiresAndSeatsReturn()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 4);

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(400, (await Backend.GetAvailabilityAsync(Hamlet))[0].Available);
        await Assert.ThrowsAsync<HoldExpiredException>(() => Backend.CheckoutAsync(session, "tok_ok", "ref-expired"));
    }

    [Fact]
    public async Task ReleaseTickets_LiveHold_ReturnsSeats()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        var hold = await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 3);

        Assert.True(await Backend.ReleaseTicketsAsync(session, hold.LineItemId));
        Assert.Equal(400, (await Backend.GetAvailabilityAsync(Hamlet))[0].Available);
    }

    [Fact]
    public async Task ReleaseTickets_UnknownHold_ThrowsNotFound()
    {
        var session = await Backend.GetNewSessionKeyAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Backend.ReleaseTicketsAsync(session, 123_456));
    }

    [Fact]
    public async Task ReleaseTickets_UnknownSession_ThrowsSessionExpired()
    {
        await Assert.ThrowsAsync<SessionExpiredException>(() => Backend.ReleaseTicketsAsync("not-a-session", 1));
    }

    [Fact]
    public async Task Checkout_LiveHold_ReturnsOrder()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        var hold = await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 2);

        var order = await Backend.CheckoutAsync(session, "tok_ok", "ref-1");

        Assert.Equal("ref-1", order.ClientReference);
        Assert.Equal((Hamlet, Stalls), (order.PerformanceId, order.ZoneId));
        Assert.Equal(hold.Seats, order.Seats);
        Assert.Equal(2 * 8500, order.TotalCents);
        Assert.True(order.OrderId > 0);
    }

    [Fact]
    public async Task Checkout_SameReferenceTwice_ReturnsSameOrderAndChargesOnce()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 2);
        var first = await Backend.CheckoutAsync(session, "tok_ok", "ref-twice");

        var second = await Backend.CheckoutAsync(session, "tok_ok", "ref-twice");

        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(first.Seats, second.Seats);
        Assert.Single(await _mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Checkout_DeclinedToken_ThrowsPaymentDeclined()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 1);

        var error = await Assert.ThrowsAsync<PaymentDeclinedException>(() => Backend.CheckoutAsync(session, "tok_declined_card", "ref-declined"));

        Assert.Equal(301, error.FaultCode);
        Assert.Empty(await _mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Checkout_EmptyToken_ThrowsInvalidArgument()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 1);

        await Assert.ThrowsAsync<InvalidArgumentException>(() => Backend.CheckoutAsync(session, string.Empty, "ref-empty"));
    }

    [Fact]
    public async Task Checkout_NoHold_ThrowsHoldExpired()
    {
        var session = await Backend.GetNewSessionKeyAsync();

        var error = await Assert.ThrowsAsync<HoldExpiredException>(() => Backend.CheckoutAsync(session, "tok_ok", "ref-nohold"));

        Assert.Equal(302, error.FaultCode);
    }

    [Fact]
    public async Task Checkout_UnknownSession_ThrowsSessionExpired()
    {
        await Assert.ThrowsAsync<SessionExpiredException>(() => Backend.CheckoutAsync("not-a-session", "tok_ok", "ref-nosession"));
    }

    [Fact]
    public async Task FindOrder_AfterCheckout_ReturnsTheOrder()
    {
        var session = await Backend.GetNewSessionKeyAsync();
        await Backend.ReserveTicketsAsync(session, Hamlet, 2, 3);
        var order = await Backend.CheckoutAsync(session, "tok_ok", "ref-find");

        var found = await Backend.FindOrderAsync("ref-find");

        Assert.Equal(order.OrderId, found.OrderId);
        Assert.Equal(order.Seats, found.Seats);
        Assert.Equal(3 * 4500, found.TotalCents);
    }

    [Fact]
    public async Task FindOrder_UnknownReference_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Backend.FindOrderAsync("never-used"));
    }

    [Fact]
    public async Task AnyOperation_DuringOutage_ThrowsBackendUnavailableWith503()
    {
        await _mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => Backend.GetPerformancesAsync());

        Assert.Equal(503, error.FaultCode);
        Assert.IsNotType<BackendTimeoutException>(error);
    }

    [Fact]
    public async Task AnyOperation_BackendHangs_ThrowsBackendTimeoutAfterTheTimeout()
    {
        await _mock.Control.SetFaultsAsync(new FaultSettings { Hang = true });
        var (backend, services) = TestBackends.Create(Protocol, Protocol == VenueBackendProtocol.Soap ? _mock.SoapUrl : _mock.XmlRpcUrl, TimeSpan.FromMilliseconds(300));
        await using var _ = services;

        var error = await Assert.ThrowsAsync<BackendTimeoutException>(() => backend.GetAvailabilityAsync(Hamlet));

        Assert.Equal(TimeSpan.FromMilliseconds(300), error.Timeout);
        Assert.Null(error.FaultCode);
    }

    [Fact]
    public async Task AnyOperation_CallerCancelsWhileBackendHangs_ThrowsOperationCanceledAndTheRequestEnds()
    {
        await _mock.Control.SetFaultsAsync(new FaultSettings { Hang = true });
        using var cancel = new CancellationTokenSource();
        var call = Backend.GetAvailabilityAsync(Hamlet, cancel.Token);
        await Eventually.HoldsAsync(() => _mock.Control.GetStatsAsync(), s => s.CurrentConcurrency == 1, "the call reaches the backend");

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancel.Token, error.CancellationToken);

        // The request itself ended, not only the wait for it: the backend no longer holds it.
        await Eventually.HoldsAsync(() => _mock.Control.GetStatsAsync(), s => s.CurrentConcurrency == 0, "the backend sees the request go");
    }

    [Fact]
    public async Task AnyOperation_BackendHangs_TimeoutOnTheInjectedClockEndsTheRequest()
    {
        await _mock.Control.SetFaultsAsync(new FaultSettings { Hang = true });
        var clock = TestClock.Create();
        var (backend, services) = TestBackends.Create(Protocol, Protocol == VenueBackendProtocol.Soap ? _mock.SoapUrl : _mock.XmlRpcUrl, TimeSpan.FromSeconds(10), time: clock);
        await using var _ = services;
        var call = backend.GetAvailabilityAsync(Hamlet);
        await Eventually.HoldsAsync(() => _mock.Control.GetStatsAsync(), s => s.CurrentConcurrency == 1, "the call reaches the backend");

        clock.Advance(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<BackendTimeoutException>(() => call);
        Assert.Equal((VenueOperation.GetAvailability, TimeSpan.FromSeconds(10)), (error.Operation!.Value, error.Timeout));
        await Eventually.HoldsAsync(() => _mock.Control.GetStatsAsync(), s => s.CurrentConcurrency == 0, "the backend sees the request go");
    }

    [Fact]
    public async Task ReserveTickets_200ConcurrentBuyersForLast10Seats_Exactly10Succeed()
    {
        await _mock.Control.SetAvailableAsync(Hamlet, Stalls, 10);
        var sessions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Backend.GetNewSessionKeyAsync()));

        var outcomes = await Task.WhenAll(sessions.Select(async session =>
        {
            try
            {
                return (await Backend.ReserveTicketsAsync(session, Hamlet, Stalls, 1)).Seats[0];
            }
            catch (NotEnoughSeatsException)
            {
                return null;
            }
        }));

        var seats = outcomes.OfType<string>().ToList();
        Assert.Equal(10, seats.Count);
        Assert.Equal(10, seats.Distinct().Count());
        Assert.Equal(0, (await Backend.GetAvailabilityAsync(Hamlet))[0].Available);
        Assert.Equal(0, (await _mock.Control.GetStatsAsync()).Oversold);
    }
}

public sealed class SoapContractTests : VenueBackendContractTests
{
    protected override VenueBackendProtocol Protocol => VenueBackendProtocol.Soap;
}

public sealed class XmlRpcContractTests : VenueBackendContractTests
{
    protected override VenueBackendProtocol Protocol => VenueBackendProtocol.XmlRpc;
}
