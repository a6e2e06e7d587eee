using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>
/// The backend's inventory, protocol-free: performances, seats, sessions, holds and orders, thread-safe and never
/// overselling. Seats and holds of a performance change only under that performance's gate; checkout additionally
/// runs under one checkout gate and takes the gates of the performances it touches in ascending id order, so no two
/// locks are ever taken in opposite orders.
/// </summary>
internal sealed class VenueInventory
{
    /// <summary>Most seats one reservation may hold.</summary>
    public const int MaxQuantity = 10;

    /// <summary>Order ids count up from here.</summary>
    public const int FirstOrderId = 50001;

    /// <summary>A hold lives this long (the backend's setting, CONTRACT.md §1).</summary>
    public static readonly TimeSpan HoldLifetime = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<PerformanceInventory> _performances;
    private readonly Dictionary<int, PerformanceInventory> _performancesById;
    private readonly SessionStore _sessions;
    private readonly ConcurrentDictionary<int, Hold> _holds = new();
    private readonly Lock _checkoutGate = new();
    private readonly ConcurrentDictionary<string, OrderInfo> _ordersByReference = new(StringComparer.Ordinal);
    private readonly List<OrderInfo> _orders = [];
    private readonly Action<Hold> _onHoldExpired;
    private int _lastLineItemId;
    private int _lastOrderId = FirstOrderId - 1;
    private long _oversold;

    public VenueInventory(InventorySeed seed, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(seed);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _performances = seed.Performances.Select(p => new PerformanceInventory(p)).ToList();
        _performancesById = _performances.ToDictionary(p => p.Id);
        _sessions = new SessionStore(time);
        _onHoldExpired = OnHoldExpired;
    }

    /// <summary>Oversell anomalies seen while selling seats. Anything but 0 is a bug.</summary>
    public long Oversold => Interlocked.Read(ref _oversold);

    public int OrderCount => _ordersByReference.Count;

    public string GetNewSessionKey() => _sessions.Create().Key;

    public IReadOnlyList<PerformanceInfo> GetPerformances()
    {
        var result = new List<PerformanceInfo>(_performances.Count);
        foreach (var performance in _performances)
        {
            lock (performance.Gate)
            {
                result.Add(performance.ToInfo());
            }
        }

        return result;
    }

    public IReadOnlyList<ZoneInfo> GetAvailability(int performanceId)
    {
        var performance = FindPerformance(performanceId);
        var now = _time.GetUtcNow();
        lock (performance.Gate)
        {
            performance.ExpireDue(now, _onHoldExpired);
            return performance.Zones.Select(z => z.ToInfo()).ToList();
        }
    }

    public HoldInfo ReserveTickets(string sessionKey, int performanceId, int zoneId, int quantity)
    {
        var session = _sessions.Use(sessionKey);
        if (quantity is < 1 or > MaxQuantity)
        {
            throw new VenueFaultException(VenueFaultCodes.InvalidArgument, $"quantity must be between 1 and {MaxQuantity}");
        }

        var performance = FindPerformance(performanceId);
        var zone = FindZone(performance, zoneId);
        var now = _time.GetUtcNow();
        Hold hold;
        lock (performance.Gate)
        {
            zone.ExpireDue(now, _onHoldExpired);
            var seats = zone.TryTake(quantity)
                ?? throw new VenueFaultException(VenueFaultCodes.NotEnoughSeats, $"Not enough seats: {zone.Available} available");
            hold = new Hold(Interlocked.Increment(ref _lastLineItemId), session, performance, zone, seats, now + HoldLifetime);
            zone.TrackExpiry(hold);
            _holds[hold.LineItemId] = hold;
            session.Holds[hold.LineItemId] = hold;
        }

        Log.HoldCreated(_logger, hold.LineItemId, performanceId, zoneId, quantity);
        return hold.ToInfo();
    }

    public bool ReleaseTickets(string sessionKey, int lineItemId)
    {
        var session = _sessions.Use(sessionKey);
        if (!_holds.TryGetValue(lineItemId, out var hold))
        {
            throw UnknownHold(lineItemId);
        }

        var now = _time.GetUtcNow();
        lock (hold.Performance.Gate)
        {
            hold.Zone.ExpireDue(now, _onHoldExpired);
            if (hold.State != HoldState.Live || !ReferenceEquals(hold.Session, session))
            {
                throw UnknownHold(lineItemId);
            }

            hold.Zone.ReturnToPool(hold.SeatIndexes);
            hold.State = HoldState.Released;
            Forget(hold);
        }

        Log.HoldReleased(_logger, lineItemId);
        return true;
    }

    public OrderInfo Checkout(string sessionKey, string paymentToken, string clientReference)
    {
        // Idempotency first: a retry after a lost answer gets the same order, even once the session has expired.
        if (clientReference is not null && _ordersByReference.TryGetValue(clientReference, out var existing))
        {
            Log.OrderReplayed(_logger, existing.OrderId, clientReference);
            return existing;
        }

        var session = _sessions.Use(sessionKey);
        if (string.IsNullOrWhiteSpace(paymentToken))
        {
            throw new VenueFaultException(VenueFaultCodes.InvalidArgument, "paymentToken must not be empty");
        }

        if (string.IsNullOrWhiteSpace(clientReference))
        {
            throw new VenueFaultException(VenueFaultCodes.InvalidArgument, "clientReference must not be empty");
        }

        if (paymentToken.StartsWith("tok_declined", StringComparison.Ordinal))
        {
            throw new VenueFaultException(VenueFaultCodes.PaymentDeclined, "Payment declined");
        }

        OrderInfo order;
        lock (_checkoutGate)
        {
            // A concurrent duplicate may have completed while this call waited for the gate.
            if (_ordersByReference.TryGetValue(clientReference, out existing))
            {
                return existing;
            }

            var performances = session.Holds.Values.Select(h => h.Performance).Distinct().OrderBy(p => p.Id).ToList();
            var entered = 0;
            try
            {
                foreach (var performance in performances)
                {
                    performance.Gate.Enter();
                    entered++;
                }

                order = SellLiveHolds(session, performances, clientReference, _time.GetUtcNow());
            }
            finally
            {
                for (var i = entered - 1; i >= 0; i--)
                {
                    performances[i].Gate.Exit();
                }
            }
        }

        Log.OrderCreated(_logger, order.OrderId, clientReference, order.Seats.Count, order.TotalCents);
        return order;
    }

