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

    /// <summary>A W3C traceparent as a traced request's activity writes it.</summary>
    public const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    /// <summary>
    /// What both journals do with emails: a buyer's purchases are found by the email whatever its case or surrounding
    /// spaces, newest first, at most the limit, another buyer's not, a deleted one not; once the email is erased the
    /// purchase is found by its id only. The trace context is kept with the purchase.
    /// </summary>
    public static async Task AssertFoundByEmailUntilErasedAsync(IPurchaseJournal journal, DateTimeOffset now)
    {
        var first = await journal.InsertAsync(Purchase("a", PurchaseStatus.Processing, now) with { TraceParent = TraceParent }, default);
        await journal.InsertAsync(Purchase("b", PurchaseStatus.Parked, now) with { Email = "A@Example.COM" }, default);
        await journal.InsertAsync(Purchase("other", PurchaseStatus.Parked, now) with { Email = "someone@example.com" }, default);
        await journal.InsertAsync(Purchase("c", PurchaseStatus.Parked, now), default);
        await journal.InsertAsync(Purchase("deleted", PurchaseStatus.Live, now), default);
        await journal.DeleteAsync("deleted", default);

        var found = await journal.FindByEmailAsync("  a@EXAMPLE.com ", 10, default);

        Assert.Equal(["c", "b", "a"], found.Select(p => p.PurchaseId));
        Assert.Equal(TraceParent, found[2].TraceParent);
        Assert.Equal(["c", "b"], (await journal.FindByEmailAsync("a@example.com", 2, default)).Select(p => p.PurchaseId));
        Assert.Empty(await journal.FindByEmailAsync("nobody@example.com", 10, default));

        await journal.UpdateAsync(first with { Status = PurchaseStatus.Confirmed, OrderId = 1, UpdatedAt = now.AddMinutes(1) }, default);
        Assert.Equal(0, await journal.EraseEmailsAsync(now, 10, default));
        Assert.Equal(3, (await journal.FindByEmailAsync("a@example.com", 10, default)).Count);
        Assert.Equal(1, await journal.EraseEmailsAsync(now.AddMinutes(2), 10, default));

        Assert.Equal(["c", "b"], (await journal.FindByEmailAsync("a@example.com", 10, default)).Select(p => p.PurchaseId));
        var erased = await journal.GetAsync("a", default);
        Assert.Equal((PurchaseStatus.Confirmed, null, TraceParent), (erased!.Status, erased.Email, erased.TraceParent));
    }
}
