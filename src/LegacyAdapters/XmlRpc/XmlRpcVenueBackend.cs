namespace OnSale.LegacyAdapters.XmlRpc;

/// <summary><see cref="IVenueBackend"/> over XML-RPC: method <c>venue.{operation}</c>, positional parameters, contract field names.</summary>
internal sealed class XmlRpcVenueBackend(XmlHttpTransport transport) : IVenueBackend
{
    public async Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.GetNewSessionKey;
        var value = await CallAsync(op, [], cancellationToken).ConfigureAwait(false);
        return value is string { Length: > 0 } key ? key : throw Shape(op, "expected a non-empty string");
    }

    public async Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.GetPerformances;
        var value = await CallAsync(op, [], cancellationToken).ConfigureAwait(false);
        return [.. Array(value, op).Select(item =>
        {
            var p = new XmlRpcStruct(item, op);
            return new Performance(p.Int("id"), p.String("title"), p.String("venue"), p.Date("startsAt"), p.Date("onSaleAt"));
        })];
    }

    public async Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.GetAvailability;
        var value = await CallAsync(op, [performanceId], cancellationToken).ConfigureAwait(false);
        return [.. Array(value, op).Select(item =>
        {
            var z = new XmlRpcStruct(item, op);
            return new Zone(z.Int("zoneId"), z.String("name"), z.Int("priceCents"), z.Int("capacity"), z.Int("available"));
        })];
    }

    public async Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.ReserveTickets;
        var value = await CallAsync(op, [sessionKey, performanceId, zoneId, quantity], cancellationToken).ConfigureAwait(false);
        var h = new XmlRpcStruct(value, op);
        return new Hold(h.Int("lineItemId"), h.Int("performanceId"), h.Int("zoneId"), h.Int("quantity"), h.Strings("seats"), h.Date("expiresAt"));
    }

    public async Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.ReleaseTickets;
        var value = await CallAsync(op, [sessionKey, lineItemId], cancellationToken).ConfigureAwait(false);
        return value is bool released ? released : throw Shape(op, "expected a boolean");
    }

    public async Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.Checkout;
        return ReadOrder(await CallAsync(op, [sessionKey, paymentToken, clientReference], cancellationToken).ConfigureAwait(false), op);
    }

    public async Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.FindOrder;
        return ReadOrder(await CallAsync(op, [clientReference], cancellationToken).ConfigureAwait(false), op);
    }

    internal static string MethodName(VenueOperation operation)
    {
        var name = operation.ToString();
        return "venue." + char.ToLowerInvariant(name[0]) + name[1..];
    }

    private async Task<object?> CallAsync(VenueOperation operation, object[] parameters, CancellationToken cancellationToken)
    {
        var body = XmlRpcCodec.WriteCall(MethodName(operation), parameters);
        var response = await transport.PostAsync(operation, body, cancellationToken).ConfigureAwait(false);
        if (!response.IsXml || response.Body.IsEmpty)
        {
            throw HardenedXml.NotXml(response, operation, "an XML-RPC methodResponse");
        }

        var document = HardenedXml.Load(response.Body, transport.MaxResponseBytes, operation);
        object? value;
        XmlRpcFault? fault;
        try
        {
            value = XmlRpcCodec.ReadResponse(document, out fault);
        }
        catch (XmlRpcFormatException ex)
        {
            throw new ProtocolErrorException($"{operation}: the backend's XML-RPC answer is malformed: {ex.Message}.", ex).WithOperation(operation);
        }

        if (fault is { } f)
        {
            throw VenueFaults.FromCode(f.Code, f.Message, operation);
        }

        if ((int)response.StatusCode != 200)
        {
            throw HardenedXml.NotXml(response, operation, "an XML-RPC methodResponse with HTTP 200");
        }

        return value;
    }

    private static Order ReadOrder(object? value, VenueOperation op)
    {
        var o = new XmlRpcStruct(value, op);
        return new Order(o.Int("orderId"), o.String("clientReference"), o.Int("performanceId"), o.Int("zoneId"), o.Strings("seats"), o.Int("totalCents"));
    }

    private static IReadOnlyList<object?> Array(object? value, VenueOperation op) =>
        value as IReadOnlyList<object?> ?? throw Shape(op, "expected an array");

    internal static ProtocolErrorException Shape(VenueOperation op, string what) =>
        new ProtocolErrorException($"{op}: the backend's XML-RPC answer has the wrong shape: {what}.").WithOperation(op);
}
