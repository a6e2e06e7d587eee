using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OnSale.LegacyAdapters;
using OnSale.LegacyAdapters.Caching;
using OnSale.LegacyAdapters.Resilience;
using OnSale.LegacyAdapters.Soap;
using OnSale.LegacyAdapters.XmlRpc;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IVenueBackend"/>.</summary>
public static class VenueBackendServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the adapters use.</summary>
    public const string HttpClientName = "OnSale.LegacyAdapters";

    /// <summary>
    /// Registers <see cref="IVenueBackend"/> with options bound from <paramref name="sectionPath"/>
    /// (<c>Gateway:Backend</c> by default: <c>Protocol</c>, <c>Url</c>, <c>Timeout</c>, <c>MaxResponseBytes</c>).
    /// The binding (SOAP or XML-RPC) follows <see cref="VenueBackendOptions.Protocol"/>. Options are validated when
    /// the host starts: a missing or relative URL fails fast with a message naming the key.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root (or any configuration holding <paramref name="sectionPath"/>).</param>
    /// <param name="sectionPath">The section to bind.</param>
    /// <returns>A builder for further configuration.</returns>
    public static IVenueBackendBuilder AddVenueBackend(
        this IServiceCollection services,
        IConfiguration configuration,
        string sectionPath = VenueBackendOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VenueBackendOptions>().Bind(configuration.GetSection(sectionPath));
        return AddCore(services);
    }

    /// <summary>Registers <see cref="IVenueBackend"/> with options set in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder for further configuration.</returns>
    public static IVenueBackendBuilder AddVenueBackend(this IServiceCollection services, Action<VenueBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<VenueBackendOptions>().Configure(configure);
        return AddCore(services);
    }

    private static VenueBackendBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<VenueBackendOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VenueBackendOptions>, VenueBackendOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // Timeouts are ours (per call, through TimeProvider), so HttpClient's own is switched off.
        var httpClient = services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);

        services.TryAddSingleton<IVenueBackend>(CreateBackend);
        return new VenueBackendBuilder(services, httpClient);
    }

    private static IVenueBackend CreateBackend(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<VenueBackendOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        IVenueBackend backend = options.Protocol switch
        {
            VenueBackendProtocol.XmlRpc => new XmlRpcVenueBackend(
                new XmlHttpTransport(services.GetRequiredService<IHttpClientFactory>(), HttpClientName, options, time)),
            _ => new SoapVenueBackend(options, services.GetRequiredService<IHttpMessageHandlerFactory>(), HttpClientName, time),
        };

        if (services.GetService<VenueResiliencePipelines>() is { } pipelines)
        {
            backend = new ResilientVenueBackend(backend, pipelines.Create(services));
        }

        if (services.GetService<CachedReadsEnabled>() is not null)
        {
            backend = new CachedVenueBackend(
                backend,
                services.GetService<HybridCache>() ?? throw new InvalidOperationException(CachedVenueBackend.NoHybridCache),
                services.GetRequiredService<IOptions<CachedReadsOptions>>().Value);
        }

        return backend;
    }
}
