using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// A public read under <c>/api/v1/performances/{digits}/{segment}</c> answered from memory, before routing and the
/// rest of the pipeline (<see cref="HotPaths"/>). A feature registers it as a singleton.
/// </summary>
internal interface IHotPath
{
    /// <summary>The path's last segment, e.g. <c>availability</c>.</summary>
    string Segment { get; }

    /// <summary>
    /// The route the endpoint would have matched, as the request-duration metric names it; <see langword="null"/>
    /// leaves the request out of that metric (the path counts its answers itself).
    /// </summary>
    string? MetricsRoute { get; }

    /// <summary>
    /// The answer to <paramref name="context"/>'s request, or <see langword="null"/> to let it go down the pipeline as
    /// if this path did not exist: then nothing may have been counted or changed. An answer needs nothing of the
    /// pipeline: it awaits nothing but its write (no deadline), answers anyone (no rate limit per address) and writes
    /// its own problems.
    /// </summary>
    IResult? Find(HttpContext context, int performanceId);
}

/// <summary>
/// The hot paths, first in the pipeline: one parse of the path for all of them, then what the skipped middleware would
/// have added that still applies: <c>nosniff</c>, the venues' CORS for a request from a page (as <c>UseCors</c> would
/// apply it: the simple requests; a preflight goes down the pipeline), the route on the request's metric and trace, and
/// a problem for an error instead of an empty 500.
/// </summary>
internal static class HotPaths
{
    private const string Prefix = "/api/v1/performances/";
    private static readonly StringValues NoSniff = new("nosniff");

    /// <summary>Put first in the pipeline, before <c>UseRouting</c>; <paramref name="corsPolicy"/> is the one <c>/api/v1</c> uses.</summary>
    public static IApplicationBuilder UseHotPaths(this IApplicationBuilder app, string corsPolicy)
    {
        var services = app.ApplicationServices;
        var paths = services.GetServices<IHotPath>().ToArray();
        var cors = services.GetRequiredService<ICorsService>();
        var policy = services.GetRequiredService<IOptions<CorsOptions>>().Value.GetPolicy(corsPolicy)
            ?? throw new InvalidOperationException($"No CORS policy '{corsPolicy}'.");
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OnSale.Gateway");
        return paths.Length == 0 ? app : app.Use(next => context =>
        {
            if (!TryParse(context.Request.Path.Value, paths, out var path, out var performanceId))
            {
                return next(context);
            }

            IResult? answer;
            try
            {
                answer = path.Find(context, performanceId);
            }
            catch (Exception ex)
            {
                InfrastructureExtensions.LogUnhandled(logger, ex, context.Request.Method, context.Request.Path);
                Prepare(context, path, cors, policy);
                return InfrastructureExtensions.InternalError.ExecuteAsync(context);
            }

            if (answer is null)
            {
                return next(context);
            }

            Prepare(context, path, cors, policy);
            return answer.ExecuteAsync(context);
        });
    }

    private static void Prepare(HttpContext context, IHotPath path, ICorsService cors, CorsPolicy policy)
    {
        context.Response.Headers.XContentTypeOptions = NoSniff;
        if (context.Request.Headers.Origin.Count != 0)
        {
            // At the response's start, as the CORS middleware does, so that the answer's own Vary is there to be kept.
            var result = cors.EvaluatePolicy(context, policy);
            context.Response.OnStarting(static state =>
            {
                var (cors, result, response) = ((ICorsService, CorsResult, HttpResponse))state;
                cors.ApplyResult(result, response);
                return Task.CompletedTask;
            }, (cors, result, context.Response));
        }

        if (context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics)
        {
            if (path.MetricsRoute is { } route)
            {
                metrics.Tags.Add(new("http.route", route));
            }
            else
            {
                metrics.MetricsDisabled = true;
            }
        }

        if (path.MetricsRoute is { } named && Activity.Current is { } activity)
        {
            activity.DisplayName = context.Request.Method + " " + named;
            activity.SetTag("http.route", named);
        }
    }

    /// <summary>
    /// Matches <c>/api/v1/performances/{digits}/{segment}</c>, a trailing slash allowed, as routing would (any case),
    /// nothing looser: anything else is the endpoints' to answer, or refuse.
    /// </summary>
    private static bool TryParse(string? value, IHotPath[] paths, out IHotPath path, out int performanceId)
    {
        path = null!;
        performanceId = 0;
        var span = value.AsSpan();
        if (!span.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        span = span[Prefix.Length..];
        if (span.EndsWith('/'))
        {
            span = span[..^1];
        }

        var slash = span.IndexOf('/');
        if (slash <= 0
            || !int.TryParse(span[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out performanceId))
        {
            return false;
        }

        var segment = span[(slash + 1)..];
        foreach (var candidate in paths)
        {
            if (segment.Equals(candidate.Segment, StringComparison.OrdinalIgnoreCase))
            {
                path = candidate;
                return true;
            }
        }

        return false;
    }
}
