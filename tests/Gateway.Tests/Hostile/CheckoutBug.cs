using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Tests.Hostile;

/// <summary>A backend whose Checkout has a bug for one token: it throws what no backend error handling expects.</summary>
internal sealed class CheckoutBug(IVenueBackend inner) : IVenueBackend
{
    public const string Token = "tok_bug";

    public Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default) => inner.GetNewSessionKeyAsync(cancellationToken);

    public Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default) => inner.GetPerformancesAsync(cancellationToken);

    public Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default) =>
        inner.GetAvailabilityAsync(performanceId, cancellationToken);

    public Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default) =>
        inner.ReserveTicketsAsync(sessionKey, performanceId, zoneId, quantity, cancellationToken);

    public Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default) =>
        inner.ReleaseTicketsAsync(sessionKey, lineItemId, cancellationToken);

    public Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default) =>
        paymentToken == Token
            ? throw new InvalidOperationException("A bug in the checkout path.")
            : inner.CheckoutAsync(sessionKey, paymentToken, clientReference, cancellationToken);

    public Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default) => inner.FindOrderAsync(clientReference, cancellationToken);
}
