namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// What admission paces itself by: the purchases per second the backend budget can complete now (this room's share),
/// whether purchase calls already wait for it (a quarter of a second of its calls or more), the parked purchases not
/// yet served, and whether the backend is in trouble (breaker open, most calls failing).
/// </summary>
internal readonly record struct AdmissionPace(double PurchasesPerSecond, bool Queued = false, int Backlog = 0, bool Trouble = false);

/// <summary>What a buyer is told about their place.</summary>
internal readonly record struct EntryView(
    UInt128 EntryId,
    EntryState State,
    int? Position,
    bool SoldOut,
    DateTimeOffset OpensAt,
    DateTimeOffset? AccessExpiresAt,
    double? AdmissionsPerSecond);

/// <summary>
/// One performance's waiting room, all in memory under one lock (the store keeps it durable). Before opening, joiners
/// sit in the lobby; at opening they are shuffled into random order ahead of everyone later; afterwards first come,
/// first served. Order keys are contiguous, admission takes them strictly in order, so a position is
/// <c>orderKey − head + 1</c>: O(1), and it only ever goes down. Admission follows the backend budget: buyers are let
/// in at the rate their purchases can complete (<see cref="AdmissionPace.PurchasesPerSecond"/>), from a small reserve
/// so that the budget is never idle while people wait, and not at all while purchases already queue for the backend;
/// the limit on active buyers is that rate times how long a turn lasts (Little's law) plus the reserve, never above
/// the configured maximum.
/// </summary>
internal sealed class Room
{
    private readonly Lock _gate = new();
    private readonly WaitingRoomOptions _options;
    private readonly int _threshold;
    private readonly List<Slot> _entries = [];
    private readonly Dictionary<UInt128, int> _index = [];
    private readonly List<int> _lobby = [];
    private readonly List<int> _order = [];
    private readonly Queue<int> _admitted = new();
    private readonly Dictionary<string, ClientShare> _clientShares = new(StringComparer.Ordinal);
    private int _head;
    private int _active;
    private long _arrivals;
    private double _limit;
    private double _rate;
    private double _credit;
    private double _turnSeconds = InitialTurnSeconds;
    private int _lastBacklog;
    private DateTimeOffset _lastTick;
    private DateTimeOffset _lastAdjust;

    public Room(int performanceId, DateTimeOffset opensAt, WaitingRoomOptions options)
    {
        PerformanceId = performanceId;
        OpensAt = opensAt;
        _options = options;
        _threshold = options.EffectiveActivationThreshold;
        _limit = Math.Clamp(_threshold, 1, options.MaxActiveBuyers);
    }

    public int PerformanceId { get; }

    public DateTimeOffset OpensAt { get; private set; }

    public bool Opened { get; private set; }

    /// <summary>Newcomers queue: demand is above the activation threshold, or people are waiting.</summary>
    public bool IsActive { get; private set; }

    /// <summary>As far as we know, nothing is left to buy: waiting buyers are told so and nobody is admitted.</summary>
    public bool SoldOut { get; private set; }

    public int ActiveBuyers
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    public (int Waiting, int Lobby, int Active, int Limit, double Rate) Figures
    {
        get
        {
            lock (_gate)
            {
                return (_order.Count - _head, _lobby.Count, _active, (int)_limit, _rate);
            }
        }
    }

