using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.XmlRpc;

/// <summary>
/// The one place that knows the XML-RPC binding's methods: <c>venue.</c> + the operation in lowerCamelCase, with
/// positional parameters in the contract's order, and results as structs with the contract's field names.
/// </summary>
internal sealed class XmlRpcOperations(VenueInventoryAccessor inventory)
{
    private static readonly Dictionary<string, Method> Methods = new Method[]
    {
        new("venue.getNewSessionKey", VenueOperations.GetNewSessionKey, []),
        new("venue.getPerformances", VenueOperations.GetPerformances, []),
        new("venue.getAvailability", VenueOperations.GetAvailability, [Int("performanceId")]),
        new("venue.reserveTickets", VenueOperations.ReserveTickets, [Str("sessionKey"), Int("performanceId"), Int("zoneId"), Int("quantity")]),
        new("venue.releaseTickets", VenueOperations.ReleaseTickets, [Str("sessionKey"), Int("lineItemId")]),
        new("venue.checkout", VenueOperations.Checkout, [Str("sessionKey"), Str("paymentToken"), Str("clientReference")]),
        new("venue.findOrder", VenueOperations.FindOrder, [Str("clientReference")]),
    }.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>The operation behind <paramref name="methodName"/>, or null for an unknown method.</summary>
    public static string? OperationOf(string methodName) => Methods.GetValueOrDefault(methodName)?.Operation;

    /// <summary>Checks the parameters (fault 422) and runs the call; throws <see cref="VenueFaultException"/>.</summary>
    public object Invoke(XmlRpcCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var method = Methods.GetValueOrDefault(call.MethodName)
            ?? throw new InvalidOperationException($"Unknown method {call.MethodName}");
        var p = Bind(method, call.Params);
        var current = inventory.Current;
        return method.Operation switch
        {
            VenueOperations.GetNewSessionKey => current.GetNewSessionKey(),
            VenueOperations.GetPerformances => current.GetPerformances().Select(ToStruct).ToList(),
            VenueOperations.GetAvailability => current.GetAvailability((int)p[0]).Select(ToStruct).ToList(),
            VenueOperations.ReserveTickets => ToStruct(current.ReserveTickets((string)p[0], (int)p[1], (int)p[2], (int)p[3])),
            VenueOperations.ReleaseTickets => current.ReleaseTickets((string)p[0], (int)p[1]),
            VenueOperations.Checkout => ToStruct(current.Checkout((string)p[0], (string)p[1], (string)p[2])),
            VenueOperations.FindOrder => ToStruct(current.FindOrder((string)p[0])),
            _ => throw new InvalidOperationException($"No handler for {method.Operation}"),
        };
    }

    public static XmlRpcStruct ToStruct(PerformanceInfo performance) => new(
    [
        new("id", performance.Id),
        new("title", performance.Title),
        new("venue", performance.Venue),
        new("startsAt", performance.StartsAt),
        new("onSaleAt", performance.OnSaleAt),
    ]);

    public static XmlRpcStruct ToStruct(ZoneInfo zone) => new(
    [
        new("zoneId", zone.ZoneId),
        new("name", zone.Name),
        new("priceCents", zone.PriceCents),
        new("capacity", zone.Capacity),
        new("available", zone.Available),
    ]);

    public static XmlRpcStruct ToStruct(HoldInfo hold) => new(
    [
        new("lineItemId", hold.LineItemId),
        new("performanceId", hold.PerformanceId),
        new("zoneId", hold.ZoneId),
        new("quantity", hold.Quantity),
        new("seats", hold.Seats),
        new("expiresAt", hold.ExpiresAt),
    ]);

    public static XmlRpcStruct ToStruct(OrderInfo order) => new(
    [
        new("orderId", order.OrderId),
        new("clientReference", order.ClientReference),
        new("performanceId", order.PerformanceId),
        new("zoneId", order.ZoneId),
        new("seats", order.Seats),
        new("totalCents", order.TotalCents),
    ]);

    private static object[] Bind(Method method, IReadOnlyList<object?> values)
    {
        if (values.Count != method.Parameters.Count)
        {
            var expected = method.Parameters.Count == 0
                ? "no parameters"
                : $"{method.Parameters.Count} parameter(s) ({string.Join(", ", method.Parameters.Select(p => $"{p.Name} {p.Type}"))})";
            throw new VenueFaultException(
                VenueFaultCodes.InvalidArgument,
                $"{method.Name} expects {expected}, got {values.Count}");
        }

        var bound = new object[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var parameter = method.Parameters[i];
            var value = values[i];
            var ok = parameter.Type == "int" ? value is int : value is string;
            if (!ok)
            {
                throw new VenueFaultException(
                    VenueFaultCodes.InvalidArgument,
                    $"{method.Name}: parameter {i + 1} ({parameter.Name}) must be {parameter.Type}, got {XmlRpcCodec.TypeName(value)}");
            }

            bound[i] = value!;
        }

        return bound;
    }

    private static Parameter Int(string name) => new(name, "int");

    private static Parameter Str(string name) => new(name, "string");

    private sealed record Parameter(string Name, string Type);

    private sealed record Method(string Name, string Operation, IReadOnlyList<Parameter> Parameters);
}
