using System.ServiceModel;
using System.ServiceModel.Channels;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// <see cref="IVenueBackend"/> over SOAP 1.1 (venue-backend.wsdl) with WCF's client: one cached
/// <see cref="ChannelFactory{TChannel}"/> for the endpoint and a channel per call, the per-call timeout from
/// <see cref="TimeProvider"/>, and WCF's outcomes turned into the same exceptions as XML-RPC's (<see cref="SoapErrors"/>).
/// </summary>
internal sealed class SoapVenueBackend : IVenueBackend
{
    /// <summary>How far past the per-call timeout WCF's own send timeout fires, if ours somehow did not.</summary>
    private static readonly TimeSpan BackstopMargin = TimeSpan.FromSeconds(30);

    private readonly ChannelFactory<IVenueService> _factory;
    private readonly VenueBackendOptions _options;
    private readonly TimeProvider _timeProvider;

    public SoapVenueBackend(VenueBackendOptions options, IHttpMessageHandlerFactory handlers, string clientName, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
        var url = options.Url ?? throw new InvalidOperationException("Gateway:Backend:Url is required.");
        _factory = new ChannelFactory<IVenueService>(CreateBinding(options, url), new EndpointAddress(url));
        _factory.Endpoint.EndpointBehaviors.Add(new VenueEndpointBehavior(handlers, clientName));
        _factory.Open();
        WarmUpCall.Run(_factory, url);
    }

    public async Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.GetNewSessionKey;
        var key = await CallAsync(op, c => c.GetNewSessionKeyAsync(), cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(key) ? throw new ProtocolErrorException($"{op}: the session key is empty.").WithOperation(op) : key;
    }

    public async Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default)
    {
        var performances = await CallAsync(VenueOperation.GetPerformances, c => c.GetPerformancesAsync(), cancellationToken).ConfigureAwait(false);
        return [.. performances.Select(p => new Performance(p.Id, p.Title, p.Venue, Utc(p.StartsAt), Utc(p.OnSaleAt)))];
    }

    public async Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default)
    {
        var zones = await CallAsync(VenueOperation.GetAvailability, c => c.GetAvailabilityAsync(performanceId), cancellationToken).ConfigureAwait(false);
        return [.. zones.Select(z => new Zone(z.ZoneId, z.Name, z.PriceCents, z.Capacity, z.Available))];
    }

    public async Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default)
    {
        var h = await CallAsync(
            VenueOperation.ReserveTickets, c => c.ReserveTicketsAsync(sessionKey, performanceId, zoneId, quantity), cancellationToken).ConfigureAwait(false);
        return new Hold(h.LineItemId, h.PerformanceId, h.ZoneId, h.Quantity, h.Seats, Utc(h.ExpiresAt));
    }

    public Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default) =>
        CallAsync(VenueOperation.ReleaseTickets, c => c.ReleaseTicketsAsync(sessionKey, lineItemId), cancellationToken);

    public async Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default) =>
        ToOrder(await CallAsync(
            VenueOperation.Checkout, c => c.CheckoutAsync(sessionKey, paymentToken, clientReference), cancellationToken).ConfigureAwait(false));

    public async Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default) =>
        ToOrder(await CallAsync(VenueOperation.FindOrder, c => c.FindOrderAsync(clientReference), cancellationToken).ConfigureAwait(false));

    private static BasicHttpBinding CreateBinding(VenueBackendOptions options, Uri url) =>
        new(url.Scheme == Uri.UriSchemeHttps ? BasicHttpSecurityMode.Transport : BasicHttpSecurityMode.None)
        {
            MaxReceivedMessageSize = options.MaxResponseBytes,
            MaxBufferSize = options.MaxResponseBytes,

            // A backstop only: the per-call timeout is CallAsync's, on TimeProvider, so that tests can drive it.
            SendTimeout = options.Timeout + BackstopMargin,
            ReaderQuotas =
            {
                // The deepest reply (Envelope, Body, wrapper, Result, Hold, Seats, string) is 7 levels.
                MaxDepth = 32,

                // Titles, names, seat labels and keys are short; a longer text is not an answer we want to hold.
                MaxStringContentLength = 64 * 1024,
            },
        };

    private async Task<TResult> CallAsync<TResult>(
        VenueOperation operation,
        Func<IVenueService, Task<TResult>> call,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var channel = _factory.CreateChannel();
        var communication = (ICommunicationObject)channel;
        try
        {
            TResult result;

            // WCF's operations take no CancellationToken, and Task.WaitAsync would only stop the waiting: aborting the
            // channel ends the request itself (the server sees it go). An aborted channel is dead, hence one per call.
            using (linked.Token.Register(static c => ((ICommunicationObject)c!).Abort(), channel))
            {
                result = await call(channel).ConfigureAwait(false);
            }

            communication.Close();
            return result;
        }
        catch (Exception ex) when (linked.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // The caller's own token, not our linked one, so that callers can tell their cancellation apart.
                throw new OperationCanceledException($"{operation} was cancelled.", ex, cancellationToken);
            }

            throw new BackendTimeoutException(
                $"{operation}: the backend did not answer within {_options.Timeout.TotalMilliseconds:0} ms.", _options.Timeout, ex)
                .WithOperation(operation);
        }
        catch (Exception ex) when (SoapErrors.Translate(ex, operation, _options) is { } error)
        {
            throw error;
        }
        finally
        {
            if (communication.State != CommunicationState.Closed)
            {
                communication.Abort();
            }
        }
    }

    private static Order ToOrder(SoapOrder o) =>
        new(o.OrderId, o.ClientReference, o.PerformanceId, o.ZoneId, o.Seats, o.TotalCents);

    // The WSDL's dates are UTC; XmlSerializer turns one written with an offset into local time, and one without into
    // an unspecified kind, which the WSDL means as UTC.
    private static DateTimeOffset Utc(DateTime value) =>
        new(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
