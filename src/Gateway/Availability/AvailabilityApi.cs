using System.Globalization;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Availability;

/// <summary>GET performances and availability (CONTRACT.md §2, "Availability").</summary>
internal static class AvailabilityApi
{
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapAvailabilityApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/performances").WithTags("Availability");
        api.MapMethods("/", GetAndHead, GetPerformancesAsync).WithName("GetPerformances");

        // The hottest route, by far; a fresh answer is mostly written before routing (HotAvailabilityRead). ASP.NET Core's
        // per-request duration histogram would cost it about a fifth of its CPU: its rate and result are counted by
        // onsale.availability.reads (fresh, stale, unknown); its latency is what bench/ measures.
        api.MapMethods("/{performanceId}/availability", GetAndHead, GetAvailabilityAsync).WithName("GetAvailability").DisableHttpMetrics();
        return endpoints;
    }

    private static async Task<IResult> GetPerformancesAsync(HttpContext context, AvailabilityService availability, TimeProvider time, IOptions<AvailabilityOptions> options)
    {
        using var budget = Budget(context, time, options.Value);
        return await availability.GetPerformancesAnswerAsync(budget.Token) is { } answer
            ? answer
            : NotStored(context, Problem.AvailabilityUnknown("The box office has not said which performances exist yet. Try again shortly.", TimeSpan.FromSeconds(2)));
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
            return NotStored(context, UnknownPerformance(performanceId));
        }

        (AvailabilityOutcome Outcome, CacheableAnswer? Answer) read;
        if (availability.FreshAnswer(id, hotPath: false) is { } fresh)
        {
            // Answered from memory at once: no budget to time it, whose two timers would cost more than the read.
            read = (AvailabilityOutcome.Fresh, fresh);
        }
        else
        {
            using var budget = Budget(context, time, options.Value);
            read = await availability.GetAnswerAsync(id, budget.Token);
        }

        return read switch
        {
            (_, { } answer) => answer,
            (AvailabilityOutcome.UnknownPerformance, _) => NotStored(context, UnknownPerformance(performanceId)),
            _ => NotStored(context, Problem.AvailabilityUnknown(
                "The box office is not answering and availability for this performance was never known. Try again shortly.", TimeSpan.FromSeconds(2))),
        };
    }

    /// <summary>A problem answer of a public read: no cache may keep it (a 404 is cacheable by default in HTTP).</summary>
    private static Problem NotStored(HttpContext context, Problem problem)
    {
        context.Response.Headers.CacheControl = "no-store";
        return problem;
    }

    private static Problem UnknownPerformance(string performanceId) =>
        Problem.NotFound("unknown_performance", $"There is no performance '{performanceId}'.");

    /// <summary>The time the backend may take, keeping enough of the deadline to answer from the last known values.</summary>
    private static DeadlineBudget Budget(HttpContext context, TimeProvider time, AvailabilityOptions options) =>
        RequestDeadline.Budget(context, time, options.AnswerReserve);
}