    /// <summary>Rebuilds the room from the store, in stored order.</summary>
    public void Restore(StoredRoom room, IEnumerable<StoredEntry> entries, DateTimeOffset now)
    {
        lock (_gate)
        {
            OpensAt = room.OpensAt;
            Opened = room.Opened;
            foreach (var stored in entries.OrderBy(e => e.OrderKey ?? int.MaxValue).ThenBy(e => e.Arrival))
            {
                var index = Add(new Slot
                {
                    Id = stored.EntryId,
                    Arrival = stored.Arrival,
                    OrderKey = stored.OrderKey ?? -1,
                    State = stored.State,
                    AccessExpiresAtMs = stored.AccessExpiresAt?.ToUnixTimeMilliseconds() ?? 0,
                    SeatsSpent = (byte)Math.Clamp(stored.SeatsSpent, 0, byte.MaxValue),
                    LastSeenMs = now.ToUnixTimeMilliseconds(), // Everyone is given the benefit of the doubt after a restart.
                });
                _arrivals = Math.Max(_arrivals, stored.Arrival);
                if (stored.OrderKey is { } key)
                {
                    if (key != _order.Count)
                    {
                        throw new InvalidOperationException($"Room {PerformanceId}: order keys are not contiguous at {key}.");
                    }

                    _order.Add(index);
                }
                else if (stored.State == EntryState.Lobby)
                {
                    _lobby.Add(index);
                }
            }

            while (_head < _order.Count && _entries[_order[_head]].State != EntryState.Waiting)
            {
                _head++;
            }

            foreach (var index in _order.Where(i => _entries[i].State == EntryState.Admitted).OrderBy(i => _entries[i].AccessExpiresAtMs))
            {
                _admitted.Enqueue(index);
                _active++;
            }

            IsActive = _head < _order.Count || _active >= _threshold;
        }
    }

