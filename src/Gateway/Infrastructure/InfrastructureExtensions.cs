using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnSale.Gateway.Infrastructure.Telemetry;

namespace OnSale.Gateway.Infrastructure;

internal static partial class InfrastructureExtensions
{
    public static IServiceCollection AddGatewayInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayHttpOptions>().Bind(configuration.GetSection(GatewayHttpOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddGatewayTelemetry(configuration);
        services.AddClientRateLimiting(configuration);
        services.AddSingleton<GatewayReadiness>();
        services.AddHealthChecks().AddCheck<GatewayReadiness>("ready", tags: ["ready"]);
        return services;
    }

    /// <summary>Errors as problem+json, every API request under a deadline.</summary>
    public static WebApplication UseGatewayInfrastructure(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OnSale.Gateway");
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
            await new Problem(500, "internal_error", "Something went wrong on our side.",
                "The request could not be completed. Nothing was bought; it is safe to try again.").ExecuteAsync(context);
        }));
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var (code, title) = context.Response.StatusCode switch
            {
                404 => ("not_found", "Not found."),
                405 => ("method_not_allowed", "Method not allowed."),
                413 => ("payload_too_large", "The request body is too large."),
                _ => ("http_" + context.Response.StatusCode, "The request failed."),
            };
            await new Problem(context.Response.StatusCode, code, title, $"{context.Request.Method} {context.Request.Path} cannot be served.").ExecuteAsync(context);
        });
        app.UseMiddleware<RequestDeadline>();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>/healthz (process alive), /readyz (state restored), /metrics (Prometheus text, from OpenTelemetry).</summary>
    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") }).WithTags("Health");
        app.MapMetricsEndpoint().WithTags("Metrics");
        return app;
    }

    [LoggerMessage(EventIds.UnhandledException, LogLevel.Error, "Unhandled exception in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception? exception, string method, string path);
}

/// <summary>Ready once the durable state is restored (mode, banner, parked promises); until then /readyz says 503.</summary>
internal sealed class GatewayReadiness : IHealthCheck
{
    private volatile bool _ready;

    public void MarkReady() => _ready = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Restoring state"));
}
