using OnSale.Gateway.Purchasing;

namespace OnSale.Gateway.Tests.Storage;

/// <summary>The purchase the journal tests of both stores write: one of two seats in zone 1 of performance 1001.</summary>
internal static class JournalRecords
{
    public static Purchase Purchase(string id, PurchaseStatus status, DateTimeOffset now, string? key = null, string paymentToken = "tok_ok") => new()
    {
        PurchaseId = id,
        IdempotencyKey = key ?? "key-" + id,
        RequestHash = "hash",
        Status = status,
        PerformanceId = 1001,
        ZoneId = 1,
        Quantity = 2,
        PaymentToken = paymentToken,
        Email = "a@example.com",
        CreatedAt = now,
        UpdatedAt = now,
    };
}
