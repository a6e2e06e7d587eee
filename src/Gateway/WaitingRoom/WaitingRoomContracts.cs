namespace OnSale.Gateway.WaitingRoom;

/// <summary>The queue answer of CONTRACT.md §2.</summary>
internal sealed record QueueAnswer(
    string State,
    string QueueToken,
    int? Position,
    int? EstimatedWaitSeconds,
    DateTimeOffset? OpensAt,
    string? AccessToken,
    DateTimeOffset? AccessExpiresAt,
    string? Message)
{
    /// <summary>Waiting and sold out: the seats last known left, less those promised to purchases in flight.</summary>
    public int? SeatsLeft { get; init; }

    /// <summary>Waiting: the people ahead of this buyer (buying now, and in line before them).</summary>
    public int? PeopleAhead { get; init; }

    /// <summary>Waiting: the seats those people are likely to take, at the mean a buyer of this sale has taken.</summary>
    public int? SeatsLikelyTakenAhead { get; init; }

    /// <summary>Waiting: the people ahead are likely to take every seat left before this buyer's turn.</summary>
    public bool? LikelySoldOut { get; init; }

    /// <summary>Waiting: true while support paused admission (nobody is let in, everyone keeps their place); else absent.</summary>
    public bool? Paused { get; init; }
}

/// <summary>One waiting room, for the status page.</summary>
internal sealed record QueueStatus(int PerformanceId, bool Active, bool Opened, bool SoldOut, int Waiting, int Lobby, int ActiveBuyers, int AdmissionLimit, double AdmissionsPerSecond)
{
    /// <summary>Buyers let in per minute at the present pace.</summary>
    public double AdmittedPerMinute => Math.Round(AdmissionsPerSecond * 60, 1);

    /// <summary>Seconds until everyone now waiting is let in at the present pace; null when nobody is let in (sold out, paused, before the opening).</summary>
    public double? ClearsInSeconds => Paused ? null : Waiting == 0 ? 0 : AdmissionsPerSecond > 0 ? Math.Round(Waiting / AdmissionsPerSecond) : null;

    /// <summary>Support paused admission (<c>PUT /admin/api/performances/{id}/admission</c>): nobody is let in.</summary>
    public bool Paused { get; init; }

    /// <summary>Seats confirmed through the gateway for this performance (the journal's count; null where not read).</summary>
    public int? SeatsSold { get; init; }
}

/// <summary>Supplies the waiting rooms' figures to the status page.</summary>
internal interface IQueueStatusSource
{
    IReadOnlyList<QueueStatus> Snapshot();
}

/// <summary>Who asks to hold or buy: the bearer access token, if any, and the client it comes from.</summary>
/// <param name="AccessToken">The bearer token of the request, or null.</param>
/// <param name="ClientKey">The client's key for per-client limits (<see cref="Infrastructure.ClientKeys"/>).</param>
internal readonly record struct BuyerCredentials(string? AccessToken, string ClientKey);

/// <summary>
/// An admitted buyer of a performance: their place in its room, or — while the room is not in use — the client whose
/// share of seats they buy from (<see cref="EntryId"/> null).
/// </summary>
internal readonly record struct Buyer(int PerformanceId, UInt128? EntryId, string ClientKey);

/// <summary>
/// What holds and purchases ask of the waiting room: may this caller take these seats for this performance now (from
/// their fair share), and — when their purchase ends or they let their seats go — free their place for the next buyer.
/// </summary>
internal interface IBuyerAccess
{
    /// <summary>
    /// Who the caller is, for scoping what they send (idempotency keys), without admitting anyone: the place of a
    /// genuine access token whatever its state (so a retry after the purchase still finds it), else the client.
    /// </summary>
    string ScopeOf(int performanceId, BuyerCredentials who);

    /// <summary>
    /// Takes <paramref name="seats"/> from the caller's fair share when they may buy now. Null buyer and null problem:
    /// the performance is not known here (the purchase path says why).
    /// </summary>
    Task<(Buyer? Buyer, Infrastructure.Problem? Problem)> AdmitAsync(int performanceId, BuyerCredentials who, int seats, CancellationToken cancellationToken);

    /// <summary>Gives seats back to the buyer's share: what they were taken for did not happen.</summary>
    void Refund(Buyer buyer, int seats);

    /// <summary>Ends the buyer's turn early; the place goes to the next buyer.</summary>
    void Release(int performanceId, UInt128 entryId);

    /// <summary>Ends the turn of a buyer refused for lack of seats when, as far as we know, nothing is left to buy.</summary>
    void ReleaseIfSoldOut(int performanceId, UInt128 entryId);

    /// <summary>
    /// Buyers waiting in the lobbies of performances opening within <paramref name="within"/>: the purchases to
    /// expect soon.
    /// </summary>
    int BuyersExpected(TimeSpan within);
}
