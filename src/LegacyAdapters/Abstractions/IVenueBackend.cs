namespace OnSale.LegacyAdapters;

/// <summary>
/// A Tessitura-style venue ticketing backend: one method per backend operation, the same over every binding.
/// Failures are reported as <see cref="VenueBackendException"/> subclasses, whatever the wire protocol.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Each call honours its <see cref="CancellationToken"/> and the configured
/// per-call timeout (<see cref="VenueBackendOptions.Timeout"/>); a call that times out throws
/// <see cref="BackendTimeoutException"/>, whose outcome at the backend is unknown.
/// </remarks>
public interface IVenueBackend
{
    /// <summary>Opens a backend session. Keys expire after 20 minutes without use.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new session key.</returns>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the performances.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every performance the backend knows.</returns>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the zones of a performance with the number of seats free in each.</summary>
    /// <param name="performanceId">The performance.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The zones.</returns>
    /// <exception cref="NotFoundException">Unknown performance (fault 404).</exception>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default);

    /// <summary>Holds the best available seats in a zone, all or nothing. The hold lives 10 minutes.</summary>
    /// <param name="sessionKey">A key from <see cref="GetNewSessionKeyAsync"/>.</param>
    /// <param name="performanceId">The performance.</param>
    /// <param name="zoneId">The zone.</param>
    /// <param name="quantity">How many seats, 1 to 10.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hold.</returns>
    /// <exception cref="SessionExpiredException">The session key is unknown or expired (fault 101).</exception>
    /// <exception cref="NotEnoughSeatsException">Fewer seats are free than asked for (fault 201).</exception>
    /// <exception cref="NotFoundException">Unknown performance or zone (fault 404).</exception>
    /// <exception cref="InvalidArgumentException">Quantity outside 1 to 10 (fault 422).</exception>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default);

    /// <summary>Releases a hold so its seats return to the pool.</summary>
    /// <param name="sessionKey">The session that holds the seats.</param>
    /// <param name="lineItemId">The hold's <see cref="Hold.LineItemId"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the backend released it.</returns>
    /// <exception cref="SessionExpiredException">The session key is unknown or expired (fault 101).</exception>
    /// <exception cref="NotFoundException">Unknown hold (fault 404).</exception>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Buys every live hold of the session. Idempotent on <paramref name="clientReference"/>: a second call with a
    /// reference that already has an order returns that order and charges nothing again.
    /// </summary>
    /// <param name="sessionKey">The session that holds the seats.</param>
    /// <param name="paymentToken">The opaque payment token.</param>
    /// <param name="clientReference">The caller's unique reference for this purchase.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order.</returns>
    /// <exception cref="SessionExpiredException">The session key is unknown or expired (fault 101).</exception>
    /// <exception cref="PaymentDeclinedException">The payment was declined (fault 301).</exception>
    /// <exception cref="HoldExpiredException">The session has no live hold (fault 302).</exception>
    /// <exception cref="InvalidArgumentException">Empty payment token or reference (fault 422).</exception>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default);

    /// <summary>Looks an order up by the client reference it was bought with.</summary>
    /// <param name="clientReference">The reference passed to <see cref="CheckoutAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order.</returns>
    /// <exception cref="NotFoundException">No order has that reference (fault 404).</exception>
    /// <exception cref="BackendUnavailableException">The backend is busy or down (fault 503).</exception>
    Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default);
}
