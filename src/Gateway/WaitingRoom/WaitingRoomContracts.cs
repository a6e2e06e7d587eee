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
    string? Message);

/// <summary>One waiting room, for the status page.</summary>
internal sealed record QueueStatus(int PerformanceId, bool Active, bool Opened, bool SoldOut, int Waiting, int Lobby, int ActiveBuyers, int AdmissionLimit, double AdmissionsPerSecond);

/// <summary>Supplies the waiting rooms' figures to the status page.</summary>
internal interface IQueueStatusSource
{
    IReadOnlyList<QueueStatus> Snapshot();
}

/// <summary>
/// What holds and purchases ask of the waiting room: may this caller buy for this performance now, and — when their
/// purchase ends or they let their seats go — free their place for the next buyer.
/// </summary>
internal interface IBuyerAccess
{
    /// <summary>The caller's queue entry when they may buy (null entry: the room is not in use), or the problem.</summary>
    Task<(UInt128? EntryId, Infrastructure.Problem? Problem)> AuthorizeAsync(int performanceId, string? accessToken, CancellationToken cancellationToken);

    /// <summary>Ends the buyer's turn early; the place goes to the next buyer.</summary>
    void Release(int performanceId, UInt128 entryId);

    /// <summary>Ends the turn of a buyer refused for lack of seats when, as far as we know, nothing is left to buy.</summary>
    void ReleaseIfSoldOut(int performanceId, UInt128 entryId);
}
