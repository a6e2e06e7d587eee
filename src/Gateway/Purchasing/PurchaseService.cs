using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Purchasing;

/// <summary>The answer to a purchasing request: the purchase, or the problem that stopped it (never both).</summary>
internal readonly record struct PurchaseResult(Purchase? Purchase, Problem? Problem)
{
    public static implicit operator PurchaseResult(Problem problem) => new(null, problem);

    public static implicit operator PurchaseResult(Purchase purchase) => new(purchase, null);
}

/// <summary>
/// One-shot purchases and hold checkouts. A healthy backend completes a purchase within the request's deadline
/// (201 confirmed). Degraded mode, an open breaker, or a backend too slow for the deadline park it instead: written to
/// the journal before the answer (202 parked), then replayed in arrival order by <see cref="ReplayWorker"/>. A
/// purchase whose checkout may have reached the backend is never retried blindly: it stays <c>processing</c> until
/// FindOrder settles it.
/// </summary>
internal sealed partial class PurchaseService(
    IVenueBackend backend,
    IPurchaseJournal journal,
    IHoldStore holds,
    AvailabilityService availability,
    IBuyerAccess access,
    DegradedMode mode,
    ReplaySignal replay,
    KeyedLocks locks,
    ParkedSeats parked,
    IOptions<PurchasingOptions> options,
    TimeProvider time,
    GatewayMetrics metrics,
    BackendBudget backendBudget,
    SessionKeyPool sessionKeys,
    ILogger<PurchaseService> logger)
{
    public const string ParkedMessage = "We have your request. It will be confirmed here as soon as the box office can take it; you can close this page and come back.";
    public const string ProcessingMessage = "Your purchase is being confirmed with the box office.";
    public const string NeedsSupportMessage = "Your purchase is being checked by our support team. You will not be charged twice; please keep this page or its link.";

    /// <summary>
    /// A one-shot purchase. The idempotency key is scoped to its buyer (their place in line, or their client), so no one
    /// can block or probe another buyer's keys; a retry with the same key finds the purchase even after the buyer's turn
    /// ended. The seats come out of the buyer's fair share first, atomically, and go back to it if nothing was created.
    /// </summary>
    public async Task<PurchaseResult> PurchaseAsync(PurchaseRequest request, string idempotencyKey, BuyerCredentials who, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var work = BackendWork.Begin(BackendWorkKind.Purchase, time); // Its calls go before those of later purchases.
        var (performanceId, quantity) = (request.PerformanceId!.Value, request.Quantity!.Value);
        var key = "purchase:" + access.ScopeOf(performanceId, who) + ":" + idempotencyKey;
        var hash = PurchasingValidation.Hash(request.PerformanceId, request.ZoneId, request.Quantity, request.PaymentToken, request.Email);
        using var keyLock = await locks.AcquireAsync(key, cancellationToken);
        if (await journal.FindByIdempotencyKeyAsync(key, CancellationToken.None) is { } existing)
        {
            return existing.RequestHash == hash ? existing : PurchasingValidation.IdempotencyKeyReused();
        }

        var (buyer, denied) = await access.AdmitAsync(performanceId, who, quantity, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        PurchaseResult result;
        try
        {
            result = await AttemptAsync(request, key, hash, who.ClientKey, budget);
        }
        catch (IdempotencyKeyTakenException)
        {
            // The same key sent to another node at the same instant, which wrote first: answered as a retry would be.
            if (buyer is not null)
            {
                access.Refund(buyer.Value, quantity);
            }

            return await ExistingAsync(key, hash);
        }
        catch when (buyer is not null)
        {
            access.Refund(buyer.Value, quantity);
            throw;
        }

        if (buyer is { } admitted)
        {
            if (result.Purchase is null)
            {
                access.Refund(admitted, quantity);
            }

            if (admitted.EntryId is { } entryId && result.Purchase is not null)
            {
                access.Release(performanceId, entryId); // Made or parked: their place goes to the next buyer.
            }
            else if (admitted.EntryId is { } refused && result.Problem?.Code == "not_enough_seats"
                && result.Problem.Extensions?.GetValueOrDefault("available") is null or 0)
            {
                // Told that some seats are left, the buyer keeps their turn to take fewer.
                access.ReleaseIfSoldOut(performanceId, refused);
            }
        }

        return result;
    }

    /// <summary>The purchase that holds <paramref name="key"/>, as a retry with it is answered.</summary>
    private async Task<PurchaseResult> ExistingAsync(string key, string hash) =>
        await journal.FindByIdempotencyKeyAsync(key, CancellationToken.None) is { } existing && existing.RequestHash == hash
            ? existing
            : PurchasingValidation.IdempotencyKeyReused();

    private async Task<PurchaseResult> AttemptAsync(PurchaseRequest request, string key, string hash, string clientKey, TimeSpan budget)
    {
        var (performanceId, zoneId, quantity) = (request.PerformanceId!.Value, request.ZoneId!.Value, request.Quantity!.Value);
        using var live = new DeadlineBudget(CancellationToken.None, budget, time);
        if (await CheckZoneAsync(performanceId, zoneId, live.Token) is { } unknown)
        {
            return unknown;
        }

        var now = time.GetUtcNow();
        var purchase = new Purchase
        {
            PurchaseId = Ids.New("pur_"),
            IdempotencyKey = key,
            RequestHash = hash,
            Status = PurchaseStatus.Live,
            PerformanceId = performanceId,
            ZoneId = zoneId,
            Quantity = quantity,
            PaymentToken = request.PaymentToken,
            Email = request.Email!,
            ClientKey = clientKey,
            TraceParent = GatewayTracing.CurrentTraceParent(),
            CreatedAt = now,
            UpdatedAt = now,
            Message = ProcessingMessage,
        };

        // Parked purchases for this zone are ahead in line: a newcomer queues behind them rather than overtaking.
        if (mode.IsDegraded || availability.Promised(performanceId, zoneId) > 0)
        {
            return await ParkAsync(purchase, inserted: false);
        }

        string session;
        try
        {
            session = sessionKeys.TryTake() ?? await OnceMoreIfBusyAsync(backend.GetNewSessionKeyAsync, live.Token);
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            return await ParkAsync(purchase, inserted: false); // Nothing happened at the backend yet.
        }

        // Journal first: whatever happens next (crash, timeout) the purchase is known, with the session that may hold
        // its seats, and will be settled.
        purchase = await journal.InsertAsync(purchase with { SessionKey = session, Reserved = true }, CancellationToken.None);
        Hold? hold = null;
        try
        {
            hold = await OnceMoreIfBusyAsync(ct => backend.ReserveTicketsAsync(session, performanceId, zoneId, quantity, ct), live.Token);
            purchase = purchase with { CheckoutAttempted = true, UpdatedAt = time.GetUtcNow() };
            await journal.UpdateAsync(purchase, CancellationToken.None);
            try
            {
                var order = await OnceMoreIfBusyAsync(ct => backend.CheckoutAsync(session, request.PaymentToken!, purchase.PurchaseId, ct), live.Token);
                return await ConfirmAsync(purchase, order);
            }
            catch (PaymentDeclinedException)
            {
                _ = ReleaseQuietlyAsync(session, hold.LineItemId);
                throw;
            }
        }
        catch (NotEnoughSeatsException ex)
        {
            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            metrics.Purchase("rejected");
            backendBudget.PurchaseFinished();
            return Problem.NotEnoughSeats($"Only {ex.Available?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "fewer"} seats are left in this zone.", ex.Available);
        }
        catch (PaymentDeclinedException)
        {
            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            metrics.Purchase("declined");
            backendBudget.PurchaseFinished();
            return PaymentDeclined();
        }
        catch (Exception ex) when (ex is InvalidArgumentException or NotFoundException)
        {
            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            return Problem.Validation($"The box office refused the request: {ex.Message}");
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            if (purchase.CheckoutAttempted && BackendFailures.OutcomeUnknown(ex))
            {
                // The checkout may have gone through: settle it with FindOrder, never by buying again.
                availability.RestorePromise(performanceId, zoneId, quantity);
                return await HandOverAsync(purchase, ex);
            }

            if (!purchase.CheckoutAttempted && !BackendFailures.OutcomeUnknown(ex))
            {
                purchase = purchase with { Reserved = false }; // The reservation was refused or never sent: nothing held.
            }

            return await ParkAsync(purchase, inserted: true, seatsHeld: hold is not null);
        }
        catch (Exception ex) when (IsUnexpected(ex))
        {
            // Never leave a purchase "processing" with nobody working on it: one whose checkout may have gone out is
            // settled by the replay worker (FindOrder first); one that cannot have been bought is removed, freeing its key.
            LogUnexpected(logger, ex, purchase.PurchaseId);
            if (purchase.CheckoutAttempted)
            {
                availability.RestorePromise(performanceId, zoneId, quantity);
                return await HandOverAsync(purchase, ex);
            }

            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            throw;
        }
    }

    public async Task<PurchaseResult> CheckoutHoldAsync(string holdId, CheckoutRequest request, string idempotencyKey, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var work = BackendWork.Begin(BackendWorkKind.Purchase, time);

        // Scoped to the hold, whose id only its buyer knows: nobody else's key can collide with it or learn of it.
        var key = "checkout:" + holdId + ":" + idempotencyKey;
        var hash = PurchasingValidation.Hash(holdId, request.PaymentToken, request.Email);
        using var keyLock = await locks.AcquireAsync(key, cancellationToken);
        if (await journal.FindByIdempotencyKeyAsync(key, CancellationToken.None) is { } existing)
        {
            return existing.RequestHash == hash ? existing : PurchasingValidation.IdempotencyKeyReused();
        }

        var hold = await holds.GetAsync(holdId, CancellationToken.None);
        if (hold is null)
        {
            return Problem.NotFound("unknown_hold", $"There is no hold '{holdId}'.");
        }

        if (hold.Closed || hold.ExpiresAt <= time.GetUtcNow() || hold.SessionKey is null)
        {
            return HoldExpired();
        }

        if (mode.IsDegraded)
        {
            return Problem.BackendUnavailable("The box office cannot take payments right now. Your seats stay held until they expire; try again shortly.", TimeSpan.FromSeconds(5));
        }

        var now = time.GetUtcNow();
        Purchase purchase;
        try
        {
            purchase = await journal.InsertAsync(
                new Purchase
                {
                    PurchaseId = Ids.New("pur_"),
                    IdempotencyKey = key,
                    RequestHash = hash,
                    Status = PurchaseStatus.Live,
                    PerformanceId = hold.PerformanceId,
                    ZoneId = hold.ZoneId,
                    Quantity = hold.Quantity,
                    PaymentToken = request.PaymentToken,
                    Email = request.Email!,
                    HoldId = hold.HoldId,
                    CheckoutAttempted = true,
                    TraceParent = GatewayTracing.CurrentTraceParent(),
                    CreatedAt = now,
                    UpdatedAt = now,
                    Message = ProcessingMessage,
                },
                CancellationToken.None);
        }
        catch (IdempotencyKeyTakenException)
        {
            return await ExistingAsync(key, hash); // Taken at the same instant through another node.
        }

        using var live = new DeadlineBudget(CancellationToken.None, budget, time);
        try
        {
            var order = await OnceMoreIfBusyAsync(ct => backend.CheckoutAsync(hold.SessionKey, request.PaymentToken!, purchase.PurchaseId, ct), live.Token);
            await holds.SaveAsync(hold with { Closed = true }, CancellationToken.None);
            HoldService.ReleaseAccess(access, hold);
            return await ConfirmAsync(purchase, order);
        }
        catch (PaymentDeclinedException)
        {
            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            metrics.Purchase("declined");
            backendBudget.PurchaseFinished();
            return PaymentDeclined();
        }
        catch (Exception ex) when (ex is HoldExpiredException or SessionExpiredException)
        {
            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            await holds.SaveAsync(hold with { Closed = true }, CancellationToken.None);
            return HoldExpired();
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            if (BackendFailures.OutcomeUnknown(ex))
            {
                return await HandOverAsync(purchase, ex);
            }

            await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            return Problem.BackendUnavailable("The box office could not take the payment just now. Your seats stay held; try again shortly.", BackendFailures.RetryAfter(ex));
        }
        catch (Exception ex) when (IsUnexpected(ex))
        {
            LogUnexpected(logger, ex, purchase.PurchaseId);
            return await HandOverAsync(purchase, ex);
        }
    }

    public Task<Purchase?> GetAsync(string purchaseId, CancellationToken cancellationToken) => journal.GetAsync(purchaseId, cancellationToken);

    internal static Problem PaymentDeclined() =>
        new(402, "payment_declined", "The payment was declined.", "Your payment was declined and nothing was bought. Try another card.");

    internal static Problem HoldExpired() =>
        new(410, "hold_expired", "The hold has expired.", "These seats are no longer held for you. Choose seats again.");

    /// <summary>Checks the zone exists, from what is known (asking the backend only if nothing is).</summary>
    internal async Task<Problem?> CheckZoneAsync(int performanceId, int zoneId, CancellationToken cancellationToken)
    {
        if (availability.LastKnownZone(performanceId, zoneId) is not null)
        {
            return null;
        }

        var (outcome, snapshot) = await availability.GetAsync(performanceId, cancellationToken);
        return outcome switch
        {
            AvailabilityOutcome.UnknownPerformance => Problem.NotFound("unknown_performance", $"There is no performance {performanceId}."),
            AvailabilityOutcome.NeverKnown => Problem.AvailabilityUnknown(
                "The box office is not answering and this performance's availability was never known, so the request cannot be taken honestly. Try again shortly.",
                TimeSpan.FromSeconds(5)),
            _ when snapshot!.Zones.All(z => z.ZoneId != zoneId) => Problem.NotFound("unknown_zone", $"Performance {performanceId} has no zone {zoneId}."),
            _ => null,
        };
    }

    /// <summary>Gives a purchase whose checkout outcome is unknown to the replay worker, which settles it with FindOrder first.</summary>
    private async Task<PurchaseResult> HandOverAsync(Purchase purchase, Exception reason)
    {
        var processing = purchase with { Status = PurchaseStatus.Processing, UpdatedAt = time.GetUtcNow() };
        await journal.UpdateAsync(processing, CancellationToken.None);
        if (purchase.HoldId is null)
        {
            parked.Add(purchase.ClientKey, purchase.Quantity);
        }

        LogOutcomeUnknown(logger, purchase.PurchaseId, reason.GetType().Name);
        metrics.Purchase("processing");
        replay.Wake();
        return processing;
    }

    /// <param name="purchase">The purchase.</param>
    /// <param name="inserted">Whether it is in the journal already.</param>
    /// <param name="seatsHeld">Its seats are held at the backend in its session: they exist, promise them whatever the counts say.</param>
    private async Task<PurchaseResult> ParkAsync(Purchase purchase, bool inserted, bool seatsHeld = false)
    {
        if (purchase.ClientKey is { } client)
        {
            var (added, waiting) = parked.TryAdd(client, purchase.Quantity, options.Value.MaxParkedSeatsPerClient);
            if (!added)
            {
                await DeleteIfInsertedAsync();
                metrics.Purchase("rejected");
                backendBudget.PurchaseFinished();
                return new Problem(409, "seat_limit_reached", "Too many seats are waiting for the box office from your network.",
                    $"Purchases from your network already have {waiting} seats waiting for the box office, the most one network may have waiting at once. Try again once they are confirmed.")
                {
                    Extensions = new Dictionary<string, object?> { ["limit"] = options.Value.MaxParkedSeatsPerClient, ["waiting"] = waiting },
                };
            }
        }

        var parkedHere = false;
        try
        {
            var answer = await ParkCoreAsync(purchase, inserted, seatsHeld);
            parkedHere = answer.Purchase is not null;
            return answer;
        }
        finally
        {
            if (!parkedHere)
            {
                parked.Remove(purchase.ClientKey, purchase.Quantity);
            }
        }

        async Task DeleteIfInsertedAsync()
        {
            if (inserted)
            {
                await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            }
        }
    }

    private async Task<PurchaseResult> ParkCoreAsync(Purchase purchase, bool inserted, bool seatsHeld)
    {
        var promise = seatsHeld
            ? PromiseOutcome.Promised
            : availability.TryPromise(purchase.PerformanceId, purchase.ZoneId, purchase.Quantity);
        if (seatsHeld)
        {
            availability.RestorePromise(purchase.PerformanceId, purchase.ZoneId, purchase.Quantity);
        }

        switch (promise)
        {
            case PromiseOutcome.NotEnoughSeats:
                await DeleteIfInsertedAsync();
                metrics.Purchase("rejected");
                backendBudget.PurchaseFinished();
                return Problem.NotEnoughSeats(
                    "Not enough seats are left, counting requests already waiting for the box office.",
                    Math.Max(0, (availability.LastKnownZone(purchase.PerformanceId, purchase.ZoneId)?.Available ?? 0) - availability.Promised(purchase.PerformanceId, purchase.ZoneId)));
            case PromiseOutcome.NeverKnown:
                await DeleteIfInsertedAsync();
                return Problem.AvailabilityUnknown(
                    "The box office cannot take the purchase now, and this zone's availability was never known, so it cannot be accepted honestly. Try again shortly.",
                    TimeSpan.FromSeconds(5));
        }

        var parked = purchase with { Status = PurchaseStatus.Parked, Message = ParkedMessage, UpdatedAt = time.GetUtcNow() };
        try
        {
            if (inserted)
            {
                await journal.UpdateAsync(parked, CancellationToken.None);
            }
            else
            {
                parked = await journal.InsertAsync(parked, CancellationToken.None);
            }
        }
        catch
        {
            availability.ReleasePromise(purchase.PerformanceId, purchase.ZoneId, purchase.Quantity);
            throw;
        }

        LogParked(logger, parked.PurchaseId, parked.PerformanceId, parked.ZoneId, parked.Quantity, parked.Sequence);
        metrics.Purchase("parked");
        replay.Wake();
        return parked;

        async Task DeleteIfInsertedAsync()
        {
            if (inserted)
            {
                await journal.DeleteAsync(purchase.PurchaseId, CancellationToken.None);
            }
        }
    }

    private async Task<Purchase> ConfirmAsync(Purchase purchase, Order order)
    {
        var confirmed = Confirmed(purchase, order, time.GetUtcNow());
        await journal.UpdateAsync(confirmed, CancellationToken.None);
        if (purchase.HoldId is null)
        {
            availability.Adjust(purchase.PerformanceId, purchase.ZoneId, -purchase.Quantity);
        }

        metrics.Purchase("confirmed");

        backendBudget.PurchaseFinished();
        LogConfirmed(logger, confirmed.PurchaseId, order.OrderId);
        return confirmed;
    }

    internal static Purchase Confirmed(Purchase purchase, Order order, DateTimeOffset now) => purchase with
    {
        Status = PurchaseStatus.Confirmed,
        OrderId = order.OrderId,
        Seats = order.Seats,
        TotalCents = order.TotalCents,
        PaymentToken = null,
        SessionKey = null,
        FailureCode = null,
        Message = $"Confirmed: order {order.OrderId}, seats {string.Join(", ", order.Seats)}.",
        UpdatedAt = now,
    };

    private async Task ReleaseQuietlyAsync(string session, int lineItemId)
    {
        try
        {
            await backend.ReleaseTicketsAsync(session, lineItemId, CancellationToken.None);
        }
        catch (VenueBackendException)
        {
            // The hold expires by itself at the backend within 10 minutes.
        }
    }

    /// <summary>
    /// A busy refusal (a 503 fault: the box office says it did nothing, CONTRACT.md §1) is tried once more within the
    /// deadline: the second try waits its turn in the backend budget, which the refusal has just slowed down, instead of
    /// parking the purchase and every one behind it. Anything else, or a second refusal, is the caller's to handle.
    /// </summary>
    private static async Task<T> OnceMoreIfBusyAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (BackendUnavailableException ex) when (ex.FaultCode == 503 && !cancellationToken.IsCancellationRequested)
        {
            return await call(cancellationToken);
        }
    }

    [LoggerMessage(EventIds.PurchaseParked, LogLevel.Information, "Purchase {PurchaseId} parked: performance {PerformanceId} zone {ZoneId} x{Quantity} (#{Sequence} in line)")]
    private static partial void LogParked(ILogger logger, string purchaseId, int performanceId, int zoneId, int quantity, long sequence);

    [LoggerMessage(EventIds.PurchaseConfirmed, LogLevel.Information, "Purchase {PurchaseId} confirmed: order {OrderId}")]
    private static partial void LogConfirmed(ILogger logger, string purchaseId, int orderId);

    /// <summary>Not the backend's answer nor a cancellation: a fault of the request's data or of our code.</summary>
    private static bool IsUnexpected(Exception exception) => exception is not (VenueBackendException or OperationCanceledException);

    [LoggerMessage(EventIds.PurchaseUnexpectedError, LogLevel.Error, "Purchase {PurchaseId} failed unexpectedly while being attempted")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(EventIds.CheckoutOutcomeUnknown, LogLevel.Warning, "Purchase {PurchaseId}: checkout outcome unknown ({Reason}); it will be settled with FindOrder")]
    private static partial void LogOutcomeUnknown(ILogger logger, string purchaseId, string reason);
}
