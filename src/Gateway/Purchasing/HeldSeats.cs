namespace OnSale.Gateway.Purchasing;

/// <summary>An interactive hold: seats the backend holds for one buyer under its own backend session.</summary>
internal sealed record HeldSeats
{
    public required string HoldId { get; init; }

    /// <summary>
    /// The backend session holding the seats; null once the hold is closed or expired (<see cref="IHoldStore"/>), when
    /// the backend holds nothing under it any more.
    /// </summary>
    public required string? SessionKey { get; init; }

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

    /// <summary>Stores a new hold, or closes a stored one: closing erases its backend session in the same write.</summary>
    Task SaveAsync(HeldSeats hold, CancellationToken cancellationToken);

    /// <summary>
    /// Erases the backend session of at most <paramref name="limit"/> holds expired at or before <paramref name="now"/>
    /// (the backend let their seats go), and deletes at most <paramref name="limit"/> holds expired before
    /// <paramref name="forgetBefore"/>, closed or not. Returns how many of each.
    /// </summary>
    Task<(int SessionsErased, int Deleted)> ForgetExpiredAsync(DateTimeOffset now, DateTimeOffset forgetBefore, int limit, CancellationToken cancellationToken);
}