    /// <summary>A new place, or the caller's own when <paramref name="existing"/> is theirs.</summary>
    public (EntryView View, StoredEntry? Created) Join(UInt128? existing, UInt128 newId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (existing is { } id && _index.TryGetValue(id, out var known))
            {
                _entries[known] = _entries[known] with { LastSeenMs = now.ToUnixTimeMilliseconds() };
                return (View(known), null);
            }

            var slot = new Slot { Id = newId, Arrival = ++_arrivals, OrderKey = -1, LastSeenMs = now.ToUnixTimeMilliseconds() };
            int index;
            if (!Opened)
            {
                index = Add(slot with { State = EntryState.Lobby });
                _lobby.Add(index);
            }
            else if (IsQuiet)
            {
                index = AdmitAtOnce(slot, now); // Demand is low: straight in.
            }
            else
            {
                index = Add(slot with { State = EntryState.Waiting, OrderKey = _order.Count });
                _order.Add(index);
                IsActive = true;
            }

            return (View(index), Store(index));
        }
    }

    /// <summary>
    /// A client who holds or buys without having queued, while the room is not in use: the same fair share of seats
    /// applies to it, per client (an address, or an IPv6 /64), for an access window, and while it lasts the client counts
    /// towards switching the room on, as an admitted buyer does. A client with no share yet gets one only while the room
    /// is quiet; otherwise it must queue (<see cref="SpendOutcome.NotAdmitted"/>).
    /// </summary>
    public SpendResult SpendAsClient(string clientKey, int seats, int budget, DateTimeOffset now)
    {
        lock (_gate)
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            if (!_clientShares.TryGetValue(clientKey, out var share) || share.ExpiresAtMs <= nowMs)
            {
                _clientShares.Remove(clientKey);
                if (!Opened || !IsQuiet)
                {
                    return new SpendResult(SpendOutcome.NotAdmitted, 0, null);
                }

                share = new ClientShare((now + _options.AccessWindow).ToUnixTimeMilliseconds(), 0);
                _clientShares[clientKey] = share;
                IsActive = _active + _clientShares.Count >= _threshold;
            }

            var left = Math.Max(0, budget - share.Spent);
            if (seats > left)
            {
                return new SpendResult(SpendOutcome.OverBudget, left, null);
            }

            _clientShares[clientKey] = share with { Spent = share.Spent + seats };
            return new SpendResult(SpendOutcome.Spent, left - seats, null);
        }
    }

    /// <summary>Gives seats back to a client's share: the hold or purchase they were taken for did not happen.</summary>
    public void RefundClient(string clientKey, int seats)
    {
        lock (_gate)
        {
            if (_clientShares.TryGetValue(clientKey, out var share))
            {
                _clientShares[clientKey] = share with { Spent = Math.Max(0, share.Spent - seats) };
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="seats"/> from an admitted buyer's fair share of <paramref name="budget"/> seats, atomically:
    /// however many requests one access token sends at once, together they never take more.
    /// </summary>
    public SpendResult Spend(UInt128 id, int seats, int budget, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(id, out var index))
            {
                return new SpendResult(SpendOutcome.NotAdmitted, 0, null);
            }

            // The share first: a buyer whose turn ended with their share spent is told that, not that their token lapsed.
            var slot = _entries[index];
            var left = Math.Max(0, budget - slot.SeatsSpent);
            if (seats > left)
            {
                return new SpendResult(SpendOutcome.OverBudget, left, null);
            }

            if (slot.State != EntryState.Admitted || slot.AccessExpiresAtMs <= now.ToUnixTimeMilliseconds())
            {
                return new SpendResult(SpendOutcome.NotAdmitted, 0, null);
            }

            _entries[index] = slot with { SeatsSpent = (byte)(slot.SeatsSpent + seats) };
            return new SpendResult(SpendOutcome.Spent, left - seats, Store(index));
        }
    }

    /// <summary>Gives seats back to a buyer's share: the hold or purchase they were taken for did not happen.</summary>
    public StoredEntry? Refund(UInt128 id, int seats)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(id, out var index))
            {
                return null;
            }

            var slot = _entries[index];
            _entries[index] = slot with { SeatsSpent = (byte)Math.Max(0, slot.SeatsSpent - seats) };
            return Store(index);
        }
    }

    /// <summary>The buyer's place, or null when the id is not in this room.</summary>
    public EntryView? Find(UInt128 id, DateTimeOffset now) => Poll(id, now, TimeSpan.Zero, 0, out _);

    /// <summary>
    /// A buyer asking where they stand: they are seen (so they keep their turn) whether or not the poll is within their
    /// budget, which is kept per place, never per address (a campus behind one address polls as many buyers). The
    /// budget is a generic cell rate: one poll per <paramref name="interval"/> on average, <paramref name="burst"/> more
    /// at once; <paramref name="throttled"/> says how long until the next poll would be within it.
    /// </summary>
    public EntryView? Poll(UInt128 id, DateTimeOffset now, TimeSpan interval, int burst, out TimeSpan? throttled)
    {
        throttled = null;
        lock (_gate)
        {
            if (!_index.TryGetValue(id, out var index))
            {
                return null;
            }

            var nowMs = now.ToUnixTimeMilliseconds();
            var slot = _entries[index] with { LastSeenMs = nowMs };
            if (interval > TimeSpan.Zero)
            {
                var step = (long)interval.TotalMilliseconds;
                var due = Math.Max(slot.PollDueMs, nowMs);
                if (due - nowMs > step * burst)
                {
                    throttled = TimeSpan.FromMilliseconds(due - nowMs - (step * burst));
                }
                else
                {
                    slot = slot with { PollDueMs = due + step };
                }
            }

            _entries[index] = slot;
            return View(index);
        }
    }

    /// <summary>Ends an admitted buyer's turn early (purchase made, seats released); the place goes to the next buyer.</summary>
    public StoredEntry? Release(UInt128 id, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(id, out var index) || _entries[index].State != EntryState.Admitted)
            {
                return null;
            }

            // How long turns last, for the limit (Little's law).
            var turn = (now - (DateTimeOffset.FromUnixTimeMilliseconds(_entries[index].AccessExpiresAtMs) - _options.AccessWindow)).TotalSeconds;
            _turnSeconds += 0.05 * (Math.Clamp(turn, 0.5, _options.AccessWindow.TotalSeconds) - _turnSeconds);
            _entries[index] = _entries[index] with { State = EntryState.Done };
            _active--;
            return Store(index);
        }
    }

    /// <summary>
    /// One admission round: open the lobby when it is time, end access windows that ran out, adjust the limit to the
    /// backend's pace, admit the next buyers in order as the pace allows. Returns what changed, for the store.
    /// </summary>
    public TickResult Tick(DateTimeOffset now, bool soldOut, AdmissionPace pace, IShuffleRandom? random = null)
    {
        lock (_gate)
        {
            var changed = new List<StoredEntry>();
            var nowMs = now.ToUnixTimeMilliseconds();
            var placed = 0;
            var opened = false;
            if (!Opened && now >= OpensAt)
            {
                placed = _lobby.Count;
                Open(random ?? new CryptoShuffleRandom(), changed);
                opened = true;
            }

            while (_admitted.Count > 0)
            {
                var index = _admitted.Peek();
                var slot = _entries[index];
                if (slot.State == EntryState.Admitted && slot.AccessExpiresAtMs > nowMs)
                {
                    break;
                }

                _admitted.Dequeue();
                if (slot.State == EntryState.Admitted)
                {
                    _entries[index] = slot with { State = EntryState.Expired };
                    _turnSeconds += 0.05 * (_options.AccessWindow.TotalSeconds - _turnSeconds);
                    _active--;
                    changed.Add(Store(index));
                }
            }

            var previousLimit = (int)_limit;
            SoldOut = soldOut;
            if (now - _lastAdjust >= _options.AdjustInterval)
            {
                Adjust(pace);
                _lastAdjust = now;
            }

            var reserve = Reserve(pace);
            if (opened)
            {
                _credit = reserve; // The first buyers at once, so that the budget has work from the first second.
            }
            else if (_lastTick != default && now > _lastTick)
            {
                // Faster than the pace while nothing waits for the backend, so that it never idles for want of buyers.
                _credit = Math.Min(reserve, _credit + (pace.PurchasesPerSecond * (now - _lastTick).TotalSeconds * (pace.Queued ? 1 : 1.5)));
            }

            var admitted = 0;
            while (Opened && !SoldOut && !pace.Trouble && !pace.Queued && _credit >= 1 && _active < (int)_limit && _head < _order.Count)
            {
                var index = _order[_head++];
                var slot = _entries[index];
                if (nowMs - slot.LastSeenMs > (long)_options.AbandonAfter.TotalMilliseconds)
                {
                    _entries[index] = slot with { State = EntryState.Abandoned };
                }
                else
                {
                    _entries[index] = slot with { State = EntryState.Admitted, AccessExpiresAtMs = (now + _options.AccessWindow).ToUnixTimeMilliseconds() };
                    _admitted.Enqueue(index);
                    _active++;
                    admitted++;
                    _credit--;
                }

                changed.Add(Store(index));
            }

            // The measured admission rate (per second), smoothed over about five seconds.
            if (_lastTick != default && now > _lastTick)
            {
                var seconds = (now - _lastTick).TotalSeconds;
                var weight = 1 - Math.Exp(-seconds / 5);
                _rate += weight * ((admitted / seconds) - _rate);
            }

            _lastTick = now;
            foreach (var (client, share) in _clientShares)
            {
                if (share.ExpiresAtMs <= nowMs)
                {
                    _clientShares.Remove(client);
                }
            }

            if (IsActive && _head == _order.Count && _active + _clientShares.Count < _threshold)
            {
                IsActive = false;
            }

            return new TickResult(changed, opened, placed, admitted, previousLimit, (int)_limit);
        }
    }

    private const double InitialTurnSeconds = 3;
    private const double ReserveSeconds = 1;

    // A second of purchases, at least two buyers: those admitted are still on their way to buying.
    private static double Reserve(AdmissionPace pace) => Math.Max(2, pace.PurchasesPerSecond * ReserveSeconds);

    private void Adjust(AdmissionPace pace)
    {
        // Parked purchases that are not going down mean buyers are let in faster than the backend serves them.
        var backlogGrowing = pace.Backlog > 0 && pace.Backlog >= _lastBacklog;
        _lastBacklog = pace.Backlog;
        var target = SoldOut || pace.Trouble || backlogGrowing
            ? Math.Min(_limit, _active)
            : (pace.PurchasesPerSecond * _turnSeconds) + Reserve(pace);
        _limit = Math.Clamp(target, 1, _options.MaxActiveBuyers);
    }

    private void Open(IShuffleRandom random, List<StoredEntry> changed)
    {
        LobbyShuffle.Shuffle(_lobby, random);
        foreach (var index in _lobby)
        {
            _entries[index] = _entries[index] with { State = EntryState.Waiting, OrderKey = _order.Count };
            _order.Add(index);
            changed.Add(Store(index));
        }

        _lobby.Clear();
        Opened = true;
        IsActive = _head < _order.Count;
    }

    /// <summary>Nobody waits and demand is below the threshold: newcomers are let in at once.</summary>
    private bool IsQuiet => !IsActive && _head == _order.Count && _active + _clientShares.Count < _threshold && !SoldOut;

    private int AdmitAtOnce(Slot slot, DateTimeOffset now)
    {
        var index = Add(slot with { State = EntryState.Admitted, OrderKey = _order.Count, AccessExpiresAtMs = (now + _options.AccessWindow).ToUnixTimeMilliseconds() });
        _order.Add(index);
        _head = _order.Count;
        _admitted.Enqueue(index);
        _active++;
        IsActive = _active + _clientShares.Count >= _threshold;
        return index;
    }

    private int Add(Slot slot)
    {
        _entries.Add(slot);
        _index[slot.Id] = _entries.Count - 1;
        return _entries.Count - 1;
    }

    private EntryView View(int index)
    {
        var slot = _entries[index];
        int? position = slot.State == EntryState.Waiting ? slot.OrderKey - _head + 1 : null;
        return new EntryView(
            slot.Id,
            slot.State,
            position,
            SoldOut,
            OpensAt,
            slot.State is EntryState.Admitted or EntryState.Expired or EntryState.Done ? DateTimeOffset.FromUnixTimeMilliseconds(slot.AccessExpiresAtMs) : null,
            _rate > 0.01 ? _rate : null);
    }

    private StoredEntry Store(int index)
    {
        var slot = _entries[index];
        return new StoredEntry(
            PerformanceId,
            slot.Id,
            slot.Arrival,
            slot.OrderKey >= 0 ? slot.OrderKey : null,
            slot.State,
            slot.AccessExpiresAtMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(slot.AccessExpiresAtMs),
            slot.SeatsSpent);
    }

    /// <summary>One place in memory: 56 bytes, plus its index entry. Times are Unix milliseconds.</summary>
    private readonly record struct Slot
    {
        public UInt128 Id { get; init; }

        public long Arrival { get; init; }

        public long AccessExpiresAtMs { get; init; }

        public long LastSeenMs { get; init; }

        /// <summary>The poll budget's theoretical arrival time (GCRA): polls may run this far ahead of now, up to the burst.</summary>
        public long PollDueMs { get; init; }

        public int OrderKey { get; init; }

        public EntryState State { get; init; }

        /// <summary>Seats this buyer's holds and purchases have taken of their fair share.</summary>
        public byte SeatsSpent { get; init; }
    }
}

/// <summary>A client's fair share while it buys without a place in line: until when, and the seats taken.</summary>
internal readonly record struct ClientShare(long ExpiresAtMs, int Spent);

/// <summary>What <see cref="Room.Spend"/> did.</summary>
internal enum SpendOutcome
{
    Spent,
    OverBudget,
    NotAdmitted,
}

/// <summary>The outcome, the seats left of the buyer's share, and the changed place to write.</summary>
internal readonly record struct SpendResult(SpendOutcome Outcome, int Left, StoredEntry? Changed);

/// <summary>What an admission round did.</summary>
internal sealed record TickResult(IReadOnlyList<StoredEntry> Changed, bool Opened, int Placed, int Admitted, int PreviousLimit, int Limit);
