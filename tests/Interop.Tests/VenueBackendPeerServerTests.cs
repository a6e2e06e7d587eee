using OnSale.LegacyAdapters;
using Xunit.Sdk;

namespace OnSale.Interop.Tests;

/// <summary>
/// Our adapter against an independent server: every operation must come back with the fixture's values in the
/// contract's .NET types, every fault trigger as the contract's exception, and the peer must have received exactly
/// the call we made (it rejects a request that breaks the binding, so a malformed one cannot pass).
/// The same cases run over XML-RPC (<see cref="PythonXmlRpcServerTests"/>) and SOAP (<see cref="NodeSoapServerTests"/>).
/// </summary>
public abstract class VenueBackendPeerServerTests
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(3);

    private readonly PeerServerFixture _peer;

    private protected VenueBackendPeerServerTests(PeerServerFixture peer)
    {
        _peer = peer;
    }

    private static PeerFixtures Fx => PeerFixtures.Instance;

    private static PeerFaults Faults => Fx.Faults;

    [Fact]
    public async Task GetNewSessionKeyAsync_PeerServer_ReturnsFixtureKey()
    {
        var key = await CallAsync(VenueOperation.GetNewSessionKey, b => b.GetNewSessionKeyAsync());

        Assert.Equal(Fx.SessionKey, key);
    }

    [Fact]
    public async Task GetPerformancesAsync_PeerServer_ReturnsFixturePerformancesInUtc()
    {
        var performances = await CallAsync(VenueOperation.GetPerformances, b => b.GetPerformancesAsync());

        // Record equality covers every field; DateTimeOffset equality ignores the offset, so UTC is checked apart.
        Assert.Equal(Fx.Performances, performances);
        Assert.All(performances, p =>
        {
            Assert.Equal(TimeSpan.Zero, p.StartsAt.Offset);
            Assert.Equal(TimeSpan.Zero, p.OnSaleAt.Offset);
        });
        Assert.Contains(performances, p => p.Title.Contains('&', StringComparison.Ordinal) && p.Title.Contains('<', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(1002)] // a single zone: a one-item array must still be a list
    public async Task GetAvailabilityAsync_KnownPerformance_ReturnsFixtureZones(int performanceId)
    {
        var zones = await CallAsync(VenueOperation.GetAvailability, b => b.GetAvailabilityAsync(performanceId));

        Assert.Equal(Fx.Availability[performanceId.ToString(System.Globalization.CultureInfo.InvariantCulture)], zones);
    }

    [Fact]
    public async Task ReserveTicketsAsync_FixtureRequest_ReturnsFixtureHold()
    {
        var expected = Fx.Hold;

        var hold = await CallAsync(
            VenueOperation.ReserveTickets,
            b => b.ReserveTicketsAsync(Fx.SessionKey, expected.PerformanceId, expected.ZoneId, expected.Quantity));

        AssertHold(expected, hold);
    }

    [Theory]
    [InlineData(1002, 7, 3)]
    [InlineData(1001, 2, 10)]
    [InlineData(1001, 1, 1)]
    public async Task ReserveTicketsAsync_OtherRequests_ReturnsHoldEchoingEachParameter(int performanceId, int zoneId, int quantity)
    {
        // The peer echoes the parameters it decoded: each must have arrived as itself, in its own position.
        var expected = Fx.Hold with
        {
            PerformanceId = performanceId,
            ZoneId = zoneId,
            Quantity = quantity,
            Seats = [.. Enumerable.Range(14, quantity).Select(n => $"B-{n}")],
        };

        var hold = await CallAsync(VenueOperation.ReserveTickets, b => b.ReserveTicketsAsync("any-session", performanceId, zoneId, quantity));

        AssertHold(expected, hold);
    }

    [Fact]
    public async Task ReleaseTicketsAsync_FixtureHold_ReturnsTrue()
    {
        var released = await CallAsync(VenueOperation.ReleaseTickets, b => b.ReleaseTicketsAsync(Fx.SessionKey, Fx.Hold.LineItemId));

        Assert.True(released);
    }

    [Theory]
    [InlineData("ref-peer-0001")]
    [InlineData("réf <&> \"quoted\" 'single' ü€")]
    public async Task CheckoutAsync_AcceptedToken_ReturnsOrderForTheReference(string clientReference)
    {
        var order = await CallAsync(VenueOperation.Checkout, b => b.CheckoutAsync(Fx.SessionKey, "tok_ok", clientReference));

        AssertOrder(Fx.Order with { ClientReference = clientReference }, order);
    }

    [Fact]
    public async Task FindOrderAsync_FixtureReference_ReturnsFixtureOrder()
    {
        var order = await CallAsync(VenueOperation.FindOrder, b => b.FindOrderAsync(Fx.Order.ClientReference));

        AssertOrder(Fx.Order, order);
    }

    [Fact]
    public async Task GetAvailabilityAsync_UnknownPerformance_ThrowsNotFound()
    {
        var spec = Faults.UnknownPerformance;

        var ex = await FaultAsync<NotFoundException>(VenueOperation.GetAvailability, b => b.GetAvailabilityAsync(spec.PerformanceId!.Value));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task ReserveTicketsAsync_ExpiredSession_ThrowsSessionExpired()
    {
        var spec = Faults.SessionExpired;

        var ex = await FaultAsync<SessionExpiredException>(VenueOperation.ReserveTickets, b => b.ReserveTicketsAsync(spec.SessionKey!, 1001, 1, 2));

        AssertFault(spec, ex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(-1)]
    public async Task ReserveTicketsAsync_QuantityOutOfRange_ThrowsInvalidArgument(int quantity)
    {
        var ex = await FaultAsync<InvalidArgumentException>(VenueOperation.ReserveTickets, b => b.ReserveTicketsAsync(Fx.SessionKey, 1001, 1, quantity));

        AssertFault(Faults.InvalidQuantity, ex);
    }

    [Fact]
    public async Task ReserveTicketsAsync_NotEnoughSeats_ThrowsNotEnoughSeatsWithAvailable()
    {
        var spec = Faults.NotEnoughSeats;

        var ex = await FaultAsync<NotEnoughSeatsException>(VenueOperation.ReserveTickets, b => b.ReserveTicketsAsync(Fx.SessionKey, 1001, 1, spec.Quantity!.Value));

        AssertFault(spec, ex);
        Assert.Equal(spec.Available, ex.Available);
    }

    [Fact]
    public async Task ReleaseTicketsAsync_UnknownHold_ThrowsNotFound()
    {
        var spec = Faults.UnknownHold;

        var ex = await FaultAsync<NotFoundException>(VenueOperation.ReleaseTickets, b => b.ReleaseTicketsAsync(Fx.SessionKey, spec.LineItemId!.Value));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task ReleaseTicketsAsync_ExpiredSession_ThrowsSessionExpired()
    {
        var spec = Faults.SessionExpired;

        var ex = await FaultAsync<SessionExpiredException>(VenueOperation.ReleaseTickets, b => b.ReleaseTicketsAsync(spec.SessionKey!, Fx.Hold.LineItemId));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task CheckoutAsync_DeclinedToken_ThrowsPaymentDeclined()
    {
        var spec = Faults.PaymentDeclined;

        var ex = await FaultAsync<PaymentDeclinedException>(VenueOperation.Checkout, b => b.CheckoutAsync(Fx.SessionKey, spec.TokenPrefix + "_insufficient_funds", "ref-declined"));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task CheckoutAsync_LateToken_ThrowsHoldExpired()
    {
        var spec = Faults.HoldExpired;

        var ex = await FaultAsync<HoldExpiredException>(VenueOperation.Checkout, b => b.CheckoutAsync(Fx.SessionKey, spec.TokenPrefix!, "ref-late"));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task CheckoutAsync_EmptyToken_ThrowsInvalidArgument()
    {
        var ex = await FaultAsync<InvalidArgumentException>(VenueOperation.Checkout, b => b.CheckoutAsync(Fx.SessionKey, string.Empty, "ref-empty-token"));

        AssertFault(Faults.EmptyToken, ex);
    }

    [Fact]
    public async Task CheckoutAsync_ExpiredSession_ThrowsSessionExpired()
    {
        var spec = Faults.SessionExpired;

        var ex = await FaultAsync<SessionExpiredException>(VenueOperation.Checkout, b => b.CheckoutAsync(spec.SessionKey!, "tok_ok", "ref-expired"));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task FindOrderAsync_MissingReference_ThrowsNotFound()
    {
        var spec = Faults.OrderNotFound;

        var ex = await FaultAsync<NotFoundException>(VenueOperation.FindOrder, b => b.FindOrderAsync(spec.ClientReference!));

        AssertFault(spec, ex);
    }

    [Fact]
    public async Task FindOrderAsync_BusyBackend_ThrowsBackendUnavailable()
    {
        var spec = Faults.Busy;

        var ex = await FaultAsync<BackendUnavailableException>(VenueOperation.FindOrder, b => b.FindOrderAsync(spec.ClientReference!));

        AssertFault(spec, ex);
    }

    private static void AssertHold(Hold expected, Hold actual)
    {
        Assert.Equal(expected.Seats, actual.Seats);
        Assert.Equal(expected, actual with { Seats = expected.Seats });
        Assert.Equal(TimeSpan.Zero, actual.ExpiresAt.Offset);
    }

    private static void AssertOrder(Order expected, Order actual)
    {
        Assert.Equal(expected.Seats, actual.Seats);
        Assert.Equal(expected, actual with { Seats = expected.Seats });
    }

    private static void AssertFault(PeerFault spec, VenueBackendException ex)
    {
        Assert.Equal(spec.Code, ex.FaultCode);
        Assert.Contains(spec.Message, ex.Message, StringComparison.Ordinal);
    }

    // Calls our adapter and checks that the peer received exactly this operation; a failure quotes the peer's log.
    private async Task<T> CallAsync<T>(VenueOperation operation, Func<IVenueBackend, Task<T>> call)
    {
        var mark = _peer.Peer.StderrLineCount;
        T result;
        try
        {
            try
            {
                result = await call(_peer.Backend);
            }
            catch (BackendUnavailableException ex) when (ex.FaultCode is null && operation.IsSafeToRetry() && _peer.Peer.StderrLineCount == mark)
            {
                // The request never reached the peer (a loaded machine's connection hiccup, not an interop fault): once more,
                // as the gateway's read retries would.
                result = await call(_peer.Backend);
            }
        }
        catch (VenueBackendException ex)
        {
            throw new XunitException(
                $"{operation} over {_peer.Protocol} failed: {ex.GetType().Name} (fault {ex.FaultCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}): {ex.Message} ({ex.InnerException?.GetBaseException().Message}){PeerLog(mark)}");
        }

        await AssertPeerReceivedAsync(operation, mark);
        return result;
    }

    private async Task<TException> FaultAsync<TException>(VenueOperation operation, Func<IVenueBackend, Task> call)
        where TException : VenueBackendException
    {
        var mark = _peer.Peer.StderrLineCount;
        var ex = await Record.ExceptionAsync(() => call(_peer.Backend));
        if (ex is null || ex.GetType() != typeof(TException))
        {
            var got = ex is null ? "no exception" : $"{ex.GetType().Name}: {ex.Message} (inner: {ex.InnerException})";
            throw new XunitException($"{operation} over {_peer.Protocol}: expected {typeof(TException).Name}, got {got}{PeerLog(mark)}");
        }

        await AssertPeerReceivedAsync(operation, mark);
        var typed = (TException)ex;
        Assert.Equal(operation, typed.Operation);
        return typed;
    }

    private async Task AssertPeerReceivedAsync(VenueOperation operation, int mark)
    {
        var expected = _peer.LogLineOf(operation);
        if (!await _peer.Peer.WaitForStderrLineAsync(expected, mark, LogWait))
        {
            throw new XunitException($"The peer did not log '{expected}' for {operation}.{PeerLog(mark)}");
        }

        var lines = _peer.Peer.StderrLines(mark);
        Assert.True(
            lines.Count == 1 && lines[0] == expected,
            $"Expected the peer to receive exactly one call, {expected}.{PeerLog(mark)}");
    }

    private string PeerLog(int mark) =>
        "\nPeer stderr since the call:\n  " + string.Join("\n  ", _peer.Peer.StderrLines(mark));
}
