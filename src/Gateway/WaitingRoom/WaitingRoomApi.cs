using System.Buffers;
using System.Globalization;
using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>Join the queue and ask for one's place (CONTRACT.md §2, "Waiting room").</summary>
internal static class WaitingRoomApi
{
    /// <summary>The queue's route; its status check is answered at <c>{QueueRoute}/</c>.</summary>
    public const string QueueRoute = "/api/v1/performances/{performanceId}/queue";

    /// <summary>Every Retry-After a status answer gives (at most 60 s with 20% jitter), spelled once.</summary>
    private static readonly string[] SecondsText = [.. Enumerable.Range(0, 73).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    public static IEndpointRouteBuilder MapWaitingRoomApi(this IEndpointRouteBuilder endpoints)
    {
        var queue = endpoints.MapGroup(QueueRoute).WithTags("Waiting room");
        queue.MapPost("/", JoinAsync).WithName("JoinQueue").RequireRateLimiting(ClientRateLimiting.Policy);
        queue.MapHotOnSaleApi();

        // Budgeted per queue token inside, not per address: buyers behind one address must not throttle each other.
        // In memory and synchronous: nothing in it can wait, so it needs no deadline timer; in a shared room, one
        // round trip to a store with a one-second timeout of its own. Mostly answered before routing (HotQueueStatus).
        queue.MapGet("/", Status).WithName("QueueStatus").WithoutRequestDeadline();
        return endpoints;
    }

    /// <summary>The bearer token of a request, if any.</summary>
    public static string? Bearer(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private static async Task<IResult> JoinAsync(string performanceId, HttpContext context, WaitingRoomService rooms, HotOnSaleGate hot, TimeProvider time)
    {
        if (!int.TryParse(performanceId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Problem.NotFound("unknown_performance", $"There is no performance '{performanceId}'.");
        }

        var (answer, problem) = await rooms.JoinAsync(id, Bearer(context), context.RequestAborted, hot.For(id, context));
        return Respond(context, rooms, id, answer, problem, time, StatusCodes.Status201Created);
    }

    private static IResult Status(string performanceId, HttpContext context, WaitingRoomService rooms, TimeProvider time)
    {
        if (!int.TryParse(performanceId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Problem.NotFound("unknown_performance", $"There is no performance '{performanceId}'.");
        }

        return StatusAnswer(id, context, rooms, time);
    }

    /// <summary>The answer to a status check of <paramref name="performanceId"/>: its poll is counted.</summary>
    internal static IResult StatusAnswer(int performanceId, HttpContext context, WaitingRoomService rooms, TimeProvider time)
    {
        var status = rooms.StatusAsync(performanceId, Bearer(context));
        if (status.IsCompletedSuccessfully)
        {
            var (answer, problem) = status.Result;
            return Respond(context, rooms, performanceId, answer, problem, time, StatusCodes.Status200OK);
        }

        return new Awaited(async () =>
        {
            var (answer, problem) = await status;
            return Respond(context, rooms, performanceId, answer, problem, time, StatusCodes.Status200OK);
        });
    }

    /// <summary>An answer that must wait for the store first (a room shared by a cluster); a store that does not answer is a 503.</summary>
    private sealed class Awaited(Func<Task<IResult>> answer) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            IResult result;
            try
            {
                result = await answer();
            }
            catch (StoreUnavailableException)
            {
                result = StoreUnavailableException.Problem("The gateway could not reach its shared store to find your place: ask again in a moment; you keep your place.");
            }

            await result.ExecuteAsync(httpContext);
        }
    }

    private static IResult Respond(HttpContext context, WaitingRoomService rooms, int performanceId, QueueAnswer? answer, Problem? problem, TimeProvider time, int status)
    {
        if (problem is not null)
        {
            return problem;
        }

        context.Response.Headers.RetryAfter = Seconds(WaitingRoomService.RetryAfterSeconds(answer!, time.GetUtcNow(), rooms.SeatsMayReturn(performanceId), rooms.PollFloorSeconds));
        context.Response.Headers.CacheControl = "no-store";
        return new JsonAnswer(JsonSerializer.SerializeToUtf8Bytes(answer, WaitingRoomJsonContext.Default.QueueAnswer), status);
    }

    /// <summary>A small JSON answer written whole with its length: no chunked framing, no serializer state across awaits.</summary>
    private sealed class JsonAnswer(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Length;
            response.BodyWriter.Write(body); // Sent with the headers when the request ends: one write, no flush of its own.
            return Task.CompletedTask;
        }
    }

    private static string Seconds(int seconds) =>
        (uint)seconds < (uint)SecondsText.Length ? SecondsText[seconds] : seconds.ToString(CultureInfo.InvariantCulture);
}
