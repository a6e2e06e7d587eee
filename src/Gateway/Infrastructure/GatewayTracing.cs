using System.Diagnostics;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// The gateway's own spans: one per backend call, one per replay round and per replayed purchase. Without a listener
/// (no trace exporter configured) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and
/// costs a check.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "OnSale.Gateway";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The W3C <c>traceparent</c> of the current activity, or null when nothing traces this work.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The trace id (32 hex digits) of a recorded <c>traceparent</c>, or null when there is none or it does not parse.</summary>
    public static string? TraceIdOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context.TraceId.ToHexString() : null;

    /// <summary>
    /// Starts a span that carries on the work a traced request began earlier (<paramref name="traceParent"/>, recorded
    /// with it): the span joins that trace, and links to the current activity (a replay round), which it would
    /// otherwise have been the child of. Without a context that parses, it is the current activity's child as usual.
    /// </summary>
    public static Activity? StartContinuing(string name, string? traceParent)
    {
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent))
        {
            return Source.StartActivity(name);
        }

        ActivityLink[]? links = Activity.Current is { } current ? [new ActivityLink(current.Context)] : null;
        return Source.StartActivity(name, ActivityKind.Internal, parent, links: links);
    }
}
