using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Caching;

internal static class CachingExtensions
{
    /// <summary>
    /// Registers <see cref="HybridCache"/> as the gateway's fail-safe implementation, with options from
    /// <c>Gateway:Cache</c> (when <paramref name="configuration"/> is given) validated at start. An
    /// <see cref="IDistributedCache"/> registered in the container, whenever it is registered, becomes its L2.
    /// Registrations use TryAdd, so a host (or a test) can put its own <see cref="HybridCache"/> or
    /// <see cref="TimeProvider"/> first.
    /// </summary>
    public static IServiceCollection AddFailSafeHybridCache(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<FailSafeHybridCacheOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(FailSafeHybridCacheOptions.SectionName));
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);

        // A factory rather than the type: the constructor's optional L2 is resolved here, when the container is built,
        // so registration order does not matter.
        services.TryAddSingleton<HybridCache>(provider => new FailSafeHybridCache(
            provider.GetRequiredService<IOptions<FailSafeHybridCacheOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<FailSafeHybridCache>>(),
            provider.GetRequiredService<IMeterFactory>(),
            provider.GetService<IDistributedCache>()));
        return services;
    }
}
