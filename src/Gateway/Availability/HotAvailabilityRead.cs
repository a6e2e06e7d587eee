using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace OnSale.Gateway.Availability;

/// <summary>
/// The hot path of the hottest read: a fresh availability answer, already rendered (<see cref="CacheableAnswer"/>),
/// written before routing and the rest of the pipeline. None of that could change it: it awaits nothing but its write,
/// so it needs no deadline; it is public, so no rate limit or CORS applies to a request without <c>Origin</c>; it
/// cannot fail but by the connection, so no error page. Anything else (another method or path, a request from a page
/// of another origin, an answer not fresh or not rendered yet) goes down the pipeline to the endpoint, which writes
/// the same answer the same way.
/// </summary>
internal static class HotAvailabilityRead
{
    private const string Prefix = "/api/v1/performances/";
    private const string Suffix = "/availability";

    /// <summary>Put first in the pipeline, before <c>UseRouting</c>.</summary>
    public static IApplicationBuilder UseHotAvailabilityRead(this IApplicationBuilder app)
    {
        var availability = app.ApplicationServices.GetRequiredService<AvailabilityService>();
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use(next => context => TryAnswer(context, availability, time) ?? next(context));
    }

    private static Task? TryAnswer(HttpContext context, AvailabilityService availability, TimeProvider time)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || request.Headers.Origin.Count != 0
            || !TryParsePerformance(request.Path.Value, out var performanceId)
            || availability.FreshAnswer(performanceId, hotPath: true) is not { } answer)
        {
            return null;
        }

        // As on the endpoint (DisableHttpMetrics): counted by onsale.availability.reads instead.
        if (context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics)
        {
            metrics.MetricsDisabled = true;
        }

        return answer.WriteAsync(context, time.GetUtcNow());
    }

    /// <summary>Matches <c>/api/v1/performances/{digits}/availability</c> as routing would (any case), nothing looser.</summary>
    private static bool TryParsePerformance(string? path, out int performanceId)
    {
        performanceId = 0;
        var span = path.AsSpan();
        return span.Length > Prefix.Length + Suffix.Length
            && span.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && span.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(span[Prefix.Length..^Suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out performanceId);
    }
}
