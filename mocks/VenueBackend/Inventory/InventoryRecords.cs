namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>A performance as the contract describes it.</summary>
internal sealed record PerformanceInfo(int Id, string Title, string Venue, DateTimeOffset StartsAt, DateTimeOffset OnSaleAt);

/// <summary>A zone with its live availability.</summary>
internal sealed record ZoneInfo(int ZoneId, string Name, int PriceCents, int Capacity, int Available);

/// <summary>Seats held for one session until <see cref="ExpiresAt"/>.</summary>
internal sealed record HoldInfo(
    int LineItemId,
    int PerformanceId,
    int ZoneId,
    int Quantity,
    IReadOnlyList<string> Seats,
    DateTimeOffset ExpiresAt);

/// <summary>A completed purchase.</summary>
internal sealed record OrderInfo(
    int OrderId,
    string ClientReference,
    int PerformanceId,
    int ZoneId,
    IReadOnlyList<string> Seats,
    int TotalCents);
