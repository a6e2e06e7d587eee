using System.Security.Cryptography;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// What admission paces itself by: the purchases per second the backend budget can complete now (this room's share),
/// whether purchase calls already wait for it (a quarter of a second of its calls or more), the parked purchases not
/// yet served, whether the backend is in trouble (breaker open, most calls failing), and whether support paused this
/// room's admission (<see cref="AdmissionPauses"/>: nobody is let in, the limit is kept as it would be).
/// </summary>
internal readonly record struct AdmissionPace(double PurchasesPerSecond, bool Queued = false, int Backlog = 0, bool Trouble = false, bool Paused = false);

/// <summary>What a buyer is told about their place.</summary>
internal readonly record struct EntryView(
    UInt128 EntryId,
    EntryState State,
    int? Position,
    bool SoldOut,
    DateTimeOffset OpensAt,
    DateTimeOffset? AccessExpiresAt,
    double? AdmissionsPerSecond,
    Odds? Odds = null);

/// <summary>
/// What a waiting buyer's chances look like, from what the gateway knows: the seats last known left (after those
/// promised to purchases in flight), the people ahead (active buyers and the line before this place), and the seats
/// those people are likely to take at the mean a buyer of this room has taken so far.
/// </summary>
internal readonly record struct Odds(int SeatsLeft, int PeopleAhead, double SeatsPerBuyer)
{
    public int SeatsLikelyTakenAhead => (int)Math.Round(PeopleAhead * SeatsPerBuyer);

    /// <summary>The people ahead are likely to take every seat left before this buyer's turn.</summary>
    public bool LikelySoldOut => SeatsLikelyTakenAhead >= SeatsLeft;
}

/// <summary>
/// One performance's waiting room, all in memory under one lock (the store keeps it durable). Before opening, joiners
/// sit in the lobby; at opening they are shuffled into random order ahead of everyone later; afterwards first come,
/// first served. Order keys are contiguous, admission takes them strictly in order, so a position is
/// <c>orderKey − head + 1</c>: O(1), and it only ever goes down. Admission follows the backend budget: buyers are let
/// in at the rate their purchases can complete (<see cref="AdmissionPace.PurchasesPerSecond"/>), from a small reserve
/// so that the budget is never idle while people wait, and not at all while purchases already queue for the backend;
/// the limit on active buyers is that rate times how long a turn lasts (Little's law) plus the reserve, never above
/// the configured maximum.
/// <para>
/// A place costs 32 bytes (<see cref="Slot"/>) and 4 of the lobby or the line, in chunked arrays. The room mints each
/// place's id: 96 random bits and, in the low 32, the place's index, so that finding a place is an array index and a
/// comparison of the random bits, with no map; the index is the arrival order less one, so a restart puts every place
/// back at its index. Ids the room did not mint (an older version's fully random ones, a venue identity's) are kept in
/// a map beside it, empty otherwise.
/// </para>
/// </summary>
internal sealed class Room : IRoom
{
    private readonly Lock _gate = new();
    private readonly WaitingRoomOptions _options;
    private readonly int _threshold;
    private readonly ChunkedList<Slot> _slots = new();
    private readonly ChunkedList<int> _order = new();
    private readonly List<int> _lobby = [];
    private readonly Queue<int> _admitted = new();
    private readonly Dictionary<string, ClientShare> _clientShares = new(StringComparer.Ordinal);
    private readonly Dictionary<UInt128, int> _named = [];
    private readonly Dictionary<int, UInt128> _namedIds = [];
    private int _head;
    private int _active;
    private double _limit;
    private double _rate;
    private double _credit;
    private double _turnSeconds = InitialTurnSeconds;
    private int _lastBacklog;
    private long _seatsTaken;
    private int _buyersWhoTook;
    private int _seatsLeft = -1;
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

    /// <summary>The seats last known left, after those promised to purchases in flight; null while not known.</summary>
    public int? SeatsLeft
    {
        get => Volatile.Read(ref _seatsLeft) is var left and >= 0 ? left : null;
        set => Volatile.Write(ref _seatsLeft, value is { } left ? Math.Max(0, left) : -1);
    }

    /// <summary>What a buyer is assumed to take before this room has seen anyone take seats.</summary>
    private const double AssumedSeatsPerBuyer = 2;

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

