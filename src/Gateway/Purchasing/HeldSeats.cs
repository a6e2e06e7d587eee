namespace OnSale.Gateway.Purchasing;

/// <summary>An interactive hold: seats the backend holds for one buyer under its own backend session.</summary>
internal sealed record HeldSeats
{
    public required string HoldId { get; init; }

    public required string SessionKey { get; init; }

    public required int LineItemId { get; init; }

    public required int PerformanceId { get; init; }

    public required int ZoneId { get; init; }

    public required int Quantity { get; init; }

    public required IReadOnlyList<string> Seats { get; init; }

    public required int TotalCents { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set when the buyer released it or bought it.</summary>
    public bool Closed { get; init; }

    /// <summary>The queue entry whose access admitted the buyer, when the waiting room was on.</summary>
    public string? AccessEntryId { get; init; }
}

/// <summary>Durable store of interactive holds, so that a restart does not forget seats a buyer is about to pay for.</summary>
internal interface IHoldStore
{
    Task<HeldSeats?> GetAsync(string holdId, CancellationToken cancellationToken);

    Task SaveAsync(HeldSeats hold, CancellationToken cancellationToken);
}
