namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>Where a hold is in its life. Changed only under its performance's gate.</summary>
internal enum HoldState
{
    Live,
    Released,
    Expired,
    Sold,
}

/// <summary>Seats held for one session. Its <see cref="State"/> is changed only under its performance's gate.</summary>
internal sealed class Hold(
    int lineItemId,
    Session session,
    PerformanceInventory performance,
    ZoneInventory zone,
    int[] seatIndexes,
    DateTimeOffset expiresAt)
{
    public int LineItemId { get; } = lineItemId;

    public Session Session { get; } = session;

    public PerformanceInventory Performance { get; } = performance;

    public ZoneInventory Zone { get; } = zone;

    public IReadOnlyList<int> SeatIndexes { get; } = seatIndexes;

    /// <summary>Labels computed once, for the hold's few seats only.</summary>
    public IReadOnlyList<string> SeatLabels { get; } = Array.ConvertAll(seatIndexes, zone.Label);

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public HoldState State { get; set; } = HoldState.Live;

    public HoldInfo ToInfo() =>
        new(LineItemId, Performance.Id, Zone.ZoneId, SeatIndexes.Count, SeatLabels, ExpiresAt);
}