    /// <summary>Rebuilds the room from the store: every place at its index (its arrival less one), the line in stored order.</summary>
    public void Restore(StoredRoom room, IEnumerable<StoredEntry> entries, DateTimeOffset now)
    {
        lock (_gate)
        {
            OpensAt = room.OpensAt;
            Opened = room.Opened;
            var byArrival = entries.ToList();
            byArrival.Sort((x, y) => x.Arrival.CompareTo(y.Arrival));
            var keyed = 0;
            foreach (var stored in byArrival)
            {
                if (stored.Arrival <= _slots.Count || stored.Arrival > int.MaxValue)
                {
                    throw new InvalidOperationException($"Room {PerformanceId}: arrival {stored.Arrival} is not unique or out of range.");
                }

                while (_slots.Count < stored.Arrival - 1)
                {
                    _slots.Add(default); // A place whose write was lost: nobody's, never found.
                }

                var index = Add(new Slot
                {
                    OrderKey = stored.OrderKey ?? -1,
                    State = stored.State,
                    AccessExpiresAt = stored.AccessExpiresAt is { } expires ? Seconds(expires.ToUnixTimeMilliseconds()) : 0,
                    SeatsSpent = (byte)Math.Clamp(stored.SeatsSpent, 0, byte.MaxValue),
                    LastSeen = Seconds(now.ToUnixTimeMilliseconds()), // Everyone is given the benefit of the doubt after a restart.
                    PollDueMs = int.MinValue,
                }, stored.EntryId);
                Took(0, _slots[index].SeatsSpent);
                if (stored.OrderKey is not null)
                {
                    keyed++;
                }
                else if (stored.State == EntryState.Lobby)
                {
                    _lobby.Add(index);
                }
            }

            RestoreLine(keyed);
        }
    }

