namespace OnSale.Gateway.Purchasing;

/// <summary>
/// The durable record of purchases and their idempotency keys. A write returns only once it is committed to stable
/// storage, so a <c>202 parked</c> sent after it survives a crash.
/// </summary>
internal interface IPurchaseJournal
{
    Task<Purchase?> GetAsync(string purchaseId, CancellationToken cancellationToken);

    Task<Purchase?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Stores a new purchase and assigns its <see cref="Purchase.Sequence"/>.</summary>
    Task<Purchase> InsertAsync(Purchase purchase, CancellationToken cancellationToken);

    Task UpdateAsync(Purchase purchase, CancellationToken cancellationToken);

    /// <summary>Removes a purchase that never came to exist for the buyer (the request was answered with an error), freeing its key.</summary>
    Task DeleteAsync(string purchaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Hands purchases left <see cref="PurchaseStatus.Live"/> by a previous process (it crashed mid-attempt) to the
    /// replay worker as <see cref="PurchaseStatus.Processing"/>. Call once at start-up, before taking requests.
    /// </summary>
    Task<int> RecoverInterruptedAsync(CancellationToken cancellationToken);

    /// <summary>How many purchases are parked or processing.</summary>
    Task<int> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>Parked and processing purchases in arrival order.</summary>
    Task<IReadOnlyList<Purchase>> GetPendingAsync(int limit, CancellationToken cancellationToken);
}
