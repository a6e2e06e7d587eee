using System.Globalization;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>The challenge a join of a hot performance must solve (an extension of CONTRACT.md §2, "Waiting room").</summary>
internal static class HotOnSaleApi
{
    /// <summary>
    /// <c>GET …/queue/challenge</c>. Not rate-limited per address: issuing one costs an HMAC and buys nothing until it is
    /// solved, and a campus behind one address must be able to fetch one per buyer. Issued for any performance number
    /// without asking the backend, so that it never waits on the box office.
    /// </summary>
    public static RouteGroupBuilder MapHotOnSaleApi(this RouteGroupBuilder queue)
    {
        queue.MapGet("/challenge", GetChallenge).WithName("GetQueueChallenge");
        return queue;
    }

    private static IResult GetChallenge(string performanceId, HttpContext context, ProofOfWork proofOfWork, HotOnSales hot)
    {
        if (!int.TryParse(performanceId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Problem.NotFound("unknown_performance", $"There is no performance '{performanceId}'.");
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(proofOfWork.Issue(id, hot.IsHot(id)), WaitingRoomJsonContext.Default.ChallengeAnswer);
    }
}
