namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>An order as the mock recorded it (GET <c>/control/orders</c>).</summary>
public sealed record MockOrder(
    int OrderId,
    string ClientReference,
    int PerformanceId,
    int ZoneId,
    IReadOnlyList<string> Seats,
    int TotalCents);
