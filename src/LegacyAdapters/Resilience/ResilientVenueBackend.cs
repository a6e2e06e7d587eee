using Polly;

namespace OnSale.LegacyAdapters.Resilience;

/// <summary>Runs each call of the inner backend through the pipeline of its operation.</summary>
internal sealed class ResilientVenueBackend(IVenueBackend inner, IReadOnlyDictionary<VenueOperation, ResiliencePipeline> pipelines)
    : IVenueBackend
{
    public Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default) =>
        Run(VenueOperation.GetNewSessionKey, inner, static (backend, ct) => backend.GetNewSessionKeyAsync(ct), cancellationToken);

    public Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default) =>
        Run(VenueOperation.GetPerformances, inner, static (backend, ct) => backend.GetPerformancesAsync(ct), cancellationToken);

    public Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default) =>
        Run(VenueOperation.GetAvailability, (inner, performanceId), static (s, ct) => s.inner.GetAvailabilityAsync(s.performanceId, ct), cancellationToken);

    public Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default) =>
        Run(
            VenueOperation.ReserveTickets,
            (inner, sessionKey, performanceId, zoneId, quantity),
            static (s, ct) => s.inner.ReserveTicketsAsync(s.sessionKey, s.performanceId, s.zoneId, s.quantity, ct),
            cancellationToken);

    public Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default) =>
        Run(VenueOperation.ReleaseTickets, (inner, sessionKey, lineItemId), static (s, ct) => s.inner.ReleaseTicketsAsync(s.sessionKey, s.lineItemId, ct), cancellationToken);

    public Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default) =>
        Run(
            VenueOperation.Checkout,
            (inner, sessionKey, paymentToken, clientReference),
            static (s, ct) => s.inner.CheckoutAsync(s.sessionKey, s.paymentToken, s.clientReference, ct),
            cancellationToken);

    public Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default) =>
        Run(VenueOperation.FindOrder, (inner, clientReference), static (s, ct) => s.inner.FindOrderAsync(s.clientReference, ct), cancellationToken);

    private async Task<TResult> Run<TState, TResult>(
        VenueOperation operation,
        TState state,
        Func<TState, CancellationToken, Task<TResult>> call,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(VenueResilienceKeys.Get(operation), cancellationToken);
        try
        {
            context.Properties.Set(VenueResilienceKeys.Operation, operation);
            return await pipelines[operation].ExecuteAsync(
                static async (ctx, s) => await s.call(s.state, ctx.CancellationToken).ConfigureAwait(false),
                context,
                (call, state)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
