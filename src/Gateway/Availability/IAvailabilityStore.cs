namespace OnSale.Gateway.Availability;

/// <summary>
/// The last good answers kept across restarts, so that a gateway started while the backend is down still knows which
/// performances exist and what was free, and serves that (stale, with its true <c>asOf</c>) instead of an error.
/// </summary>
internal interface IAvailabilityStore
{
    Task<LastKnownAnswers> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Keeps these answers, each replacing the kept one of its key unless that one is newer.</summary>
    Task SaveAsync(PerformanceList? performances, IReadOnlyCollection<AvailabilitySnapshot> availability, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IAvailabilityStore"/> kept: the performance list (if ever known) and the availability of each performance read.</summary>
internal sealed record LastKnownAnswers(PerformanceList? Performances, IReadOnlyList<AvailabilitySnapshot> Availability);
