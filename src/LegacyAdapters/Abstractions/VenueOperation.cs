namespace OnSale.LegacyAdapters;

/// <summary>The backend's operations, as named by the contract and the WSDL.</summary>
public enum VenueOperation
{
    /// <summary>Opens a backend session and returns its key.</summary>
    GetNewSessionKey,

    /// <summary>Lists the performances.</summary>
    GetPerformances,

    /// <summary>Lists the zones of a performance with their free seats.</summary>
    GetAvailability,

    /// <summary>Holds best-available seats in a zone, all or nothing.</summary>
    ReserveTickets,

    /// <summary>Releases a hold.</summary>
    ReleaseTickets,

    /// <summary>Buys every live hold of a session; idempotent on the client reference.</summary>
    Checkout,

    /// <summary>Looks an order up by its client reference.</summary>
    FindOrder,
}

/// <summary>Facts about <see cref="VenueOperation"/> that callers build retry rules on.</summary>
public static class VenueOperationExtensions
{
    /// <summary>
    /// Whether repeating the operation after a failure is harmless: reads, and opening a session (an unused
    /// session simply expires). <see cref="VenueOperation.ReserveTickets"/>, <see cref="VenueOperation.ReleaseTickets"/>
    /// and <see cref="VenueOperation.Checkout"/> are not: a blind retry can hold or buy twice.
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <returns><see langword="true"/> when a retry cannot change the outcome.</returns>
    public static bool IsSafeToRetry(this VenueOperation operation) => operation switch
    {
        VenueOperation.GetNewSessionKey or VenueOperation.GetPerformances
            or VenueOperation.GetAvailability or VenueOperation.FindOrder => true,
        _ => false,
    };
}
