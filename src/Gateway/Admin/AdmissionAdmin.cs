using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Admin;

/// <summary>
/// <c>PUT /admin/api/performances/{id}/admission</c>: <c>paused</c> stops or restarts admission, <c>reason</c> is for the
/// audit, <c>message</c> (optional) is what buyers in line are told while it is paused.
/// </summary>
internal sealed record AdmissionRequest(bool? Paused, string? Reason, string? Message);

/// <summary>Support's pause of one performance's admission ("queue-all"), audited like mode and banner (the pauses live in <see cref="AdmissionPauses"/>).</summary>
internal static class AdmissionAdmin
{
    /// <summary>The longest message to buyers: it is read in a widget, in a line of people waiting.</summary>
    public const int MaxMessageLength = 200;

    public static RouteGroupBuilder MapAdmissionAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/performances/{performanceId}/admission", Get).WithName("GetAdmission");
        admin.MapPut("/performances/{performanceId}/admission", SetAsync).WithName("SetAdmission");
        return admin;
    }

    private static IResult Get(string performanceId, AdmissionPauses pauses) =>
        HotOnSaleAdmin.Parse(performanceId) is { } id
            ? TypedResults.Json(pauses.Describe(id), WaitingRoomJsonContext.Default.AdmissionState)
            : HotOnSaleAdmin.UnknownPerformance(performanceId);

    private static async Task<IResult> SetAsync(string performanceId, HttpContext context, AdmissionPauses pauses)
    {
        if (HotOnSaleAdmin.Parse(performanceId) is not { } id)
        {
            return HotOnSaleAdmin.UnknownPerformance(performanceId);
        }

        var (request, problem) = await JsonBody.ReadAsync(context, AdminJsonContext.Default.AdmissionRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Paused is not { } paused)
        {
            return Problem.Validation("paused must be true or false.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return Problem.Validation("reason is required when pausing or resuming admission: say why, for the audit trail.");
        }

        if (AdminApi.InvalidReason(request.Reason) is { } badReason)
        {
            return badReason;
        }

        var message = string.IsNullOrWhiteSpace(request.Message) ? null : request.Message.Trim();
        if (message?.Length > MaxMessageLength || (message is not null && !Printable.IsPrintable(message, allowSpaces: true)))
        {
            return Problem.Validation($"message is limited to {MaxMessageLength} printable characters on one line: every buyer in line reads it.");
        }

        var state = await pauses.SetAsync(id, paused, request.Reason.Trim(), message, AdminAuthorization.KeyIdOf(context), CancellationToken.None);
        return TypedResults.Json(state, WaitingRoomJsonContext.Default.AdmissionState);
    }
}
