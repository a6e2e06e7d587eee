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
        services.AddForwardedHeadersSettings(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddGatewayTelemetry(configuration);
        services.AddClientRateLimiting(configuration);
        services.AddSingleton<GatewayReadiness>();
        services.AddSingleton<ThisNode>();
        services.TryAddSingleton<IClusterNodes, SingleNode>();
        services.AddHealthChecks().AddCheck<GatewayReadiness>("ready", tags: ["ready"]);

        // The hosting layer's own request logs (Debug and Information) are off unless configured: while its logger is on
        // at any level, every request pays for a logging scope and an Activity that nothing else asked for (tracing,
        // when configured, still gets its Activity).
        if (configuration["Logging:LogLevel:" + HostingDiagnostics] is null)
        {
            services.Configure<LoggerFilterOptions>(filters => filters.Rules.Add(new LoggerFilterRule(null, HostingDiagnostics, LogLevel.None, null)));
        }

        // Announcing the server and its version helps nobody but someone looking for a known hole.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return services;
    }

    /// <summary>Errors as problem+json, every API request under a deadline.</summary>
    public static WebApplication UseGatewayInfrastructure(this WebApplication app)
    {
        // Every answer, error pages included: no browser may guess a type we did not send.
        app.Use(static (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = NoSniff;
            return next(context);
        });
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OnSale.Gateway");
            context.Response.Headers.XContentTypeOptions = NoSniff;
            if (exception is BadHttpRequestException bad)
            {
                // The client's request broke HTTP (a body that stops or lies about its length, bad chunking): its fault,
                // said as a problem like every other, never a 500.
                LogBadRequest(logger, context.Request.Method, context.Request.Path, bad.StatusCode, bad.Message);
                await BadRequest(bad.StatusCode).ExecuteAsync(context);
                return;
            }

            if (exception is StoreUnavailableException unavailable)
            {
                // Redis down or too slow: a clear 503 that says when to come back, never a 500.
                LogStoreUnavailable(logger, context.Request.Method, context.Request.Path, unavailable.Message);
                await StoreUnavailableException.Problem("The gateway could not reach its shared store, so what was asked may not have been done: look again in a moment and try again.").ExecuteAsync(context);
                return;
            }

            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
            await InternalError.ExecuteAsync(context);
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

    /// <summary>/healthz (process alive), /readyz (state restored). /metrics is mapped by the Admin feature, behind its key.</summary>
    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteReadiness }).WithTags("Health");
        return app;
    }

    /// <summary>"Healthy", or "Unhealthy" and a line per check that is not, saying why (Redis unreachable, state restoring).</summary>
    private static Task WriteReadiness(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
        return context.Response.WriteAsync(string.Join('\n', lines.Prepend(report.Status.ToString())) + "\n");
    }

    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private static readonly Microsoft.Extensions.Primitives.StringValues NoSniff = new("nosniff");

    /// <summary>The answer to a failure of ours: never a stack trace, never an empty 500.</summary>
    internal static readonly Problem InternalError = new(500, "internal_error", "Something went wrong on our side.",
        "The request could not be completed. Nothing was bought; it is safe to try again.");

    private static Problem BadRequest(int status) => status switch
    {
        StatusCodes.Status408RequestTimeout => new Problem(408, "request_timeout", "The request took too long to arrive.",
            "The request body came too slowly or stopped. Nothing was changed; send it again."),
        StatusCodes.Status413PayloadTooLarge => new Problem(413, "payload_too_large", "The request body is too large.", "Send a smaller body."),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => new Problem(431, "headers_too_large", "The request headers are too large.", "Send smaller headers."),
        _ => new Problem(400, "bad_request", "The request is not valid HTTP.",
            "The request could not be read (for example its body ended early or its chunked encoding is broken). Nothing was changed."),
    };

    [LoggerMessage(EventIds.BadHttpRequest, LogLevel.Information, "Bad HTTP request {Method} {Path}: {Status} {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(EventIds.StoreUnavailable, LogLevel.Warning, "{Method} {Path} answered 503: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventIds.UnhandledException, LogLevel.Error, "Unhandled exception in {Method} {Path}")]
    internal static partial void LogUnhandled(ILogger logger, Exception? exception, string method, string path);
}

/// <summary>Ready once the durable state is restored (mode, banner, parked promises); until then /readyz says 503.</summary>
internal sealed class GatewayReadiness : IHealthCheck
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Restoring state"));
}
