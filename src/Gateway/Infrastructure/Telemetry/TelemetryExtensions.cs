using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OnSale.Gateway.Infrastructure.Telemetry;

/// <summary>
/// The gateway's telemetry on OpenTelemetry: metrics always (scraped at <c>/metrics</c>), and when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (environment variable or configuration key) traces and metrics are
/// pushed over OTLP too.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>The standard variable (OpenTelemetry's exporter reads it, and the rest of <c>OTEL_*</c>, itself).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string ServiceName = "onsale-gateway";

    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MetricsOptions.SectionName);
        services.AddOptions<MetricsOptions>().Configure(o => Bind(section, o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();

        var otlp = IsOtlpConfigured(configuration);
        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(ServiceName));
        }

        telemetry.WithMetrics(metrics =>
        {
            // Reading configured options needs the container, so the meters are added when the provider is built.
            metrics.ConfigureServices(s => s.ConfigureOpenTelemetryMeterProvider(static (provider, builder) =>
            {
                var options = provider.GetRequiredService<IOptions<MetricsOptions>>().Value;
                var ours = provider.GetRequiredService<IMeterFactory>();
                var limit = options.MaxTagSetsPerInstrument;
                builder
                    .AddMeter([.. options.MeterNames])
                    // Another container's meters (the mock backend in the demo, other hosts in the tests) share our meters'
                    // names in this process; they are not this gateway's. No histogram bounds here: the instruments' advice
                    // applies.
                    .AddView(instrument => instrument.Meter.Scope is IMeterFactory owner && !ReferenceEquals(owner, ours)
                        ? MetricStreamConfiguration.Drop
                        : new MetricStreamConfiguration { CardinalityLimit = limit });
            }));
            metrics.AddPrometheusExporter(prometheus =>
            {
                // Names and labels as documented: no otel_scope_* labels on every series, and every scrape fresh.
                prometheus.ScopeInfoEnabled = false;
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            });
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });

        // Tracing listens only when spans are exported: otherwise ASP.NET Core and HttpClient would build and enrich
        // an activity for every request and nobody would read it.
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTracing.SourceName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = static context => !IsOperationsPath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary><c>GET /metrics</c> in the Prometheus text format (OpenMetrics when the scraper asks for it).</summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();

    public static bool IsOtlpConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    // Scrapes and probes every few seconds would drown the traces worth reading.
    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    /// <summary>
    /// The binder appends a configured list to the default one instead of replacing it, which would make the default
    /// meters impossible to leave out; so the list is bound on its own and replaces the default only when given.
    /// </summary>
    private static void Bind(IConfigurationSection section, MetricsOptions options)
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
