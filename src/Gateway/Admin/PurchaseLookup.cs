using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;

namespace OnSale.Gateway.Admin;

/// <summary>
/// A purchase as support sees it: what the buyer sees (<c>status</c> as the buyer is told it), whether it was set aside
/// for support, the replay attempts, and the trace it is told in. Never its payment token or backend session.
/// </summary>
internal sealed record SupportPurchase(
    string PurchaseId,
    string Status,
    string? FailureCode,
    string? Message,
    bool? NeedsSupport,
    int PerformanceId,
    int ZoneId,
    int Quantity,
    IReadOnlyList<string>? Seats,
    int? OrderId,
    int? TotalCents,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? TraceId)
{
    public static SupportPurchase From(Purchase p)
    {
        var buyer = PurchaseResponse.From(p);
        return new(
            buyer.PurchaseId,
            buyer.Status,
            buyer.FailureCode,
            buyer.Message,
            p.Status == PurchaseStatus.NeedsSupport ? true : null,
            buyer.PerformanceId,
            buyer.ZoneId,
            buyer.Quantity,
            buyer.Seats,
            buyer.OrderId,
            buyer.TotalCents,
            p.Attempts,
            buyer.CreatedAt,
            p.UpdatedAt,
            GatewayTracing.TraceIdOf(p.TraceParent));
    }
}

/// <summary><c>GET /admin/api/purchases</c>: a buyer's purchases, newest first.</summary>
internal sealed record SupportPurchases(IReadOnlyList<SupportPurchase> Purchases);

/// <summary>
/// <c>GET /admin/api/purchases?email={email}</c> or <c>?purchaseId={id}</c> (CONTRACT.md §3): what support needs to answer
/// "did I get my tickets?". Exactly one of the two; the email is trimmed and matched case-insensitively; at most
/// <see cref="Limit"/> purchases, newest first; none found is an empty list. Viewers may use it. A settled purchase's
/// email is erased <see cref="PurchasingOptions.EmailRetention"/> after it settled (<see cref="IPurchaseJournal.EraseEmailsAsync"/>):
/// from then on it is found only by its id (the buyer's confirmation page or email carries it), and with the Redis store
/// not at all once it has expired.
/// </summary>
internal static class PurchaseLookup
{
    /// <summary>The most purchases one answer lists.</summary>
    public const int Limit = 50;

    /// <summary>Longer than any purchase id the gateway makes (<c>pur_</c> and 22 characters).</summary>
    private const int MaxPurchaseIdLength = 64;

    public static RouteGroupBuilder MapPurchaseLookup(this RouteGroupBuilder admin)
    {
        admin.MapGet("/purchases", FindAsync).WithName("FindPurchases");
        return admin;
    }

    private static async Task<IResult> FindAsync(HttpContext context, IPurchaseJournal journal)
    {
        var query = context.Request.Query;
        var (hasEmail, hasId) = (query.ContainsKey("email"), query.ContainsKey("purchaseId"));
        if (hasEmail == hasId)
        {
            return Problem.Validation("Give exactly one of email or purchaseId, for example ?email=buyer@example.com.");
        }

        IReadOnlyList<Purchase> found;
        if (hasEmail)
        {
            var email = query["email"] is [var one] ? one?.Trim() : null;
            if (email is not { Length: > 0 and <= PurchasingValidation.MaxEmailLength } || !Printable.IsPrintable(email, allowSpaces: false))
            {
                return Problem.Validation($"email must be one address of at most {PurchasingValidation.MaxEmailLength} printable characters.");
            }

            found = await journal.FindByEmailAsync(email, Limit, context.RequestAborted);
        }
        else
        {
            var id = query["purchaseId"] is [var one] ? one?.Trim() : null;
            if (id is not { Length: > 0 and <= MaxPurchaseIdLength } || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return Problem.Validation($"purchaseId must be one purchase id: at most {MaxPurchaseIdLength} letters, digits, '_' or '-'.");
            }

            found = await journal.GetAsync(id, context.RequestAborted) is { } purchase ? [purchase] : [];
        }

        return TypedResults.Json(new SupportPurchases([.. found.Select(SupportPurchase.From)]), AdminJsonContext.Default.SupportPurchases);
    }
}
