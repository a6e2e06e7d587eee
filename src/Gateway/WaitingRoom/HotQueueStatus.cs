using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// The hot path of the status check, every waiting buyer's poll (<see cref="HotPaths"/>): <c>GET</c> of a queue is
/// answered from memory as its endpoint would answer it, problems included; other methods go down the pipeline.
/// </summary>
internal sealed class HotQueueStatus(WaitingRoomService rooms, TimeProvider time) : IHotPath
{
    public string Segment => "queue";

    /// <summary>The endpoint's route (<c>QueueStatus</c>), so that the request-duration metric counts polls as before.</summary>
    public string? MetricsRoute => WaitingRoomApi.QueueRoute + "/";

    public IResult? Find(HttpContext context, int performanceId) =>
        HttpMethods.IsGet(context.Request.Method) ? WaitingRoomApi.StatusAnswer(performanceId, context, rooms, time) : null;
}
