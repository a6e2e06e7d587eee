using System.Globalization;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Admin;

/// <summary><c>PUT /admin/api/performances/{id}/hot</c>: <c>hot</c> switches the protection of hot on-sales on or off.</summary>
internal sealed record HotRequest(bool? Hot, string? Reason);

/// <summary>Support's switch for hot on-sales, audited like mode and banner (the flags live in <see cref="HotOnSales"/>).</summary>
internal static class HotOnSaleAdmin
{
    public static RouteGroupBuilder MapHotOnSaleAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/performances/{performanceId}/hot", Get).WithName("GetHot");
        admin.MapPut("/performances/{performanceId}/hot", SetAsync).WithName("SetHot");
        return admin;
    }

    private static IResult Get(string performanceId, HotOnSales hot) =>
        Parse(performanceId) is { } id
            ? TypedResults.Json(hot.Describe(id), WaitingRoomJsonContext.Default.HotState)
            : UnknownPerformance(performanceId);

    private static async Task<IResult> SetAsync(string performanceId, HttpContext context, HotOnSales hot)
    {
        if (Parse(performanceId) is not { } id)
        {
            return UnknownPerformance(performanceId);
        }

        var (request, problem) = await JsonBody.ReadAsync(context, AdminJsonContext.Default.HotRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Hot is not { } on)
        {
            return Problem.Validation("hot must be true or false.");
        }

        if (on && string.IsNullOrWhiteSpace(request.Reason))
        {
            return Problem.Validation("reason is required when marking a performance hot: say why, for the audit trail.");
        }

        if (AdminApi.InvalidReason(request.Reason) is { } badReason)
        {
            return badReason;
        }

        var state = await hot.SetAsync(id, on, request.Reason?.Trim(), AdminAuthorization.KeyIdOf(context), CancellationToken.None);
        return TypedResults.Json(state, WaitingRoomJsonContext.Default.HotState);
    }

    /// <summary>A performance number of an admin path, or null when it is none.</summary>
    internal static int? Parse(string performanceId) =>
        int.TryParse(performanceId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    /// <summary>The 404 for a path that names no performance number (its text cut short).</summary>
    internal static Problem UnknownPerformance(string performanceId) =>
        Problem.NotFound("unknown_performance", $"'{(performanceId.Length > 20 ? performanceId[..20] + "…" : performanceId)}' is not a performance number.");
}