    /// <summary>
    /// A new place, or the caller's own when <paramref name="existing"/> is theirs. A new place's id is
    /// <paramref name="newId"/> when the caller names it (a venue identity's place), otherwise one the room mints.
    /// While <paramref name="paused"/> (support paused admission) a newcomer queues however quiet the room is.
    /// </summary>
    public (EntryView View, StoredEntry? Created) Join(UInt128? existing, UInt128? newId, DateTimeOffset now, bool paused = false)
    {
        Span<byte> random = stackalloc byte[12];
        if (newId is null)
        {
            RandomNumberGenerator.Fill(random);
        }

        lock (_gate)
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            if (existing is { } id && TryFind(id, out var known))
            {
                See(ref _slots[known], nowMs);
                return (View(known), null);
            }

            var slot = new Slot { OrderKey = -1, LastSeen = Seconds(nowMs), PollDueMs = int.MinValue };
            var mint = newId ?? Mint(_slots.Count, random);
            int index;
            if (!Opened)
            {
                slot.State = EntryState.Lobby;
                index = Add(slot, mint);
                _lobby.Add(index);
            }
            else if (!paused && IsQuiet)
            {
                index = AdmitAtOnce(slot, mint, now); // Demand is low: straight in.
            }
            else
            {
                slot.State = EntryState.Waiting;
                slot.OrderKey = _order.Count;
                index = Add(slot, mint);
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
    /// is quiet and its admission is not <paramref name="paused"/>; otherwise it must queue (<see cref="SpendOutcome.NotAdmitted"/>).
    /// </summary>
    public SpendResult SpendAsClient(string clientKey, int seats, int budget, DateTimeOffset now, bool paused = false)
    {
        lock (_gate)
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            if (!_clientShares.TryGetValue(clientKey, out var share) || share.ExpiresAtMs <= nowMs)
            {
                _clientShares.Remove(clientKey);
                if (!Opened || paused || !IsQuiet)
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
            if (!TryFind(id, out var index))
            {
                return new SpendResult(SpendOutcome.NotAdmitted, 0, null);
            }

            // The share first: a buyer whose turn ended with their share spent is told that, not that their token lapsed.
            ref var slot = ref _slots[index];
            var left = Math.Max(0, budget - slot.SeatsSpent);
            if (seats > left)
            {
                return new SpendResult(SpendOutcome.OverBudget, left, null);
            }

            if (slot.State != EntryState.Admitted || slot.AccessExpiresAt * 1000L <= now.ToUnixTimeMilliseconds())
            {
                return new SpendResult(SpendOutcome.NotAdmitted, 0, null);
            }

            Took(slot.SeatsSpent, seats);
            slot.SeatsSpent = (byte)(slot.SeatsSpent + seats);
            return new SpendResult(SpendOutcome.Spent, left - seats, Store(index));
        }
    }

    /// <summary>Gives seats back to a buyer's share: the hold or purchase they were taken for did not happen.</summary>
    public StoredEntry? Refund(UInt128 id, int seats)
    {
        lock (_gate)
        {
            if (!TryFind(id, out var index))
            {
                return null;
            }

            ref var slot = ref _slots[index];
            var refunded = Math.Min(slot.SeatsSpent, seats);
            Took(slot.SeatsSpent, -refunded);
            slot.SeatsSpent = (byte)(slot.SeatsSpent - refunded);
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
            if (!TryFind(id, out var index))
            {
                return null;
            }

            var nowMs = now.ToUnixTimeMilliseconds();
            ref var slot = ref _slots[index];
            See(ref slot, nowMs);
            if (interval > TimeSpan.Zero)
            {
                // At least a millisecond: a budget finer than the clock would have no tolerance at all, and two polls
                // whose times were read in one order and served in the other would be throttled.
                var step = Math.Max(1, (long)interval.TotalMilliseconds);
                var due = Math.Max(PollDue(slot), nowMs);
                if (due - nowMs > step * burst)
                {
                    throttled = TimeSpan.FromMilliseconds(due - nowMs - (step * burst));
                }
                else
                {
                    SetPollDue(ref slot, due + step);
                }
            }

            return View(index);
        }
    }

    /// <summary>Ends an admitted buyer's turn early (purchase made, seats released); the place goes to the next buyer.</summary>
    public StoredEntry? Release(UInt128 id, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!TryFind(id, out var index) || _slots[index].State != EntryState.Admitted)
            {
                return null;
            }

            // How long turns last, for the limit (Little's law).
            ref var slot = ref _slots[index];
            var turn = (now - (DateTimeOffset.FromUnixTimeSeconds(slot.AccessExpiresAt) - _options.AccessWindow)).TotalSeconds;
            _turnSeconds += 0.05 * (Math.Clamp(turn, 0.5, _options.AccessWindow.TotalSeconds) - _turnSeconds);
            slot.State = EntryState.Done;
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
                ref var slot = ref _slots[index];
                if (slot.State == EntryState.Admitted && slot.AccessExpiresAt * 1000L > nowMs)
                {
                    break;
                }

                _admitted.Dequeue();
                if (slot.State == EntryState.Admitted)
                {
                    slot.State = EntryState.Expired;
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
            while (Opened && !SoldOut && !pace.Trouble && !pace.Queued && !pace.Paused && _credit >= 1 && _active < (int)_limit && _head < _order.Count)
            {
                var index = _order[_head++];
                ref var slot = ref _slots[index];
                if (nowMs - (slot.LastSeen * 1000L) > (long)_options.AbandonAfter.TotalMilliseconds)
                {
                    slot.State = EntryState.Abandoned;
                }
                else
                {
                    slot.State = EntryState.Admitted;
                    slot.AccessExpiresAt = Seconds((now + _options.AccessWindow).ToUnixTimeMilliseconds());
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

    ValueTask<(EntryView View, StoredEntry? Created)> IRoom.JoinAsync(UInt128? existing, UInt128? newId, DateTimeOffset now, bool paused) =>
        ValueTask.FromResult(Join(existing, newId, now, paused));

    ValueTask<(EntryView? View, TimeSpan? Throttled)> IRoom.PollAsync(UInt128 id, DateTimeOffset now, TimeSpan interval, int burst)
    {
        var view = Poll(id, now, interval, burst, out var throttled);
        return ValueTask.FromResult((view, throttled));
    }

    ValueTask<SpendResult> IRoom.SpendAsync(UInt128 id, int seats, int budget, DateTimeOffset now) => ValueTask.FromResult(Spend(id, seats, budget, now));

    ValueTask<StoredEntry?> IRoom.RefundAsync(UInt128 id, int seats) => ValueTask.FromResult(Refund(id, seats));

    ValueTask<SpendResult> IRoom.SpendAsClientAsync(string clientKey, int seats, int budget, DateTimeOffset now, bool paused) =>
        ValueTask.FromResult(SpendAsClient(clientKey, seats, budget, now, paused));

    ValueTask IRoom.RefundClientAsync(string clientKey, int seats)
    {
        RefundClient(clientKey, seats);
        return ValueTask.CompletedTask;
    }

    ValueTask<StoredEntry?> IRoom.ReleaseAsync(UInt128 id, DateTimeOffset now) => ValueTask.FromResult(Release(id, now));

    ValueTask<TickResult> IRoom.TickAsync(DateTimeOffset now, bool soldOut, AdmissionPace pace, IShuffleRandom? random) =>
        ValueTask.FromResult(Tick(now, soldOut, pace, random));

    /// <summary>
    /// The id the room mints for the place at <paramref name="index"/>: <paramref name="random"/>'s 96 bits above the
    /// index. Any id whose low 32 bits are its place's index is found without the map.
    /// </summary>
    internal static UInt128 Mint(int index, ReadOnlySpan<byte> random) =>
        new(BitConverter.ToUInt64(random), ((ulong)BitConverter.ToUInt32(random[8..]) << 32) | (uint)index);

    private const double InitialTurnSeconds = 3;
    private const double ReserveSeconds = 1;

    // A second of purchases, at least two buyers: those admitted are still on their way to buying.
    private static double Reserve(AdmissionPace pace) => Math.Max(2, pace.PurchasesPerSecond * ReserveSeconds);

    /// <summary>Unix milliseconds as the slot's Unix seconds, rounded up (never earlier than the time itself), from 1970 to 2106.</summary>
    private static uint Seconds(long unixMs) => (uint)Math.Clamp((unixMs + 999) / 1000, 0, uint.MaxValue);

    /// <summary>The poll budget's theoretical arrival time, in Unix milliseconds.</summary>
    private static long PollDue(in Slot slot) => (slot.LastSeen * 1000L) + slot.PollDueMs;

    private static void SetPollDue(ref Slot slot, long dueMs) =>
        slot.PollDueMs = (int)Math.Clamp(dueMs - (slot.LastSeen * 1000L), int.MinValue, int.MaxValue);

    /// <summary>The buyer was seen now; the poll budget's due time stays where it was (it is kept relative to this).</summary>
    private static void See(ref Slot slot, long nowMs)
    {
        var due = PollDue(slot);
        slot.LastSeen = Seconds(nowMs);
        SetPollDue(ref slot, due);
    }

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
            ref var slot = ref _slots[index];
            slot.State = EntryState.Waiting;
            slot.OrderKey = _order.Count;
            _order.Add(index);
            changed.Add(Store(index));
        }

        _lobby.Clear();
        _lobby.TrimExcess();
        Opened = true;
        IsActive = _head < _order.Count;
    }

    /// <summary>Nobody waits and demand is below the threshold: newcomers are let in at once.</summary>
    private bool IsQuiet => !IsActive && _head == _order.Count && _active + _clientShares.Count < _threshold && !SoldOut;

    private int AdmitAtOnce(Slot slot, UInt128 id, DateTimeOffset now)
    {
        slot.State = EntryState.Admitted;
        slot.OrderKey = _order.Count;
        slot.AccessExpiresAt = Seconds((now + _options.AccessWindow).ToUnixTimeMilliseconds());
        var index = Add(slot, id);
        _order.Add(index);
        _head = _order.Count;
        _admitted.Enqueue(index);
        _active++;
        IsActive = _active + _clientShares.Count >= _threshold;
        return index;
    }

    /// <summary>
    /// The line from the restored places' order keys, which must be 0 to <paramref name="keyed"/> − 1, each once; then
    /// the head past everyone no longer waiting, and the admitted by the end of their access windows.
    /// </summary>
    private void RestoreLine(int keyed)
    {
        var line = new int[keyed];
        Array.Fill(line, -1);
        for (var index = 0; index < _slots.Count; index++)
        {
            ref var slot = ref _slots[index];
            if (slot.Kind == SlotKind.None || slot.OrderKey < 0)
            {
                continue;
            }

            if (slot.OrderKey >= keyed || line[slot.OrderKey] >= 0)
            {
                throw new InvalidOperationException($"Room {PerformanceId}: order keys are not contiguous at {slot.OrderKey}.");
            }

            line[slot.OrderKey] = index;
        }

        foreach (var index in line)
        {
            _order.Add(index);
        }

        while (_head < _order.Count && _slots[_order[_head]].State != EntryState.Waiting)
        {
            _head++;
        }

        var admitted = new List<int>();
        foreach (var index in line)
        {
            if (_slots[index].State == EntryState.Admitted)
            {
                admitted.Add(index);
            }
        }

        // Stable, as the line's order breaks ties between windows that end in the same second.
        foreach (var index in admitted.OrderBy(i => _slots[i].AccessExpiresAt))
        {
            _admitted.Enqueue(index);
            _active++;
        }

        IsActive = _head < _order.Count || _active >= _threshold;
    }

    /// <summary>Appends a place with its id: the random bits kept in the slot when the id carries the index, else the map.</summary>
    private int Add(Slot slot, UInt128 id)
    {
        var index = _slots.Count;
        slot.CheckHigh = (ulong)(id >> 64);
        slot.CheckLow = (uint)((ulong)id >> 32);
        if ((uint)(ulong)id == (uint)index)
        {
            slot.Kind = SlotKind.Minted;
        }
        else
        {
            slot.Kind = SlotKind.Named;
            _named[id] = index;
            _namedIds[index] = id;
        }

        return _slots.Add(slot);
    }

    private bool TryFind(UInt128 id, out int index)
    {
        index = (int)(uint)(ulong)id;
        if ((uint)index < (uint)_slots.Count)
        {
            ref var slot = ref _slots[index];
            if (slot.Kind == SlotKind.Minted && slot.CheckHigh == (ulong)(id >> 64) && slot.CheckLow == (uint)((ulong)id >> 32))
            {
                return true;
            }
        }

        return _named.Count > 0 && _named.TryGetValue(id, out index);
    }

    private UInt128 IdOf(int index)
    {
        ref var slot = ref _slots[index];
        return slot.Kind == SlotKind.Minted
            ? new UInt128(slot.CheckHigh, ((ulong)slot.CheckLow << 32) | (uint)index)
            : _namedIds[index];
    }

    private EntryView View(int index)
    {
        ref var slot = ref _slots[index];
        int? position = slot.State == EntryState.Waiting ? slot.OrderKey - _head + 1 : null;
        return new EntryView(
            IdOf(index),
            slot.State,
            position,
            SoldOut,
            OpensAt,
            slot.State is EntryState.Admitted or EntryState.Expired or EntryState.Done ? DateTimeOffset.FromUnixTimeSeconds(slot.AccessExpiresAt) : null,
            _rate > 0.01 ? _rate : null,
            position is { } p && SeatsLeft is { } left ? new Odds(left, _active + p - 1, MeanSeats()) : null);
    }

    /// <summary>A place's seats taken went from <paramref name="before"/> by <paramref name="change"/>.</summary>
    private void Took(int before, int change)
    {
        _seatsTaken += change;
        if (before == 0 && change > 0)
        {
            _buyersWhoTook++;
        }
        else if (before > 0 && before + change == 0)
        {
            _buyersWhoTook--;
        }
    }

    /// <summary>The seats a buyer of this room has taken on average, counting those who took any.</summary>
    private double MeanSeats() => _buyersWhoTook > 0 ? Math.Round((double)_seatsTaken / _buyersWhoTook, 2) : AssumedSeatsPerBuyer;

    private StoredEntry Store(int index)
    {
        ref var slot = ref _slots[index];
        return new StoredEntry(
            PerformanceId,
            IdOf(index),
            index + 1L,
            slot.OrderKey >= 0 ? slot.OrderKey : null,
            slot.State,
            slot.AccessExpiresAt == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(slot.AccessExpiresAt),
            slot.SeatsSpent);
    }

    /// <summary>Whose id a slot holds.</summary>
    private enum SlotKind : byte
    {
        /// <summary>Nobody's: a place whose write was lost before a restart.</summary>
        None,

        /// <summary>An id whose low 32 bits are the slot's index: its other 96 bits are in the slot.</summary>
        Minted,

        /// <summary>Any other id: found through the map.</summary>
        Named,
    }

    /// <summary>
    /// One place in memory: 32 bytes. Its arrival is its index plus one; times are Unix seconds (unsigned: until 2106),
    /// but the poll budget's, which needs milliseconds and is kept relative to the last time the buyer was seen.
    /// </summary>
    private struct Slot
    {
        /// <summary>The id's bits 64 to 127.</summary>
        public ulong CheckHigh;

        /// <summary>The id's bits 32 to 63.</summary>
        public uint CheckLow;

        public int OrderKey;

        /// <summary>When an admitted buyer's access ends; 0 before they are admitted.</summary>
        public uint AccessExpiresAt;

        public uint LastSeen;

        /// <summary>The poll budget's theoretical arrival time (GCRA), in milliseconds after <see cref="LastSeen"/>.</summary>
        public int PollDueMs;

        public EntryState State;

        /// <summary>Seats this buyer's holds and purchases have taken of their fair share.</summary>
        public byte SeatsSpent;

        public SlotKind Kind;
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
