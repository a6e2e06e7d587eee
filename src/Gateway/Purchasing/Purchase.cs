namespace OnSale.Gateway.Purchasing;

/// <summary>Where a purchase stands (CONTRACT.md §2).</summary>
internal enum PurchaseStatus
{
    /// <summary>
    /// Being attempted by the request that created it (shown as <c>processing</c>). The replay worker leaves it alone;
    /// after a crash, start-up hands it to the worker as <see cref="Processing"/>.
    /// </summary>
    Live,

    /// <summary>Stored durably; waiting for the backend to take it.</summary>
    Parked,

    /// <summary>Being completed at the backend, or its outcome is being confirmed.</summary>
    Processing,

    /// <summary>The backend sold the seats.</summary>
    Confirmed,

    /// <summary>It will not happen; <see cref="Purchase.FailureCode"/> says why. Nobody was charged.</summary>
    Failed,

    /// <summary>
    /// Set aside for support: its checkout may have reached the backend, and settling it failed in a way the gateway did
    /// not expect, again and again. It no longer holds up the line; the buyer sees <c>processing</c> and is never
    /// charged twice (any retry starts with FindOrder). The gateway never sends it to the backend again, so its payment
    /// token and session are erased; its email stays for support until it is settled.
    /// </summary>
    NeedsSupport,
}

/// <summary>
/// A purchase as the journal holds it. <see cref="PurchaseId"/> (128 random bits) is also the backend's
/// clientReference, which makes Checkout idempotent and lets FindOrder reconcile after a crash.
/// </summary>
internal sealed record Purchase
{
    public required string PurchaseId { get; init; }

    /// <summary>Arrival order, assigned by the journal; replay follows it.</summary>
    public long Sequence { get; init; }

    public required string IdempotencyKey { get; init; }

    /// <summary>A hash of the request body, to tell a retry from a reuse of the key.</summary>
    public required string RequestHash { get; init; }

    public required PurchaseStatus Status { get; init; }

    public required int PerformanceId { get; init; }

    public required int ZoneId { get; init; }

    public required int Quantity { get; init; }

    /// <summary>Kept only until the purchase is settled or set aside (<see cref="IPurchaseJournal.UpdateAsync"/>).</summary>
    public string? PaymentToken { get; init; }

    /// <summary>The buyer's address, for support; null once erased, <see cref="PurchasingOptions.EmailRetention"/> after the purchase settled.</summary>
    public required string? Email { get; init; }

    /// <summary>
    /// The client that made it (<see cref="Infrastructure.ClientKeys"/>), for the seats each client may have waiting;
    /// erased with the email.
    /// </summary>
    public string? ClientKey { get; init; }

    /// <summary>Set when the purchase checks out an interactive hold.</summary>
    public string? HoldId { get; init; }

    public int? OrderId { get; init; }

    public IReadOnlyList<string>? Seats { get; init; }

    public int? TotalCents { get; init; }

    public string? FailureCode { get; init; }

    public string? Message { get; init; }

    /// <summary>
    /// The backend session this purchase reserves and buys under, kept until it is settled or set aside: if a
    /// ReserveTickets may have taken seats (<see cref="Reserved"/>) the seats are bought from this session, never left
    /// stranded.
    /// </summary>
    public string? SessionKey { get; init; }

    /// <summary>
    /// A ReserveTickets under <see cref="SessionKey"/> may have held seats. Written before the call, so that after a
    /// timeout or a crash the replay checks out what the session holds before reserving again.
    /// </summary>
    public bool Reserved { get; init; }

    /// <summary>Replay attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// A Checkout may have reached the backend: before anything else, ask FindOrder. Written before each Checkout
    /// call, so that a crash between the call and its answer cannot lead to a second charge.
    /// </summary>
    public bool CheckoutAttempted { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the request that created the purchase, or null when nothing traced it: every later
    /// attempt at it (the replay, on any node) starts its span under this context, so that the purchase's story (the
    /// request, the parking, each replay and its backend calls) is one trace.
    /// </summary>
    public string? TraceParent { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public bool IsPending => Status is PurchaseStatus.Live or PurchaseStatus.Parked or PurchaseStatus.Processing or PurchaseStatus.NeedsSupport;
}

/// <summary>Failure codes a buyer may see on a failed purchase (CONTRACT.md §2).</summary>
internal static class PurchaseFailures
{
    public const string NotEnoughSeats = "not_enough_seats";
    public const string PaymentDeclined = "payment_declined";
    public const string Expired = "expired";

    /// <summary>The request could not be carried to the box office at all (a stored purchase it cannot accept); nothing was bought.</summary>
    public const string Rejected = "rejected";

    public static string MessageFor(string code) => code switch
    {
        NotEnoughSeats => "Sorry, the seats sold out before your request could be completed. You have not been charged.",
        PaymentDeclined => "Your payment was declined, so no tickets were bought and you have not been charged. Please try again with another card.",
        Expired => "The box office stayed unavailable for too long, so your request was not completed. You have not been charged; please try again.",
        Rejected => "Your request could not be passed to the box office, so nothing was bought and you have not been charged. Please try again.",
        _ => "Your purchase could not be completed. You have not been charged.",
    };
}
