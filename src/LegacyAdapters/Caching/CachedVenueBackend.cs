using System.Globalization;
using Microsoft.Extensions.Caching.Hybrid;

namespace OnSale.LegacyAdapters.Caching;

/// <summary>
/// Serves <see cref="IVenueBackend.GetPerformancesAsync"/> and <see cref="IVenueBackend.GetAvailabilityAsync"/> from a
/// <see cref="HybridCache"/>: one backend call per key at a time however many readers wait for it, and nothing cached
/// when the call fails. Writes and <see cref="IVenueBackend.FindOrderAsync"/> go straight to the backend.
/// </summary>
internal sealed class CachedVenueBackend(IVenueBackend inner, HybridCache cache, CachedReadsOptions options) : IVenueBackend
{
    public const string NoHybridCache =
        "AddCachedReads needs a HybridCache in the service collection: call services.AddHybridCache() "
        + "(package Microsoft.Extensions.Caching.Hybrid) or register another implementation, such as FusionCache's AsHybridCache().";

    private readonly HybridCacheEntryOptions _availability = new() { Expiration = options.AvailabilityExpiration };
    private readonly HybridCacheEntryOptions _performances = new() { Expiration = options.PerformancesExpiration };
    private readonly string _performancesKey = options.KeyPrefix + ":performances";
    private readonly string[] _performancesTags = [options.KeyPrefix];

    public async Task<IReadOnlyList<Performance>> GetPerformancesAsync(CancellationToken cancellationToken = default) =>
        await cache.GetOrCreateAsync(
            _performancesKey,
            inner,
            static async (backend, ct) => await backend.GetPerformancesAsync(ct).ConfigureAwait(false),
            _performances,
            _performancesTags,
            cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Zone>> GetAvailabilityAsync(int performanceId, CancellationToken cancellationToken = default) =>
        await cache.GetOrCreateAsync(
            string.Create(CultureInfo.InvariantCulture, $"{options.KeyPrefix}:availability:{performanceId}"),
            (inner, performanceId),
            static async (state, ct) => await state.inner.GetAvailabilityAsync(state.performanceId, ct).ConfigureAwait(false),
            _availability,
            [options.KeyPrefix, string.Create(CultureInfo.InvariantCulture, $"{options.KeyPrefix}:performance:{performanceId}")],
            cancellationToken).ConfigureAwait(false);

    public Task<string> GetNewSessionKeyAsync(CancellationToken cancellationToken = default) =>
        inner.GetNewSessionKeyAsync(cancellationToken);

    public Task<Hold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity, CancellationToken cancellationToken = default) =>
        inner.ReserveTicketsAsync(sessionKey, performanceId, zoneId, quantity, cancellationToken);

    public Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId, CancellationToken cancellationToken = default) =>
        inner.ReleaseTicketsAsync(sessionKey, lineItemId, cancellationToken);

    public Task<Order> CheckoutAsync(string sessionKey, string paymentToken, string clientReference, CancellationToken cancellationToken = default) =>
        inner.CheckoutAsync(sessionKey, paymentToken, clientReference, cancellationToken);

    public Task<Order> FindOrderAsync(string clientReference, CancellationToken cancellationToken = default) =>
        inner.FindOrderAsync(clientReference, cancellationToken);
}

/// <summary>Registered by <c>AddCachedReads</c>: its presence makes <c>AddVenueBackend</c> wrap the backend in <see cref="CachedVenueBackend"/>.</summary>
internal sealed class CachedReadsEnabled;
