using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>Registers the Prometheus exporter and maps its endpoint.</summary>
public static class MetricsExtensions
{
    /// <summary>
    /// Registers the collector that aggregates System.Diagnostics.Metrics instruments for <c>/metrics</c>, with its
    /// options bound from <c>Gateway:Metrics</c> when <paramref name="configuration"/> is given. The collector is
    /// created when the host starts, before it serves requests.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<PrometheusExporterOptions>();
        if (configuration is not null)
        {
            var section = configuration.GetSection(PrometheusExporterOptions.SectionName);
            options.Configure(o => Bind(section, o));
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrometheusExporterOptions>, PrometheusExporterOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<PrometheusMetricsCollector>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PrometheusMetricsActivator>());
        return services;
    }

    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to the Prometheus text exposition format 0.0.4 of every exported
    /// instrument. It is left out of API descriptions: it is for scrapers, not integrators.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);

        return endpoints
            .MapGet(pattern, static (PrometheusMetricsCollector collector) =>
                TypedResults.Text(collector.Collect(), PrometheusTextWriter.ContentType))
            .WithName("PrometheusMetrics")
            .ExcludeFromDescription();
    }

    /// <summary>
    /// The binder appends a configured list to the default one instead of replacing it, which would make the default
    /// meters impossible to leave out; so the list is bound on its own and replaces the default only when given.
    /// </summary>
    private static void Bind(IConfigurationSection section, PrometheusExporterOptions options)
    {
        var defaults = options.MeterNames;
        options.MeterNames = [];
        section.Bind(options);
        if (options.MeterNames.Count == 0)
        {
            options.MeterNames = defaults;
        }
    }
}

/// <summary>
/// Asking for the collector when the host starts creates its listener before the first request is measured; a
/// singleton created lazily would miss everything recorded until the first scrape.
/// </summary>
internal sealed class PrometheusMetricsActivator : IHostedService
{
    public PrometheusMetricsActivator(PrometheusMetricsCollector collector) => ArgumentNullException.ThrowIfNull(collector);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