    public OrderInfo FindOrder(string clientReference) =>
        clientReference is not null && _ordersByReference.TryGetValue(clientReference, out var order)
            ? order
            : throw new VenueFaultException(VenueFaultCodes.NotFound, $"No order with clientReference '{Shorten(clientReference)}'");

    public IReadOnlyList<OrderInfo> GetOrders()
    {
        lock (_checkoutGate)
        {
            return _orders.ToList();
        }
    }

    public PerformanceInfo SetOnSaleAt(int performanceId, DateTimeOffset onSaleAt)
    {
        var performance = FindPerformance(performanceId);
        lock (performance.Gate)
        {
            performance.OnSaleAt = onSaleAt;
            Log.OnSaleAtChanged(_logger, performanceId, performance.OnSaleAt);
            return performance.ToInfo();
        }
    }

    /// <summary>Withdraws or restores free seats so that exactly <paramref name="available"/> are free; 409 when impossible.</summary>
    public ZoneInfo SetAvailable(int performanceId, int zoneId, int available)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        var performance = FindPerformance(performanceId);
        var zone = FindZone(performance, zoneId);
        var now = _time.GetUtcNow();
        lock (performance.Gate)
        {
            zone.ExpireDue(now, _onHoldExpired);
            if (!zone.TrySetAvailable(available))
            {
                throw new InventoryConflictException(
                    $"At most {zone.FreeCount + zone.WithdrawnCount} seats of zone {zoneId} can be made available: " +
                    $"{zone.HeldCount} are held and {zone.SoldCount} sold.");
            }

            Log.ZoneAvailabilityChanged(_logger, performanceId, zoneId, available);
            return zone.ToInfo();
        }
    }

    /// <summary>Seats sold per performance and zone.</summary>
    public IReadOnlyDictionary<int, IReadOnlyDictionary<int, int>> GetSeatsSold()
    {
        var result = new Dictionary<int, IReadOnlyDictionary<int, int>>();
        foreach (var performance in _performances)
        {
            lock (performance.Gate)
            {
                result[performance.Id] = performance.Zones.ToDictionary(z => z.ZoneId, z => z.SoldCount);
            }
        }

        return result;
    }

    // Runs under the checkout gate and the gates of every performance the session holds seats in.
    private OrderInfo SellLiveHolds(
        Session session,
        IReadOnlyList<PerformanceInventory> performances,
        string clientReference,
        DateTimeOffset now)
    {
        foreach (var performance in performances)
        {
            performance.ExpireDue(now, _onHoldExpired);
        }

        // Only holds whose performance gate this call holds: a reservation racing this checkout lands after it.
        var locked = performances.ToHashSet();
        var live = session.Holds.Values
            .Where(h => h.State == HoldState.Live && h.ExpiresAt > now && locked.Contains(h.Performance))
            .OrderBy(h => h.LineItemId)
            .ToList();
        if (live.Count == 0)
        {
            throw new VenueFaultException(VenueFaultCodes.HoldExpired, "Hold expired: the session has no live hold to check out");
        }

        var seats = new List<string>();
        long totalCents = 0;
        foreach (var hold in live)
        {
            var anomalies = hold.Zone.Sell(hold.SeatIndexes);
            if (anomalies > 0)
            {
                Interlocked.Add(ref _oversold, anomalies);
                Log.OversoldDetected(_logger, hold.Performance.Id, hold.Zone.ZoneId, anomalies);
            }

            hold.State = HoldState.Sold;
            Forget(hold);
            seats.AddRange(hold.SeatLabels);
            totalCents += (long)hold.Zone.PriceCents * hold.SeatIndexes.Count;
        }

        var order = new OrderInfo(
            ++_lastOrderId,
            clientReference,
            live[0].Performance.Id,
            live[0].Zone.ZoneId,
            seats,
            checked((int)totalCents));
        _ordersByReference[clientReference] = order;
        _orders.Add(order);
        return order;
    }

    private void OnHoldExpired(Hold hold)
    {
        Forget(hold);
        Log.HoldExpired(_logger, hold.LineItemId, hold.Performance.Id, hold.Zone.ZoneId);
    }

    private void Forget(Hold hold)
    {
        _holds.TryRemove(hold.LineItemId, out _);
        hold.Session.Holds.TryRemove(hold.LineItemId, out _);
    }

    private PerformanceInventory FindPerformance(int performanceId) =>
        _performancesById.GetValueOrDefault(performanceId)
        ?? throw new VenueFaultException(VenueFaultCodes.NotFound, $"Unknown performance {performanceId}");

    private static ZoneInventory FindZone(PerformanceInventory performance, int zoneId) =>
        performance.FindZone(zoneId)
        ?? throw new VenueFaultException(VenueFaultCodes.NotFound, $"Unknown zone {zoneId} in performance {performance.Id}");

    private static VenueFaultException UnknownHold(int lineItemId) =>
        new(VenueFaultCodes.NotFound, $"Unknown or expired hold {lineItemId}");

    private static string Shorten(string? value) =>
        value is null ? "" : value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
