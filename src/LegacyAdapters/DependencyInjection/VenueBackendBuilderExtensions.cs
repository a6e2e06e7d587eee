using Microsoft.Extensions.DependencyInjection.Extensions;
using OnSale.LegacyAdapters;
using OnSale.LegacyAdapters.Resilience;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds behaviour around every backend call.</summary>
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
}
