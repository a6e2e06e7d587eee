using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Purchasing;

/// <summary><c>POST /api/v1/purchases</c>. Fields are nullable so that a missing one is reported by name.</summary>
internal sealed record PurchaseRequest(int? PerformanceId, int? ZoneId, int? Quantity, string? PaymentToken, string? Email);

/// <summary><c>POST /api/v1/holds</c>.</summary>
internal sealed record HoldRequest(int? PerformanceId, int? ZoneId, int? Quantity);

/// <summary><c>POST /api/v1/holds/{holdId}/checkout</c>.</summary>
internal sealed record CheckoutRequest(string? PaymentToken, string? Email);

/// <summary>The Purchase of CONTRACT.md §2.</summary>
internal sealed record PurchaseResponse(
    string PurchaseId,
    string Status,
    int PerformanceId,
    int ZoneId,
    int Quantity,
    int? OrderId,
    IReadOnlyList<string>? Seats,
    int? TotalCents,
    string? FailureCode,
    string? Message,
    DateTimeOffset CreatedAt)
{
    public static PurchaseResponse From(Purchase p) => new(
        p.PurchaseId,
        p.Status is PurchaseStatus.Live or PurchaseStatus.NeedsSupport ? "processing" : p.Status.ToString().ToLowerInvariant(),
        p.PerformanceId,
        p.ZoneId,
        p.Quantity,
        p.OrderId,
        p.Seats,
        p.TotalCents,
        p.FailureCode,
        p.Message,
        p.CreatedAt);
}

/// <summary>The hold of CONTRACT.md §2.</summary>
internal sealed record HoldResponse(string HoldId, IReadOnlyList<string> Seats, DateTimeOffset ExpiresAt, int TotalCents, int PerformanceId, int ZoneId, int Quantity)
{
    public static HoldResponse From(HeldSeats h) => new(h.HoldId, h.Seats, h.ExpiresAt, h.TotalCents, h.PerformanceId, h.ZoneId, h.Quantity);
}

/// <summary>The checks every purchasing request passes before anything is done.</summary>
internal static class PurchasingValidation
{
    public const int MaxQuantity = 10;

    public static Problem? Seats(int? performanceId, int? zoneId, int? quantity)
    {
        if (performanceId is not > 0)
        {
            return Problem.Validation("performanceId is required and must be a positive integer.");
        }

        if (zoneId is not > 0)
        {
            return Problem.Validation("zoneId is required and must be a positive integer.");
        }

        return quantity is >= 1 and <= MaxQuantity
            ? null
            : Problem.Validation($"quantity is required and must be between 1 and {MaxQuantity}.");
    }

    public const int MaxPaymentTokenLength = 256;
    public const int MaxEmailLength = 254;

    public static Problem? Payment(string? paymentToken, string? email)
    {
        if (!IsPaymentToken(paymentToken))
        {
            return Problem.Validation($"paymentToken is required: 1 to {MaxPaymentTokenLength} printable characters, no spaces or control characters.");
        }

        return IsEmail(email)
            ? null
            : Problem.Validation($"email is required and must be one email address (at most {MaxEmailLength} printable characters, no name or list).");
    }

    /// <summary>A token the backend can carry: the box office receives it inside an XML request.</summary>
    public static bool IsPaymentToken(string? value) =>
        value is { Length: > 0 and <= MaxPaymentTokenLength } && Printable.IsPrintable(value, allowSpaces: false);

    /// <summary>Exactly one plain address: <c>a@b.example, c@d.example</c> or <c>Name &lt;a@b.example&gt;</c> are not one.</summary>
    public static bool IsEmail(string? value) =>
        value is { Length: > 0 and <= MaxEmailLength }
        && Printable.IsPrintable(value, allowSpaces: false)
        && value.IndexOfAny([',', ';', '<', '>']) < 0
        && MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.DisplayName.Length == 0;

    /// <summary>Whether a stored purchase can be sent to the backend at all (rows written before these checks existed may not).</summary>
    public static bool IsCarriable(Purchase purchase) =>
        purchase.Quantity is >= 1 and <= MaxQuantity
        && (purchase.PaymentToken is null || IsPaymentToken(purchase.PaymentToken))
        && (purchase.SessionKey is null || Printable.IsPrintable(purchase.SessionKey, allowSpaces: false));

    public static (string? Key, Problem? Problem) IdempotencyKey(HttpRequest request)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
        {
            return (null, new Problem(400, "idempotency_key_required", "An Idempotency-Key header is required.",
                "Send a unique Idempotency-Key header (for example a UUID) so that a retry can never buy twice."));
        }

        return key.Length <= 255 && key.All(c => c is > ' ' and <= '~')
            ? (key, null)
            : (null, Problem.Validation("The Idempotency-Key header must be 1 to 255 printable ASCII characters."));
    }

    /// <summary>A stable hash of what a request asks for, to tell a retry from a reuse of its key.</summary>
    public static string Hash(params object?[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => p?.ToString() ?? "\u2400"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static Problem IdempotencyKeyReused() => new(422, "idempotency_key_reused", "This Idempotency-Key was used for another request.",
        "The Idempotency-Key was already used with a different body. Use a new key for a new request.");
}

/// <summary>Unguessable ids: 128 random bits, URL-safe.</summary>
internal static class Ids
{
    public static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return prefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
