using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Purchasing;

/// <summary>Holds and purchases (CONTRACT.md §2, "Holds" and "Purchases").</summary>
internal static class PurchasingApi
{
    public static IEndpointRouteBuilder MapPurchasingApi(this IEndpointRouteBuilder endpoints)
    {
        var holds = endpoints.MapGroup("/api/v1/holds").WithTags("Holds");
        var purchases = endpoints.MapGroup("/api/v1/purchases").WithTags("Purchases");

        holds.MapPost("/", CreateHoldAsync).WithName("CreateHold").RequireRateLimiting(ClientRateLimiting.Policy);
        holds.MapDelete("/{holdId}", ReleaseHoldAsync).WithName("ReleaseHold");
        holds.MapPost("/{holdId}/checkout", CheckoutHoldAsync).WithName("CheckoutHold").RequireRateLimiting(ClientRateLimiting.Policy);

        purchases.MapPost("/", PurchaseAsync).WithName("CreatePurchase").RequireRateLimiting(ClientRateLimiting.Policy);
        purchases.MapGet("/{purchaseId}", GetPurchaseAsync).WithName("GetPurchase");
        return endpoints;
    }

    private static async Task<IResult> CreateHoldAsync(HttpContext context, HoldService service, TimeProvider time, IOptions<PurchasingOptions> options)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, PurchasingJsonContext.Default.HoldRequest);
        problem ??= PurchasingValidation.Seats(request?.PerformanceId, request?.ZoneId, request?.Quantity);
        if (problem is not null)
        {
            return problem;
        }

        var (hold, refused) = await service.CreateAsync(request!, Who(context), Budget(context, time, options), context.RequestAborted);
        return refused is not null
            ? refused
            : TypedResults.Json(HoldResponse.From(hold!), PurchasingJsonContext.Default.HoldResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ReleaseHoldAsync(string holdId, HoldService service, HttpContext context)
    {
        var (_, problem) = await service.ReleaseAsync(holdId, context.RequestAborted);
        return problem is not null ? problem : TypedResults.NoContent();
    }

    private static async Task<IResult> CheckoutHoldAsync(string holdId, HttpContext context, PurchaseService service, TimeProvider time, IOptions<PurchasingOptions> options)
    {
        var (key, keyProblem) = PurchasingValidation.IdempotencyKey(context.Request);
        var (request, problem) = await JsonBody.ReadAsync(context, PurchasingJsonContext.Default.CheckoutRequest);
        problem ??= keyProblem ?? PurchasingValidation.Payment(request?.PaymentToken, request?.Email);
        if (problem is not null)
        {
            return problem;
        }

        var result = await service.CheckoutHoldAsync(holdId, request!, key!, Budget(context, time, options), context.RequestAborted);
        return Answer(result, context);
    }

    private static async Task<IResult> PurchaseAsync(HttpContext context, PurchaseService service, TimeProvider time, IOptions<PurchasingOptions> options)
    {
        var (key, keyProblem) = PurchasingValidation.IdempotencyKey(context.Request);
        var (request, problem) = await JsonBody.ReadAsync(context, PurchasingJsonContext.Default.PurchaseRequest);
        problem ??= keyProblem
            ?? PurchasingValidation.Seats(request?.PerformanceId, request?.ZoneId, request?.Quantity)
            ?? PurchasingValidation.Payment(request?.PaymentToken, request?.Email);
        if (problem is not null)
        {
            return problem;
        }

        var result = await service.PurchaseAsync(request!, key!, Who(context), Budget(context, time, options), context.RequestAborted);
        return Answer(result, context);
    }

    private static async Task<IResult> GetPurchaseAsync(string purchaseId, PurchaseService service, HttpContext context)
    {
        var purchase = purchaseId.Length <= 64 ? await service.GetAsync(purchaseId, context.RequestAborted) : null;
        if (purchase is null)
        {
            return Problem.NotFound("unknown_purchase", "There is no purchase with this id.");
        }

        if (purchase.IsPending)
        {
            context.Response.Headers.RetryAfter = "2";
        }

        return TypedResults.Json(PurchaseResponse.From(purchase), PurchasingJsonContext.Default.PurchaseResponse);
    }

    /// <summary>201 confirmed, 202 parked or processing (with Location), 200 for a replay of a purchase that failed.</summary>
    private static IResult Answer(PurchaseResult result, HttpContext context)
    {
        if (result.Problem is { } problem)
        {
            return problem;
        }

        var purchase = result.Purchase!;
        var location = $"/api/v1/purchases/{purchase.PurchaseId}";
        var body = PurchaseResponse.From(purchase);
        switch (purchase.Status)
        {
            case PurchaseStatus.Confirmed:
                context.Response.Headers.Location = location;
                return TypedResults.Json(body, PurchasingJsonContext.Default.PurchaseResponse, statusCode: StatusCodes.Status201Created);
            case PurchaseStatus.Failed:
                return TypedResults.Json(body, PurchasingJsonContext.Default.PurchaseResponse);
            default:
                context.Response.Headers.Location = location;
                context.Response.Headers.RetryAfter = "2";
                return TypedResults.Json(body, PurchasingJsonContext.Default.PurchaseResponse, statusCode: StatusCodes.Status202Accepted);
        }
    }

    /// <summary>The caller: the access token they present and the client they are, for their fair share of seats.</summary>
    private static BuyerCredentials Who(HttpContext context) => new(WaitingRoomApi.Bearer(context), ClientKeys.Of(context));

    /// <summary>The time a live attempt may take, keeping enough of the deadline to park instead.</summary>
    private static TimeSpan Budget(HttpContext context, TimeProvider time, IOptions<PurchasingOptions> options) =>
        RequestDeadline.TimeLeft(context, time, options.Value.ParkReserve);

}
