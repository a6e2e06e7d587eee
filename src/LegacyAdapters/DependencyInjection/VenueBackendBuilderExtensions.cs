using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OnSale.LegacyAdapters;
using OnSale.LegacyAdapters.Caching;
using OnSale.LegacyAdapters.Resilience;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds behaviour around backend calls.</summary>
public static class VenueBackendBuilderExtensions
{
    /// <summary>
    /// Runs every call of <see cref="IVenueBackend"/> through a Polly pipeline chosen per operation, so that retry
    /// rules can differ: retry reads (<see cref="VenueOperationExtensions.IsSafeToRetry"/>), never
    /// <see cref="VenueOperation.ReserveTickets"/> or <see cref="VenueOperation.Checkout"/>. The factory is called
    /// once per operation when the backend is first resolved; return the same pipeline for several operations to
    /// share a circuit breaker or a concurrency limit between them.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="pipelineFactory">Returns the pipeline for an operation.</param>
    /// <returns>The builder.</returns>
    public static IVenueBackendBuilder AddResiliencePipeline(
        this IVenueBackendBuilder builder,
        Func<IServiceProvider, VenueOperation, ResiliencePipeline> pipelineFactory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(pipelineFactory);
        builder.Services.RemoveAll<VenueResiliencePipelines>();
        builder.Services.AddSingleton(new VenueResiliencePipelines(pipelineFactory));
        return builder;
    }

    /// <summary>
    /// Serves <see cref="IVenueBackend.GetAvailabilityAsync"/> and <see cref="IVenueBackend.GetPerformancesAsync"/>
    /// from the <see cref="HybridCache"/> the host registered (<c>services.AddHybridCache()</c>, or FusionCache's
    /// <c>AsHybridCache()</c>): however many callers read one key at once, the backend is called once, and a
    /// failed call is not cached. Writes and <see cref="IVenueBackend.FindOrderAsync"/> are never cached. The cache
    /// sits outside any <see cref="AddResiliencePipeline"/> pipeline, so a hit skips it. Without a
    /// <see cref="HybridCache"/> the host fails to start, naming what to add.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets how long entries live (defaults: availability 2 seconds, performances 1 minute) and the key prefix.</param>
    /// <returns>The builder.</returns>
    public static IVenueBackendBuilder AddCachedReads(this IVenueBackendBuilder builder, Action<CachedReadsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<CachedReadsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate<IServiceProviderIsService>(static (_, services) => services.IsService(typeof(HybridCache)), CachedVenueBackend.NoHybridCache)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CachedReadsOptions>, CachedReadsOptionsValidator>());
        builder.Services.TryAddSingleton<CachedReadsEnabled>();
        return builder;
    }
}
