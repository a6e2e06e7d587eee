using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace OnSale.Gateway.Availability;

internal static class AvailabilityExtensions
{
    public static IServiceCollection AddAvailability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AvailabilityOptions>().Bind(configuration.GetSection(AvailabilityOptions.SectionName)).ValidateDataAnnotations()
            .Validate(o => o.WarmUpBefore >= TimeSpan.Zero, "Gateway:Availability:WarmUpBefore must not be negative: it is how long before an on-sale opens its availability is fetched ahead (00:30:00 for half an hour; 00:00:00 turns the warm-up off).")
            .ValidateOnStart();
        services.AddAvailabilityCache(configuration);
        services.AddSingleton<LastKnownWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<LastKnownWriter>());
        services.AddSingleton<AvailabilityService>();
        services.AddSingleton<Infrastructure.IHotPath, HotAvailabilityRead>();
        services.AddHostedService<WarmUp>();
        return services;
    }

    /// <summary>
    /// <see cref="Microsoft.Extensions.Caching.Hybrid.HybridCache"/> with FusionCache as its engine: one backend call
    /// per key at a time, fail-safe, soft and hard timeouts, eager refresh. Its default entry options are the
    /// availability reads' (fresh for <see cref="AvailabilityOptions.FreshFor"/>), so that the hot read passes none and
    /// the adapter copies none; other reads pass their own.
    /// </summary>
    private static IServiceCollection AddAvailabilityCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.AddMetrics();
        services.AddSingleton<CacheTelemetry>();
        services.AddOptions<FusionCacheOptions>().Configure<IOptions<CacheOptions>, IOptions<AvailabilityOptions>>((fusion, cacheOptions, availabilityOptions) =>
        {
            var cache = cacheOptions.Value;

            // Our handlers only count and log (rare events); run inline rather than one thread-pool item per event.
            fusion.EnableSyncEventHandlersExecution = true;
            fusion.DefaultEntryOptions = new FusionCacheEntryOptions
            {
                Duration = availabilityOptions.Value.FreshFor,
                IsFailSafeEnabled = true,
                FailSafeMaxDuration = cache.FailSafeMaxDuration,
                FailSafeThrottleDuration = cache.FailSafeThrottleDuration,
                FactorySoftTimeout = cache.FactorySoftTimeout,
                FactoryHardTimeout = cache.FactoryHardTimeout,
                AllowTimedOutFactoryBackgroundCompletion = true,
                EagerRefreshThreshold = cache.EagerRefreshThreshold,

                // With a distributed locker (Redis mode): wait for another node's refresh for at most a second, well within
                // a request's deadline; past it (a slow box, a Redis that does not answer) this node refreshes itself.
                DistributedLockTimeout = TimeSpan.FromSeconds(1),
            };

            // With a second level and a backplane (Redis mode): a Redis that fails is left alone for a moment, and reads
            // carry on from memory meanwhile.
            fusion.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2);
            fusion.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);
        });
        // Without FusionCache's own logger: with one, every read pays for an operation id. Its fail-safe activations
        // are logged by CacheTelemetry (event 700, at Gateway:Cache:FailSafeActivationLogLevel).
        services.AddFusionCache()
            .WithoutLogger()
            .WithPlugin(provider => provider.GetRequiredService<CacheTelemetry>())
            .TryWithRegisteredSerializer()
            .TryWithRegisteredDistributedCache()
            .TryWithRegisteredBackplane()
            .TryWithRegisteredDistributedLocker()
            .AsHybridCache();
        return services;
    }
}
