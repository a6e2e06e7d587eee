using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Availability;

/// <summary>The zones of a performance as the backend reported them at <see cref="AsOf"/>, adjusted by our own sales since.</summary>
internal sealed record AvailabilitySnapshot(int PerformanceId, IReadOnlyList<Zone> Zones, DateTimeOffset AsOf);

/// <summary>The list of performances as the backend reported it at <see cref="AsOf"/>.</summary>
internal sealed record PerformanceList(IReadOnlyList<Performance> Performances, DateTimeOffset AsOf);

/// <summary>The availability answer of CONTRACT.md §2.</summary>
internal sealed record AvailabilityResponse(int PerformanceId, IReadOnlyList<Zone> Zones, DateTimeOffset AsOf, bool Stale);

/// <summary>What a read found.</summary>
internal enum AvailabilityOutcome
{
    Fresh,
    Stale,
    UnknownPerformance,
    NeverKnown,
}

/// <summary>What a seat promise for a parked purchase found.</summary>
internal enum PromiseOutcome
{
    Promised,
    NotEnoughSeats,
    NeverKnown,
}
