namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>
/// The seats of one zone: one byte of state per seat, counters, and a cursor below which no seat is free, so that a
/// 50,000-seat zone costs 50 KB and best-available is a short forward scan. Not thread-safe: every member is called
/// under the owning <see cref="PerformanceInventory.Gate"/>.
/// </summary>
internal sealed class ZoneInventory
{
    private const byte Free = 0;
    private const byte Held = 1;
    private const byte Sold = 2;
    private const byte Withdrawn = 3;

    private readonly byte[] _seats;
    private readonly PriorityQueue<Hold, DateTimeOffset> _expiries = new();
    private int _lowestFree;

    public ZoneInventory(ZoneSeed seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentOutOfRangeException.ThrowIfLessThan(seed.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(seed.SeatsPerRow, 1);
        ZoneId = seed.ZoneId;
        Name = seed.Name;
        PriceCents = seed.PriceCents;
        Capacity = seed.Capacity;
        SeatsPerRow = seed.SeatsPerRow;
        _seats = new byte[seed.Capacity];
        FreeCount = seed.Capacity;
    }

    public int ZoneId { get; }

    public string Name { get; }

    public int PriceCents { get; }

    public int Capacity { get; }

    public int SeatsPerRow { get; }

    public int FreeCount { get; private set; }

    public int HeldCount { get; private set; }

    public int SoldCount { get; private set; }

    public int WithdrawnCount { get; private set; }

    /// <summary>Seats a buyer can hold now: capacity − held − sold − withdrawn.</summary>
    public int Available => Capacity - HeldCount - SoldCount - WithdrawnCount;

    public ZoneInfo ToInfo() => new(ZoneId, Name, PriceCents, Capacity, Available);

    public string Label(int seatIndex) => SeatLabels.Format(seatIndex, SeatsPerRow);

    /// <summary>Holds the <paramref name="quantity"/> lowest free seats, or none when fewer are free.</summary>
    public int[]? TryTake(int quantity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, 1);
        if (FreeCount < quantity)
        {
            return null;
        }

        var taken = new int[quantity];
        var count = 0;
        var i = _lowestFree;
        for (; count < quantity; i++)
        {
            if (_seats[i] == Free)
            {
                _seats[i] = Held;
                taken[count++] = i;
            }
        }

        FreeCount -= quantity;
        HeldCount += quantity;
        _lowestFree = NextFree(i);
        return taken;
    }

    /// <summary>Puts held seats back in the pool (release or expiry).</summary>
    public void ReturnToPool(IReadOnlyList<int> seats)
    {
        ArgumentNullException.ThrowIfNull(seats);
        foreach (var seat in seats)
        {
            if (_seats[seat] != Held)
            {
                // A hold only ever owns held seats; anything else is a bug, and freeing it would sell a seat twice.
                throw new InvalidOperationException($"Seat {Label(seat)} of zone {ZoneId} is not held.");
            }

            _seats[seat] = Free;
            HeldCount--;
            FreeCount++;
            _lowestFree = Math.Min(_lowestFree, seat);
        }
    }

    /// <summary>
    /// Sells held seats. Returns the number of oversell anomalies found while doing so: a seat that was already sold,
    /// or more seats sold than the zone has. Both must never happen; the caller counts them.
    /// </summary>
    public int Sell(IReadOnlyList<int> seats)
    {
        ArgumentNullException.ThrowIfNull(seats);
        var anomalies = 0;
        foreach (var seat in seats)
        {
            switch (_seats[seat])
            {
                case Sold:
                    anomalies++;
                    continue;
                case Held:
                    HeldCount--;
                    break;
                case Free:
                    FreeCount--;
                    break;
                default:
                    WithdrawnCount--;
                    break;
            }

            _seats[seat] = Sold;
            SoldCount++;
        }

        if (SoldCount > Capacity)
        {
            anomalies++;
        }

        _lowestFree = NextFree(_lowestFree);
        return anomalies;
    }

    /// <summary>Tracks a new hold so that it expires lazily.</summary>
    public void TrackExpiry(Hold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        _expiries.Enqueue(hold, hold.ExpiresAt);
    }

    /// <summary>Returns the seats of every live hold with expiresAt ≤ now to the pool and reports each such hold.</summary>
    public void ExpireDue(DateTimeOffset now, Action<Hold> onExpired)
    {
        while (_expiries.TryPeek(out var hold, out var expiresAt) && expiresAt <= now)
        {
            _expiries.Dequeue();
            if (hold.State == HoldState.Live)
            {
                ReturnToPool(hold.SeatIndexes);
                hold.State = HoldState.Expired;
                onExpired(hold);
            }
        }
    }

    /// <summary>
    /// Withdraws free seats (house kills, the highest seat indexes first so that best-available stays best) or puts
    /// withdrawn seats back (lowest first) until exactly <paramref name="available"/> are free. Held and sold seats are
    /// never touched, so false when that is impossible.
    /// </summary>
    public bool TrySetAvailable(int available)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        if (available < FreeCount)
        {
            var toWithdraw = FreeCount - available;
            for (var i = _seats.Length - 1; toWithdraw > 0; i--)
            {
                if (_seats[i] == Free)
                {
                    _seats[i] = Withdrawn;
                    toWithdraw--;
                    FreeCount--;
                    WithdrawnCount++;
                }
            }

            _lowestFree = NextFree(_lowestFree);
            return true;
        }

        var toRestore = available - FreeCount;
        if (toRestore > WithdrawnCount)
        {
            return false;
        }

        for (var i = 0; toRestore > 0; i++)
        {
            if (_seats[i] == Withdrawn)
            {
                _seats[i] = Free;
                toRestore--;
                WithdrawnCount--;
                FreeCount++;
                _lowestFree = Math.Min(_lowestFree, i);
            }
        }

        return true;
    }

    private int NextFree(int from)
    {
        var i = from;
        while (i < _seats.Length && _seats[i] != Free)
        {
            i++;
        }

        return i;
    }
}
