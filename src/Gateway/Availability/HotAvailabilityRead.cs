using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Availability;

/// <summary>
/// The hot path of the hottest read (<see cref="HotPaths"/>): a fresh availability answer, already rendered
/// (<see cref="CacheableAnswer"/>), for <c>GET</c> and <c>HEAD</c>. Anything else (another method, an answer not fresh
/// or not rendered yet) goes down the pipeline to the endpoint, which writes the same answer the same way.
/// </summary>
internal sealed class HotAvailabilityRead(AvailabilityService availability) : IHotPath
{
    public string Segment => "availability";

    /// <summary>As on the endpoint (<c>DisableHttpMetrics</c>): counted by <c>onsale.availability.reads</c> instead.</summary>
    public string? MetricsRoute => null;

    public IResult? Find(HttpContext context, int performanceId) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? availability.FreshAnswer(performanceId, hotPath: true)
            : null;
}
