using System.Globalization;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Purchasing;

/// <summary>
/// Interactive holds: each hold lives in its own backend session (so checking it out buys exactly it), renewed once
/// if the backend says the session expired.
/// </summary>
internal sealed partial class HoldService(
    IVenueBackend backend,
    IHoldStore holds,
    AvailabilityService availability,
    PurchaseService purchases,
    IBuyerAccess access,
    DegradedMode mode,
    SessionKeyPool sessionKeys,
    TimeProvider time,
    ILogger<HoldService> logger)
{
    /// <summary>Holds seats for a buyer, out of their fair share (given back if no hold is made).</summary>
    public async Task<(HeldSeats? Hold, Problem? Problem)> CreateAsync(HoldRequest request, BuyerCredentials who, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var work = BackendWork.Begin(BackendWorkKind.Purchase, time);
        var (performanceId, quantity) = (request.PerformanceId!.Value, request.Quantity!.Value);
        var (buyer, denied) = await access.AdmitAsync(performanceId, who, quantity, cancellationToken);
        if (denied is not null)
        {
            return (null, denied);
        }

        (HeldSeats? Hold, Problem? Problem) result = (null, null);
        try
        {
            result = await CreateCoreAsync(request, buyer?.EntryId, budget);
            return result;
        }
        finally
        {
            if (result.Hold is null && buyer is { } admitted)
            {
                access.Refund(admitted, quantity);
            }
        }
    }

    private async Task<(HeldSeats? Hold, Problem? Problem)> CreateCoreAsync(HoldRequest request, UInt128? accessEntryId, TimeSpan budget)
    {
        var (performanceId, zoneId, quantity) = (request.PerformanceId!.Value, request.ZoneId!.Value, request.Quantity!.Value);
        using var live = new DeadlineBudget(CancellationToken.None, budget, time);
        if (await purchases.CheckZoneAsync(performanceId, zoneId, live.Token) is { } unknown)
        {
            return (null, unknown);
        }

        if (mode.IsDegraded)
        {
            return (null, Problem.BackendUnavailable("The box office cannot hold seats right now. You can still buy directly: your purchase will be completed as soon as possible.", TimeSpan.FromSeconds(5)));
        }

        try
        {
            var (session, reserved) = await ReserveAsync(performanceId, zoneId, quantity, live.Token);
            var price = availability.LastKnownZone(performanceId, zoneId)?.PriceCents ?? 0;
            var hold = new HeldSeats
            {
                HoldId = Ids.New("hld_"),
                SessionKey = session,
                LineItemId = reserved.LineItemId,
                PerformanceId = performanceId,
                ZoneId = zoneId,
                Quantity = reserved.Quantity,
                Seats = reserved.Seats,
                TotalCents = price * reserved.Quantity,
                ExpiresAt = reserved.ExpiresAt,
                AccessEntryId = accessEntryId?.ToString("x32", CultureInfo.InvariantCulture),
            };
            await holds.SaveAsync(hold, CancellationToken.None);
            availability.Adjust(performanceId, zoneId, -reserved.Quantity);
            LogHoldCreated(logger, hold.HoldId, performanceId, zoneId, hold.Quantity);
            return (hold, null);
        }
        catch (NotEnoughSeatsException ex)
        {
            return (null, Problem.NotEnoughSeats($"Only {ex.Available?.ToString(CultureInfo.InvariantCulture) ?? "fewer"} seats are left in this zone.", ex.Available));
        }
        catch (Exception ex) when (ex is InvalidArgumentException or NotFoundException)
        {
            return (null, Problem.Validation($"The box office refused the request: {ex.Message}"));
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            return (null, Problem.BackendUnavailable("The box office is not answering right now. Try again in a moment.", BackendFailures.RetryAfter(ex)));
        }
    }

    /// <summary>Releases a hold. Idempotent: releasing a closed or expired hold succeeds.</summary>
    public async Task<(HeldSeats? Hold, Problem? Problem)> ReleaseAsync(string holdId, CancellationToken cancellationToken)
    {
        using var work = BackendWork.Begin(BackendWorkKind.Purchase, time);
        var hold = await holds.GetAsync(holdId, cancellationToken);
        if (hold is null)
        {
            return (null, Problem.NotFound("unknown_hold", $"There is no hold '{holdId}'."));
        }

        if (hold.Closed)
        {
            return (hold, null);
        }

        var live = hold.ExpiresAt > time.GetUtcNow();
        try
        {
            if (hold.SessionKey is { } session) // erased once the hold expired: the backend holds nothing under it
            {
                await backend.ReleaseTicketsAsync(session, hold.LineItemId, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is NotFoundException or SessionExpiredException)
        {
            live = false; // Already gone at the backend.
        }
        catch (Exception ex) when (ex is VenueBackendException or OperationCanceledException)
        {
            return (null, Problem.BackendUnavailable("The box office is not answering; the seats will be released when the hold expires.", BackendFailures.RetryAfter(ex)));
        }

        var closed = hold with { Closed = true };
        await holds.SaveAsync(closed, CancellationToken.None);
        ReleaseAccess(access, closed);
        if (live)
        {
            availability.Adjust(hold.PerformanceId, hold.ZoneId, hold.Quantity);
        }

        return (closed, null);
    }

    /// <summary>The buyer let their seats go or bought them: their place in the room goes to the next buyer.</summary>
    internal static void ReleaseAccess(IBuyerAccess access, HeldSeats hold)
    {
        if (hold.AccessEntryId is { } entry && UInt128.TryParse(entry, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id))
        {
            access.Release(hold.PerformanceId, id);
        }
    }

    private async Task<(string Session, Hold Hold)> ReserveAsync(int performanceId, int zoneId, int quantity, CancellationToken cancellationToken)
    {
        var session = sessionKeys.TryTake() ?? await backend.GetNewSessionKeyAsync(cancellationToken);
        try
        {
            return (session, await backend.ReserveTicketsAsync(session, performanceId, zoneId, quantity, cancellationToken));
        }
        catch (SessionExpiredException)
        {
            // A fresh key expired before use (fault 101): renew it once. The reservation was not made, so this is safe.
            session = await backend.GetNewSessionKeyAsync(cancellationToken);
            return (session, await backend.ReserveTicketsAsync(session, performanceId, zoneId, quantity, cancellationToken));
        }
    }

    [LoggerMessage(EventIds.HoldCreated, LogLevel.Debug, "Hold {HoldId} created: performance {PerformanceId} zone {ZoneId} x{Quantity}")]
    private static partial void LogHoldCreated(ILogger logger, string holdId, int performanceId, int zoneId, int quantity);
}
