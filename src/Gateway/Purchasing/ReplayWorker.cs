using System.Diagnostics;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Purchasing;

/// <summary>Wakes the replay worker when there is new work, instead of waiting for its next poll.</summary>
internal sealed class ReplaySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        Task.WhenAny(_signal.WaitAsync(cancellationToken), Task.Delay(timeout, time, cancellationToken));
}

/// <summary>What the worker is doing, for the status page.</summary>
internal sealed record ReplayState(int Window, TimeSpan Backoff, DateTimeOffset? LastRoundAt, string? LastError);

/// <summary>
/// Drains parked and processing purchases in arrival order, at the rate the backend bears: it starts with one
/// purchase at a time and adds one per clean round (additive increase), halves on trouble (multiplicative decrease)
/// and backs off exponentially while the breaker is open. Every purchase ends confirmed or failed with a reason;
/// one whose checkout may have reached the backend is first looked up with FindOrder, so nobody is charged twice.
/// </summary>
internal sealed partial class ReplayWorker(
    IVenueBackend backend,
    IPurchaseJournal journal,
    IHoldStore holds,
    AvailabilityService availability,
    WaitingRoom.IBuyerAccess access,
    ParkedSeats parked,
    BackendResilience resilience,
    BackendHealth health,
    ReplaySignal signal,
    TimeProvider time,
    IOptions<PurchasingOptions> options,
    GatewayMetrics metrics,
    BackendBudget backendBudget,
    SessionKeyPool sessionKeys,
    ILogger<ReplayWorker> logger) : BackgroundService
{
    private const int UnexpectedFailuresBeforeSetAside = 3;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _unexpectedFailures = new(StringComparer.Ordinal);
    private volatile ReplayState _state = new(1, TimeSpan.Zero, null, null);

    public ReplayState State => _state;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The embedded journal answers synchronously; a scrape costs one indexed COUNT.
        metrics.Meter.CreateObservableGauge(
            "onsale.purchases.pending",
            () => journal.CountPendingAsync(CancellationToken.None).GetAwaiter().GetResult(),
            "{purchase}",
            "Purchases parked or being confirmed, waiting for the backend.");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var window = 1;
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (resilience.State == BreakerState.Isolated)
                {
                    // Degraded mode: nothing may reach the backend. Wait for it to be lifted.
                    await signal.WaitAsync(o.ReplayPollInterval, time, stoppingToken);
                    continue;
                }

                health.ReportBacklog(await journal.CountPendingAsync(stoppingToken));
                var batch = await journal.TakeForReplayAsync(window, stoppingToken);
                if (batch.Count == 0)
                {
                    await signal.WaitAsync(o.ReplayPollInterval, time, stoppingToken);
                    continue;
                }

                var clean = await RunRoundAsync(batch, stoppingToken);
                if (!clean)
                {
                    window = Math.Max(1, window / 2);
                    backoff = TimeSpan.FromTicks(Math.Min(o.ReplayMaxBackoff.Ticks, Math.Max(TimeSpan.FromMilliseconds(250).Ticks, backoff.Ticks * 2)));
                    _state = new ReplayState(window, backoff, time.GetUtcNow(), _state.LastError);
                    LogBackingOff(logger, backoff.TotalMilliseconds, window);
                    await Task.Delay(backoff, time, stoppingToken);
                }
                else
                {
                    window = Math.Min(o.ReplayMaxConcurrency, window + 1);
                    backoff = TimeSpan.Zero;
                    _state = new ReplayState(window, backoff, time.GetUtcNow(), null);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The loop must survive anything (a disk hiccup, a bug in one record): log, pause, go on.
                _state = _state with { LastError = ex.Message };
                LogCrashed(logger, ex);
                await Task.Delay(o.ReplayPollInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>
    /// One round: seats are reserved strictly in arrival order, one purchase after the other, and the round stops at
    /// the first sign of backend trouble so that no later purchase overtakes an earlier one; the checkouts of the
    /// seats so held then run side by side. Returns false when the backend was in trouble. A span per round, and one
    /// per purchase, hold the backend calls they make: a purchase's span is in the trace of the request that made it
    /// (<see cref="Purchase.TraceParent"/>) and links to the round, or under the round when that request was not traced.
    /// </summary>
    internal async Task<bool> RunRoundAsync(IReadOnlyList<Purchase> batch, CancellationToken cancellationToken)
    {
        using var round = GatewayTracing.Source.StartActivity("replay round");
        using var work = BackendWork.Begin(BackendWorkKind.Replay, time); // Its own share of the backend budget.
        round?.SetTag("onsale.replay.batch_size", batch.Count);
        var ready = new List<ReadyToCheckout>();
        var clean = true;
        foreach (var purchase in batch)
        {
            var (step, checkout) = await PrepareAsync(purchase, cancellationToken);
            if (step == Step.Busy)
            {
                break; // Nobody overtakes it; the next round asks the budget again, which has slowed down already.
            }

            if (step == Step.Trouble)
            {
                clean = false;
                break;
            }

            if (checkout is not null)
            {
                ready.Add(checkout);
            }
        }

        var checkouts = await Task.WhenAll(ready.Select(r => CheckoutAsync(r, cancellationToken)));
        clean = clean && !checkouts.Contains(Step.Trouble);
        round?.SetTag("onsale.replay.clean", clean);
        return clean;
    }

    private enum Step
    {
        Done,

        /// <summary>The backend refused a call as busy while the breaker is closed: the budget paces, no back-off here.</summary>
        Busy,
        Trouble,
    }

    /// <summary>
    /// A purchase whose seats are held under <see cref="Session"/>, ready to be bought; <see cref="Span"/> is its span,
    /// still open for the checkout.
    /// </summary>
    private sealed record ReadyToCheckout(Purchase Purchase, string Session, int? LineItemId, Activity? Span = null);

    private async Task<(Step Step, ReadyToCheckout? Ready)> PrepareAsync(Purchase purchase, CancellationToken cancellationToken)
    {
        // In the trace of the request that made the purchase (linked to this round), wherever and whenever it is replayed.
        var span = GatewayTracing.StartContinuing("replay purchase", purchase.TraceParent);
        span?.SetTag("onsale.purchase.id", purchase.PurchaseId);
        try
        {
            var (step, ready) = await PrepareCoreAsync(purchase, cancellationToken);
            if (ready is null || span is null)
            {
                return (step, ready);
            }

            ready = ready with { Span = span };
            span = null; // the checkout ends it
            return (step, ready);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsUnexpected(ex))
        {
            return (await UnexpectedAsync(purchase with { Attempts = purchase.Attempts + 1 }, ex), null);
        }
        finally
        {
            span?.Dispose();
        }
    }

    /// <summary>Settles what can be settled without buying (already bought, expired, sold out) or holds the seats.</summary>
    private async Task<(Step Step, ReadyToCheckout? Ready)> PrepareCoreAsync(Purchase purchase, CancellationToken cancellationToken)
    {
        purchase = purchase with { Attempts = purchase.Attempts + 1, UpdatedAt = time.GetUtcNow() };
        try
        {
            if (purchase.CheckoutAttempted)
            {
                try
                {
                    var existing = await backend.FindOrderAsync(purchase.PurchaseId, cancellationToken);
                    LogReconciled(logger, purchase.PurchaseId, existing.OrderId);
                    await ConfirmAsync(purchase, existing);
                    return (Step.Done, null);
                }
                catch (NotFoundException)
                {
                    // Not bought: safe to go on.
                }
            }

            if (!PurchasingValidation.IsCarriable(purchase))
            {
                // A row the box office cannot be sent (written before the API refused such input): it ends here, not bought,
                // instead of failing every round and holding up everyone behind it.
                await FailAsync(purchase, PurchaseFailures.Rejected);
                return (Step.Done, null);
            }

            if (purchase.HoldId is not null)
            {
                var hold = await holds.GetAsync(purchase.HoldId, cancellationToken);
                if (hold is null || hold.Closed || hold.ExpiresAt <= time.GetUtcNow() || hold.SessionKey is null)
                {
                    await FailAsync(purchase, PurchaseFailures.Expired);
                    return (Step.Done, null);
                }

                await journal.UpdateAsync(purchase, CancellationToken.None);
                return (Step.Done, new ReadyToCheckout(purchase, hold.SessionKey, LineItemId: null));
            }

            if (time.GetUtcNow() - purchase.CreatedAt > options.Value.ParkedMaxAge)
            {
                await FailAsync(purchase, PurchaseFailures.Expired);
                return (Step.Done, null);
            }

            var session = purchase.SessionKey;
            if (purchase.Reserved && session is not null)
            {
                // The session may already hold this purchase's seats (a reservation whose answer was lost, or a
                // checkout that never went out): buy those rather than reserve more and leave them stranded.
                purchase = purchase with { Status = PurchaseStatus.Processing, CheckoutAttempted = true, Message = PurchaseService.ProcessingMessage };
                await journal.UpdateAsync(purchase, CancellationToken.None);
                try
                {
                    await ConfirmAsync(purchase, await backend.CheckoutAsync(session, purchase.PaymentToken ?? string.Empty, purchase.PurchaseId, cancellationToken));
                    return (Step.Done, null);
                }
                catch (HoldExpiredException)
                {
                    // The session holds nothing: reserve in it below (safe, it has no hold to double).
                }
                catch (SessionExpiredException)
                {
                    session = null; // Its holds went with it.
                }
                catch (Exception ex) when (ex is PaymentDeclinedException or InvalidArgumentException)
                {
                    await FailAsync(purchase, PurchaseFailures.PaymentDeclined); // The hold expires by itself at the backend.
                    return (Step.Done, null);
                }
            }

            session ??= sessionKeys.TryTake() ?? await backend.GetNewSessionKeyAsync(cancellationToken);

            // Written before the reservation: whatever becomes of its answer, the seats are found in this session.
            purchase = purchase with { SessionKey = session, Reserved = true };
            await journal.UpdateAsync(purchase, CancellationToken.None);
            Hold reserved;
            try
            {
                reserved = await backend.ReserveTicketsAsync(session, purchase.PerformanceId, purchase.ZoneId, purchase.Quantity, cancellationToken);
            }
            catch (Exception ex) when (ex is NotEnoughSeatsException or NotFoundException or InvalidArgumentException)
            {
                await FailAsync(purchase, PurchaseFailures.NotEnoughSeats);
                return (Step.Done, null);
            }

            // Written before the checkout: after a crash from here on, the next attempt asks FindOrder first.
            purchase = purchase with { Status = PurchaseStatus.Processing, CheckoutAttempted = true, Message = PurchaseService.ProcessingMessage };
            await journal.UpdateAsync(purchase, CancellationToken.None);
            return (Step.Done, new ReadyToCheckout(purchase, session, reserved.LineItemId));
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (await StaysPendingAsync(purchase, ex), null);
        }
    }

    private async Task<Step> CheckoutAsync(ReadyToCheckout ready, CancellationToken cancellationToken)
    {
        // The checkouts of a round run side by side, each under the span its purchase began with (for this call only:
        // an async method's change of the current activity does not reach its caller).
        using var span = ready.Span;
        if (span is not null)
        {
            Activity.Current = span;
        }

        var purchase = ready.Purchase;
        try
        {
            var order = await backend.CheckoutAsync(ready.Session, purchase.PaymentToken ?? string.Empty, purchase.PurchaseId, cancellationToken);
            if (purchase.HoldId is not null && await holds.GetAsync(purchase.HoldId, CancellationToken.None) is { } hold)
            {
                await holds.SaveAsync(hold with { Closed = true }, CancellationToken.None);
                HoldService.ReleaseAccess(access, hold);
            }

            await ConfirmAsync(purchase, order);
        }
        catch (Exception ex) when (ex is PaymentDeclinedException or InvalidArgumentException)
        {
            if (ready.LineItemId is { } lineItemId)
            {
                await ReleaseQuietlyAsync(ready.Session, lineItemId);
            }

            await FailAsync(purchase, PurchaseFailures.PaymentDeclined);
        }
        catch (Exception ex) when (purchase.HoldId is not null && ex is HoldExpiredException or SessionExpiredException)
        {
            await FailAsync(purchase, PurchaseFailures.Expired);
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return await StaysPendingAsync(purchase, ex);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsUnexpected(ex))
        {
            return await UnexpectedAsync(purchase, ex);
        }

        return Step.Done;
    }

    /// <summary>Not the backend's answer nor our shutdown: a fault of this purchase's data or of our code.</summary>
    private static bool IsUnexpected(Exception exception) => exception is not (VenueBackendException or OperationCanceledException);

    /// <summary>
    /// One purchase failed in a way nobody planned for. It must not hold up the line: one that never reached the checkout
    /// fails (nothing was bought); one whose checkout may have gone out stays in line to be settled with FindOrder, and
    /// is set aside for support once that has failed unexpectedly <see cref="UnexpectedFailuresBeforeSetAside"/> times.
    /// Either way the round goes on with the next purchase.
    /// </summary>
    private async Task<Step> UnexpectedAsync(Purchase purchase, Exception exception)
    {
        LogUnexpected(logger, exception, purchase.PurchaseId);
        Activity.Current?.SetTag("onsale.replay.result", "unexpected");
        _state = _state with { LastError = $"{purchase.PurchaseId}: {exception.GetType().Name}" };
        if (!purchase.CheckoutAttempted)
        {
            _unexpectedFailures.TryRemove(purchase.PurchaseId, out _);
            await FailAsync(purchase, PurchaseFailures.Rejected);
            return Step.Done;
        }

        var failures = _unexpectedFailures.AddOrUpdate(purchase.PurchaseId, 1, (_, n) => n + 1);
        if (failures < UnexpectedFailuresBeforeSetAside)
        {
            await journal.UpdateAsync(purchase, CancellationToken.None);
            metrics.ReplayAttempt("unexpected");
            return Step.Done;
        }

        _unexpectedFailures.TryRemove(purchase.PurchaseId, out _);
        await journal.UpdateAsync(
            purchase with { Status = PurchaseStatus.NeedsSupport, Message = PurchaseService.NeedsSupportMessage, PaymentToken = null, SessionKey = null, UpdatedAt = time.GetUtcNow() },
            CancellationToken.None);
        metrics.ReplayAttempt("set_aside");
        LogSetAside(logger, purchase.PurchaseId, failures);
        return Step.Done;
    }

    /// <summary>Backend trouble, or a session or hold that lapsed mid-way: the purchase keeps its place in line.</summary>
    private async Task<Step> StaysPendingAsync(Purchase purchase, Exception reason)
    {
        await journal.UpdateAsync(purchase, CancellationToken.None);
        metrics.ReplayAttempt("retry");
        Activity.Current?.SetTag("onsale.replay.result", "retry");
        LogAttemptFailed(logger, purchase.PurchaseId, purchase.Attempts, reason.GetType().Name, reason.Message);
        _state = _state with { LastError = reason.Message };
        return reason switch
        {
            SessionExpiredException or HoldExpiredException => Step.Done,
            BackendUnavailableException { FaultCode: 503 } when !resilience.IsRefusingCalls => Step.Busy,
            _ => Step.Trouble,
        };
    }

    private async Task ConfirmAsync(Purchase purchase, Order order)
    {
        await journal.UpdateAsync(PurchaseService.Confirmed(purchase, order, time.GetUtcNow()), CancellationToken.None);
        if (purchase.HoldId is null)
        {
            availability.ReleasePromise(purchase.PerformanceId, purchase.ZoneId, purchase.Quantity);
            parked.Remove(purchase.ClientKey, purchase.Quantity);
            availability.Adjust(purchase.PerformanceId, purchase.ZoneId, -purchase.Quantity);
        }

        metrics.ReplayAttempt("confirmed");
        Activity.Current?.SetTag("onsale.replay.result", "confirmed");
        metrics.Purchase("confirmed");
        backendBudget.PurchaseFinished();
        LogConfirmed(logger, purchase.PurchaseId, order.OrderId, purchase.Attempts);
    }

    private async Task FailAsync(Purchase purchase, string code)
    {
        var failed = purchase with
        {
            Status = PurchaseStatus.Failed,
            FailureCode = code,
            Message = PurchaseFailures.MessageFor(code),
            PaymentToken = null,
            SessionKey = null,
            UpdatedAt = time.GetUtcNow(),
        };
        await journal.UpdateAsync(failed, CancellationToken.None);
        if (purchase.HoldId is null)
        {
            availability.ReleasePromise(purchase.PerformanceId, purchase.ZoneId, purchase.Quantity);
            parked.Remove(purchase.ClientKey, purchase.Quantity);
        }

        metrics.ReplayAttempt("failed");
        Activity.Current?.SetTag("onsale.replay.result", "failed");
        metrics.Purchase("failed");
        backendBudget.PurchaseFinished();
        LogFailed(logger, purchase.PurchaseId, code);
    }

    private async Task ReleaseQuietlyAsync(string session, int lineItemId)
    {
        try
        {
            await backend.ReleaseTicketsAsync(session, lineItemId, CancellationToken.None);
        }
        catch (VenueBackendException)
        {
            // The hold expires by itself at the backend.
        }
    }

    [LoggerMessage(EventIds.ReplayBackingOff, LogLevel.Information, "Replay backing off for {BackoffMs} ms; window now {Window}")]
    private static partial void LogBackingOff(ILogger logger, double backoffMs, int window);

    [LoggerMessage(EventIds.ReplayReconciled, LogLevel.Information, "Purchase {PurchaseId} was already bought (order {OrderId}); confirmed without charging again")]
    private static partial void LogReconciled(ILogger logger, string purchaseId, int orderId);

    [LoggerMessage(EventIds.ReplayAttemptFailed, LogLevel.Information, "Purchase {PurchaseId} attempt {Attempt} did not complete ({Kind}: {Reason}); it stays in line")]
    private static partial void LogAttemptFailed(ILogger logger, string purchaseId, int attempt, string kind, string reason);

    [LoggerMessage(EventIds.PurchaseConfirmed, LogLevel.Information, "Parked purchase {PurchaseId} confirmed: order {OrderId} after {Attempts} attempt(s)")]
    private static partial void LogConfirmed(ILogger logger, string purchaseId, int orderId, int attempts);

    [LoggerMessage(EventIds.PurchaseFailed, LogLevel.Information, "Parked purchase {PurchaseId} failed: {FailureCode}")]
    private static partial void LogFailed(ILogger logger, string purchaseId, string failureCode);

    [LoggerMessage(EventIds.ReplayPurchaseUnexpectedError, LogLevel.Error, "Parked purchase {PurchaseId} failed unexpectedly; the line goes on without it")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(EventIds.ReplayPurchaseSetAside, LogLevel.Error, "Parked purchase {PurchaseId} set aside for support after {Failures} unexpected failures; its checkout may have reached the backend, so it is not failed blindly")]
    private static partial void LogSetAside(ILogger logger, string purchaseId, int failures);

    [LoggerMessage(EventIds.ReplayWorkerCrashed, LogLevel.Error, "Replay round failed; retrying")]
    private static partial void LogCrashed(ILogger logger, Exception exception);
}
