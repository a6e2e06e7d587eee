using System.Globalization;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Availability;

/// <summary>GET performances and availability (CONTRACT.md §2, "Availability").</summary>
internal static class AvailabilityApi
{
    public static IEndpointRouteBuilder MapAvailabilityApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/performances").WithTags("Availability");
        api.MapGet("/", GetPerformancesAsync).WithName("GetPerformances");
        // The hottest route, by far: ASP.NET Core's per-request duration histogram would cost it about a fifth of its
        // CPU. Its rate and result are counted by onsale.availability.reads (fresh, stale, unknown); its latency is
        // what bench/ measures.
        api.MapGet("/{performanceId}/availability", GetAvailabilityAsync).WithName("GetAvailability").DisableHttpMetrics();
        return endpoints;
    }

    private static async Task<IResult> GetPerformancesAsync(HttpContext context, AvailabilityService availability, TimeProvider time, IOptions<AvailabilityOptions> options)
    {
        using var budget = Budget(context, time, options.Value);
        var list = await availability.GetPerformancesAsync(budget.Token);
        return list is null
            ? Problem.AvailabilityUnknown("The box office has not said which performances exist yet. Try again shortly.", TimeSpan.FromSeconds(2))
            : TypedResults.Json(list.Performances, AvailabilityJsonContext.Default.IReadOnlyListPerformance);
    }

    private static async Task<IResult> GetAvailabilityAsync(
        string performanceId,
        HttpContext context,
        AvailabilityService availability,
        TimeProvider time,
        IOptions<AvailabilityOptions> options)
    {
        if (!int.TryParse(performanceId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return UnknownPerformance(performanceId);
        }

        (AvailabilityOutcome Outcome, ReadOnlyMemory<byte> Json, DateTimeOffset AsOf) read;
        if (availability.IsFresh(id))
        {
            // Answered from the cache at once: no budget to time it, whose two timers would cost more than the read.
            read = await availability.GetJsonAsync(id, context.RequestAborted);
        }
        else
        {
            using var budget = Budget(context, time, options.Value);
            read = await availability.GetJsonAsync(id, budget.Token);
        }

        var (outcome, json, asOf) = read;
        switch (outcome)
        {
            case AvailabilityOutcome.UnknownPerformance:
                return UnknownPerformance(performanceId);
            case AvailabilityOutcome.NeverKnown:
                return Problem.AvailabilityUnknown(
                    "The box office is not answering and availability for this performance was never known. Try again shortly.", TimeSpan.FromSeconds(2));
            default:
                var age = Math.Max(0, (long)(time.GetUtcNow() - asOf).TotalSeconds);
                context.Response.Headers.Age = age.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers.CacheControl = "no-cache";
                return TypedResults.Bytes(json, "application/json");
        }
    }

    private static Problem UnknownPerformance(string performanceId) =>
        Problem.NotFound("unknown_performance", $"There is no performance '{performanceId}'.");

    /// <summary>The time the backend may take, keeping enough of the deadline to answer from the last known values.</summary>
    private static DeadlineBudget Budget(HttpContext context, TimeProvider time, AvailabilityOptions options) =>
        RequestDeadline.Budget(context, time, options.AnswerReserve);
}
