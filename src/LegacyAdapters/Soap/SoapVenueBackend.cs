using System.Xml;
using System.Xml.Linq;
using OnSale.LegacyAdapters.Transport;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// <see cref="IVenueBackend"/> over SOAP 1.1 (venue-backend.wsdl). Hand-written on HttpClient and System.Xml because
/// System.ServiceModel cannot be restored here; nothing outside this folder knows, so a generated WCF client can
/// replace it behind the same interface.
/// </summary>
internal sealed class SoapVenueBackend(XmlHttpTransport transport) : IVenueBackend
{
    private static readonly XNamespace Tns = SoapEnvelope.ServiceNamespace;

    public async Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default)
    {
        var result = await CallAsync(VenueOperation.GetNewSessionKey, [], cancellationToken).ConfigureAwait(false);
        return NonEmpty(result, VenueOperation.GetNewSessionKey);
    }

    public async Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.GetPerformances;
        var result = await CallAsync(op, [], cancellationToken).ConfigureAwait(false);
        return [.. result.Elements(Tns + "Performance").Select(p => new Performance(
            Int(p, "Id", op), Text(p, "Title", op), Text(p, "Venue", op), Date(p, "StartsAt", op), Date(p, "OnSaleAt", op)))];
    }

    public async Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.GetAvailability;
        var result = await CallAsync(op, [("performanceId", performanceId)], cancellationToken).ConfigureAwait(false);
        return [.. result.Elements(Tns + "Zone").Select(z => new Zone(
            Int(z, "ZoneId", op), Text(z, "Name", op), Int(z, "PriceCents", op), Int(z, "Capacity", op), Int(z, "Available", op)))];
    }

    public async Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.ReserveTickets;
        var h = await CallAsync(
            op,
            [("sessionKey", sessionKey), ("performanceId", performanceId), ("zoneId", zoneId), ("quantity", quantity)],
            cancellationToken).ConfigureAwait(false);
        return new Hold(Int(h, "LineItemId", op), Int(h, "PerformanceId", op), Int(h, "ZoneId", op), Int(h, "Quantity", op), Seats(h, op), Date(h, "ExpiresAt", op));
    }

    public async Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default)
    {
        const VenueOperation op = VenueOperation.ReleaseTickets;
        var result = await CallAsync(op, [("sessionKey", sessionKey), ("lineItemId", lineItemId)], cancellationToken).ConfigureAwait(false);
        return Convert(result, op, XmlConvert.ToBoolean, "xs:boolean");
    }

    public async Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default)
    {
        var result = await CallAsync(
            VenueOperation.Checkout,
            [("sessionKey", sessionKey), ("paymentToken", paymentToken), ("clientReference", clientReference)],
            cancellationToken).ConfigureAwait(false);
        return ReadOrder(result, VenueOperation.Checkout);
    }

    public async Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default)
    {
        var result = await CallAsync(VenueOperation.FindOrder, [("clientReference", clientReference)], cancellationToken).ConfigureAwait(false);
        return ReadOrder(result, VenueOperation.FindOrder);
    }

    private async Task<XElement> CallAsync(VenueOperation operation, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        var body = SoapEnvelope.WriteRequest(operation, parameters);
        var response = await transport.PostAsync(operation, body, SoapEnvelope.ActionOf(operation), cancellationToken).ConfigureAwait(false);
        return SoapEnvelope.ReadResult(response, operation, transport.MaxResponseBytes);
    }

    private static Order ReadOrder(XElement o, VenueOperation op) => new(
        Int(o, "OrderId", op), Text(o, "ClientReference", op), Int(o, "PerformanceId", op), Int(o, "ZoneId", op), Seats(o, op), Int(o, "TotalCents", op));

    private static IReadOnlyList<string> Seats(XElement parent, VenueOperation op) =>
        [.. Child(parent, "Seats", op).Elements(Tns + "string").Select(s => s.Value)];

    private static XElement Child(XElement parent, string name, VenueOperation op) =>
        parent.Element(Tns + name) ?? throw SoapEnvelope.Protocol(op, $"<{parent.Name.LocalName}> has no <{name}>");

    private static string Text(XElement parent, string name, VenueOperation op) => Child(parent, name, op).Value;

    private static int Int(XElement parent, string name, VenueOperation op) => Convert(Child(parent, name, op), op, XmlConvert.ToInt32, "xs:int");

    private static DateTimeOffset Date(XElement parent, string name, VenueOperation op) =>
        Convert(Child(parent, name, op), op, text => XmlConvert.ToDateTimeOffset(text).ToUniversalTime(), "xs:dateTime");

    private static string NonEmpty(XElement element, VenueOperation op) =>
        element.Value is { Length: > 0 } value ? value : throw SoapEnvelope.Protocol(op, $"<{element.Name.LocalName}> is empty");

    private static T Convert<T>(XElement element, VenueOperation op, Func<string, T> parse, string type)
    {
        try
        {
            return parse(element.Value.Trim());
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new ProtocolErrorException($"{op}: <{element.Name.LocalName}> is not an {type}: '{Truncate(element.Value)}'.", ex).WithOperation(op);
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
