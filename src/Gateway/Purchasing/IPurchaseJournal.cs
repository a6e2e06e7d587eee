namespace OnSale.Gateway.Purchasing;

/// <summary>
/// The durable record of purchases and their idempotency keys. A write returns only once it is committed to stable
/// storage, so a <c>202 parked</c> sent after it survives a crash.
/// </summary>
internal interface IPurchaseJournal
{
    Task<Purchase?> GetAsync(string purchaseId, CancellationToken cancellationToken);

    Task<Purchase?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// The purchases made with <paramref name="email"/> (trimmed, matched case-insensitively), newest first, at most
    /// <paramref name="limit"/>. A purchase whose email was erased (<see cref="EraseEmailsAsync"/>) is no longer found
    /// here, only by its id.
    /// </summary>
    Task<IReadOnlyList<Purchase>> FindByEmailAsync(string email, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new purchase and assigns its <see cref="Purchase.Sequence"/>; throws <see cref="IdempotencyKeyTakenException"/>
    /// when another purchase took its key first (another node, at the same instant: one node serialises its own).
    /// </summary>
    Task<Purchase> InsertAsync(Purchase purchase, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the purchase's new state. Settling it (confirmed, failed) or setting it aside (needs support) erases its
    /// payment token and backend session in the same write, and a settled purchase's email is erased
    /// <see cref="PurchasingOptions.EmailRetention"/> after (<see cref="EraseEmailsAsync"/>).
    /// </summary>
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

    /// <summary>
    /// The pending purchases this node is to replay now, in arrival order, at most <paramref name="limit"/>: with one
    /// node, <see cref="GetPendingAsync"/>; with several sharing a store, only the one node that replays gets any, so that
    /// each purchase is replayed by exactly one node.
    /// </summary>
    Task<IReadOnlyList<Purchase>> TakeForReplayAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Erases the email (and the client address) of at most <paramref name="limit"/> purchases settled at or before
    /// <paramref name="settledBefore"/>, the longest settled first, and leaves nothing erased so far recoverable from the
    /// store's files. Returns how many it erased.
    /// </summary>
    Task<int> EraseEmailsAsync(DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// How the purchases ended, for the support console: seats confirmed per performance, and the
    /// <paramref name="recentFailures"/> purchases most recently failed or set aside for support, newest first.
    /// </summary>
    Task<PurchaseOutcomes> ReadOutcomesAsync(int recentFailures, CancellationToken cancellationToken);
}

/// <summary>Seats confirmed through the gateway per performance, and the latest purchases that did not end well.</summary>
internal sealed record PurchaseOutcomes(IReadOnlyDictionary<int, int> SeatsSold, IReadOnlyList<Purchase> RecentFailures);

/// <summary>Another purchase holds this idempotency key: the caller answers as a retry with that key would.</summary>
internal sealed class IdempotencyKeyTakenException(string message, Exception? innerException = null) : InvalidOperationException(message, innerException);
