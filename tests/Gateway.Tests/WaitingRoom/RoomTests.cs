using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.WaitingRoom;

public sealed class RoomTests
{
    private static readonly DateTimeOffset OpensAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(OpensAt.AddMinutes(-30));
    private AdmissionPace _pace = new(PurchasesPerSecond: 1_000); // A backend far faster than these rooms need.
    private ulong _ids;

    [Fact]
    public void Join_BeforeOpening_WaitsInTheLobbyWithoutAPosition()
    {
        var room = NewRoom();

        var (view, created) = room.Join(null, NextId(), _time.GetUtcNow());

        Assert.Equal(EntryState.Lobby, view.State);
        Assert.Null(view.Position);
        Assert.Equal(OpensAt, view.OpensAt);
        Assert.Null(created!.OrderKey);
    }

    [Fact]
    public void Opening_LobbyComesFirstInAPermutation_LaterJoinersQueueBehindInArrivalOrder()
    {
        var room = NewRoom(threshold: 0, max: 1);
        var lobby = Enumerable.Range(0, 100).Select(_ => room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId).ToList();
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), soldOut: true, _pace); // opens without admitting anyone, so every place shows
        var later = Enumerable.Range(0, 10).Select(_ => room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId).ToList();

        var lobbyPlaces = lobby.Select(id => Place(room, id)).ToList();
        var laterPlaces = later.Select(id => Place(room, id)).ToList();

        Assert.Equal(Enumerable.Range(0, 100), lobbyPlaces.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), lobbyPlaces);
        Assert.Equal(Enumerable.Range(100, 10), laterPlaces);
    }

    [Fact]
    public void Positions_WhileBuyersAreAdmittedAndLeave_AreUniqueAndNeverGoBackwards()
    {
        var room = NewRoom(threshold: 0, max: 5);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        var ids = Enumerable.Range(0, 60).Select(_ => room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId).ToList();
        var last = ids.ToDictionary(id => id, _ => int.MaxValue);
        var random = new Random(7);

        for (var round = 0; round < 200; round++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            room.Tick(_time.GetUtcNow(), false, _pace);
            var views = ids.Select(id => room.Find(id, _time.GetUtcNow())!.Value).ToList();
            var positions = views.Where(v => v.Position is not null).Select(v => v.Position!.Value).ToList();
            Assert.Equal(positions.Count, positions.Distinct().Count());
            foreach (var view in views.Where(v => v.Position is not null))
            {
                Assert.True(view.Position <= last[view.EntryId], $"position went from {last[view.EntryId]} back to {view.Position}");
                last[view.EntryId] = view.Position!.Value;
            }

            foreach (var admitted in views.Where(v => v.State == EntryState.Admitted && random.Next(3) == 0))
            {
                room.Release(admitted.EntryId, _time.GetUtcNow());
            }
        }

        Assert.All(ids, id => Assert.NotEqual(EntryState.Waiting, room.Find(id, _time.GetUtcNow())!.Value.State));
    }

    [Fact]
    public void Admission_HealthyBackendAndEndlessDemand_NeverExceedsTheMaximum()
    {
        var room = NewRoom(threshold: 5, max: 40);
        _time.SetUtcNow(OpensAt);
        for (var i = 0; i < 500; i++)
        {
            room.Join(null, NextId(), _time.GetUtcNow());
        }

        var peak = 0;
        for (var round = 0; round < 400; round++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            room.Tick(_time.GetUtcNow(), false, _pace);
            peak = Math.Max(peak, room.ActiveBuyers);
            Assert.True(room.ActiveBuyers <= 40, $"{room.ActiveBuyers} active buyers, above the maximum of 40");
        }

        Assert.Equal(40, peak);
    }

    [Fact]
    public void Admission_FollowsThePaceOfTheBackendBudget()
    {
        var room = NewRoom(threshold: 10, max: 500);
        _time.SetUtcNow(OpensAt);
        var ids = Enumerable.Range(0, 5_000).Select(_ => room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId).ToList();
        var admittedIds = new Queue<UInt128>();

        int AdmittedOver(double purchasesPerSecond, int seconds)
        {
            _pace = new AdmissionPace(purchasesPerSecond);
            var admitted = 0;
            for (var tick = 0; tick < seconds * 4; tick++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(250));
                admitted += room.Tick(_time.GetUtcNow(), false, _pace).Admitted;

                // Every buyer buys within a second of being let in.
                foreach (var id in ids.Where(id => room.Find(id, _time.GetUtcNow()) is { State: EntryState.Admitted }).ToList())
                {
                    admittedIds.Enqueue(id);
                }

                while (admittedIds.Count > purchasesPerSecond)
                {
                    room.Release(admittedIds.Dequeue(), _time.GetUtcNow());
                }
            }

            return admitted;
        }

        AdmittedOver(20, 5); // The reserve goes in at the opening.
        var fast = AdmittedOver(20, 20);
        var slow = AdmittedOver(4, 20);

        // Let in at the pace (up to half as fast again while nothing waits for the backend), never in bulk.
        Assert.InRange(fast, 20 * 20 * 0.9, 20 * 20 * 1.5 + 20);
        Assert.InRange(slow, 4 * 20 * 0.9, 4 * 20 * 1.5 + 4);
    }

    [Fact]
    public void Admission_PurchasesQueueForTheBackend_NobodyMoreIsLetIn()
    {
        var room = NewRoom(threshold: 10, max: 500);
        _time.SetUtcNow(OpensAt);
        for (var i = 0; i < 1_000; i++)
        {
            room.Join(null, NextId(), _time.GetUtcNow());
        }

        room.Tick(_time.GetUtcNow(), false, new AdmissionPace(20));
        var before = room.ActiveBuyers;
        var admitted = 0;
        for (var tick = 0; tick < 40; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            admitted += room.Tick(_time.GetUtcNow(), false, new AdmissionPace(20, Queued: tick % 2 == 0, Trouble: tick % 2 == 1)).Admitted;
        }

        Assert.True(before > 0);
        Assert.Equal(0, admitted);
    }

    [Fact]
    public void Admission_ParkedPurchasesPilingUp_TheLimitStopsAtTheActiveBuyers()
    {
        var room = NewRoom(threshold: 20, max: 500);
        _time.SetUtcNow(OpensAt);
        for (var i = 0; i < 1000; i++)
        {
            room.Join(null, NextId(), _time.GetUtcNow());
        }

        int LimitAfter(int backlog, int seconds)
        {
            for (var tick = 0; tick < seconds * 4; tick++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(250));
                room.Tick(_time.GetUtcNow(), false, new AdmissionPace(10, Backlog: backlog));
            }

            return room.Figures.Limit;
        }

        var start = LimitAfter(backlog: 0, seconds: 1);
        var piling = LimitAfter(backlog: 40, seconds: 3);
        var active = room.ActiveBuyers;
        var served = LimitAfter(backlog: 0, seconds: 2);

        Assert.Equal(10 * 3 + 10, start); // Little's law: 10 purchases a second × a 3 s turn, plus 1 s of reserve.
        Assert.True(active < start);
        Assert.Equal(active, piling);
        Assert.Equal(start, served);
    }

    [Fact]
    public void Admission_SoldOut_TheLimitDoesNotGrow()
    {
        var room = NewRoom(threshold: 5, max: 100);
        _time.SetUtcNow(OpensAt);
        for (var i = 0; i < 200; i++)
        {
            room.Join(null, NextId(), _time.GetUtcNow());
        }

        room.Tick(_time.GetUtcNow(), soldOut: false, new AdmissionPace(2)); // the reserve in, holding their places
        var active = room.ActiveBuyers;
        for (var tick = 0; tick < 40; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            room.Tick(_time.GetUtcNow(), soldOut: true, new AdmissionPace(2));
        }

        Assert.Equal(2, active);
        Assert.Equal(active, room.ActiveBuyers);
        Assert.Equal(active, room.Figures.Limit);
    }

    [Fact]
    public void Join_DemandBelowTheThreshold_AdmitsAtOnce_AboveItQueues()
    {
        var room = NewRoom(threshold: 3, max: 10);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);

        var states = Enumerable.Range(0, 5).Select(_ => room.Join(null, NextId(), _time.GetUtcNow()).View.State).ToList();

        Assert.Equal([EntryState.Admitted, EntryState.Admitted, EntryState.Admitted, EntryState.Waiting, EntryState.Waiting], states);
        Assert.True(room.IsActive);
    }

    [Fact]
    public void Paused_NewcomersQueueBelowTheThreshold_RoundsAdmitNobody_ResumedTheyGoInInOrder()
    {
        var room = NewRoom(threshold: 10, max: 10);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        var before = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;

        var paused = Enumerable.Range(0, 3).Select(_ => room.Join(null, NextId(), _time.GetUtcNow(), paused: true).View).ToList();
        var refused = room.SpendAsClient("203.0.113.9", 1, 10, _time.GetUtcNow(), paused: true);
        var admittedWhilePaused = 0;
        for (var tick = 0; tick < 20; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            admittedWhilePaused += room.Tick(_time.GetUtcNow(), false, _pace with { Paused = true }).Admitted;
        }

        var stillIn = room.Find(before, _time.GetUtcNow())!.Value.State;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var resumed = room.Tick(_time.GetUtcNow(), false, _pace).Admitted;

        Assert.All(paused, v => Assert.Equal(EntryState.Waiting, v.State));
        Assert.Equal([1, 2, 3], paused.Select(v => v.Position!.Value));
        Assert.Equal(SpendOutcome.NotAdmitted, refused.Outcome);
        Assert.Equal(0, admittedWhilePaused);
        Assert.Equal(EntryState.Admitted, stillIn);
        Assert.Equal(3, resumed);
        Assert.Equal(EntryState.Admitted, room.Find(paused[2].EntryId, _time.GetUtcNow())!.Value.State);
    }

    [Fact]
    public void AccessWindow_Ends_ThePlaceGoesToTheNextBuyer()
    {
        var room = NewRoom(threshold: 1, max: 1);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        var first = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        var second = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;

        _time.Advance(TimeSpan.FromMinutes(10));
        room.Find(second, _time.GetUtcNow());
        room.Tick(_time.GetUtcNow(), false, _pace);

        Assert.Equal(EntryState.Expired, room.Find(first, _time.GetUtcNow())!.Value.State);
        Assert.Equal(EntryState.Admitted, room.Find(second, _time.GetUtcNow())!.Value.State);
    }

    [Fact]
    public void Admission_BuyerAwayWhenTheirTurnComes_IsPassedOver()
    {
        var room = NewRoom(threshold: 0, max: 1);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        var away = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        var present = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        _time.Advance(TimeSpan.FromMinutes(4));
        room.Find(present, _time.GetUtcNow());

        room.Tick(_time.GetUtcNow(), false, _pace);

        Assert.Equal(EntryState.Abandoned, room.Find(away, _time.GetUtcNow())!.Value.State);
        Assert.Equal(EntryState.Admitted, room.Find(present, _time.GetUtcNow())!.Value.State);
    }

    [Fact]
    public void Poll_OverItsBudget_IsThrottledYetCountsAsSeen()
    {
        var room = NewRoom(threshold: 0, max: 1);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        var first = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        room.Tick(_time.GetUtcNow(), false, _pace);
        var eager = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        var quiet = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        var interval = TimeSpan.FromSeconds(30);

        Assert.Null(Throttled(room, eager, interval));
        var throttled = new List<TimeSpan?>();
        for (var i = 0; i < 60; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(4)); // four minutes of polls every 4 s, over a budget of one per 30 s
            throttled.Add(Throttled(room, eager, interval));
        }

        room.Release(first, _time.GetUtcNow());
        room.Tick(_time.GetUtcNow(), false, _pace);
        room.Release(eager, _time.GetUtcNow());
        room.Tick(_time.GetUtcNow(), false, _pace);

        Assert.Contains(throttled, t => t is not null);
        Assert.All(throttled.Where(t => t is not null), t => Assert.InRange(t!.Value, TimeSpan.FromMilliseconds(1), interval));
        Assert.Equal(EntryState.Done, room.Find(eager, _time.GetUtcNow())!.Value.State); // admitted at its turn, then released
        Assert.Equal(EntryState.Abandoned, room.Find(quiet, _time.GetUtcNow())!.Value.State);
    }

    [Fact]
    public void Poll_BudgetFinerThanAMillisecond_TwoPollsServedOutOfOrderAreNotThrottled()
    {
        var room = NewRoom();
        var id = room.Join(null, null, _time.GetUtcNow()).View.EntryId;
        var earlier = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        room.Poll(id, _time.GetUtcNow(), TimeSpan.FromMinutes(1) / 10_000_000, 1_000_000, out var first);
        room.Poll(id, earlier, TimeSpan.FromMinutes(1) / 10_000_000, 1_000_000, out var second);

        Assert.Equal((null, null), (first, second));
    }

    [Fact]
    public void SpendAsClient_DirectBuyersCountTowardsSwitchingTheRoomOn()
    {
        var room = NewRoom(threshold: 2, max: 50);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);

        var first = room.SpendAsClient("203.0.113.1", 4, 10, _time.GetUtcNow());
        var second = room.SpendAsClient("203.0.113.2", 4, 10, _time.GetUtcNow());
        var third = room.SpendAsClient("203.0.113.3", 4, 10, _time.GetUtcNow());
        var firstAgain = room.SpendAsClient("203.0.113.1", 6, 10, _time.GetUtcNow());
        var firstOver = room.SpendAsClient("203.0.113.1", 1, 10, _time.GetUtcNow());
        var joiner = room.Join(null, NextId(), _time.GetUtcNow()).View;

        Assert.Equal((SpendOutcome.Spent, SpendOutcome.Spent), (first.Outcome, second.Outcome));
        Assert.Equal(SpendOutcome.NotAdmitted, third.Outcome); // the room is in use: queue
        Assert.Equal(SpendOutcome.Spent, firstAgain.Outcome); // a client already buying keeps its share
        Assert.Equal((SpendOutcome.OverBudget, 0), (firstOver.Outcome, firstOver.Left));
        Assert.True(room.IsActive);
        Assert.Equal(EntryState.Waiting, joiner.State);
    }

    [Fact]
    public void SpendAsClient_SharesEndWithTheirAccessWindowAndTheRoomGoesQuiet()
    {
        var room = NewRoom(threshold: 1, max: 50);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        room.SpendAsClient("203.0.113.1", 10, 10, _time.GetUtcNow());
        Assert.True(room.IsActive);

        _time.Advance(TimeSpan.FromMinutes(10));
        room.Tick(_time.GetUtcNow(), false, _pace);

        Assert.False(room.IsActive);
        Assert.Equal(SpendOutcome.Spent, room.SpendAsClient("203.0.113.1", 10, 10, _time.GetUtcNow()).Outcome);
    }

    [Fact]
    public void SoldOut_WaitingBuyersAreToldAndKeepTheirPlace()
    {
        var room = NewRoom(threshold: 0, max: 1);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        room.Join(null, NextId(), _time.GetUtcNow());
        var waiting = room.Join(null, NextId(), _time.GetUtcNow()).View.EntryId;
        room.Tick(_time.GetUtcNow(), false, _pace);

        room.Tick(_time.GetUtcNow(), soldOut: true, _pace);
        var during = room.Find(waiting, _time.GetUtcNow())!.Value;
        room.Tick(_time.GetUtcNow(), soldOut: false, _pace);
        var after = room.Find(waiting, _time.GetUtcNow())!.Value;

        Assert.True(during.SoldOut);
        Assert.Equal(1, during.Position);
        Assert.False(after.SoldOut);
        Assert.Equal(1, after.Position);
    }

    [Fact]
    public void Join_WithTheSameEntryId_ReturnsTheSamePlace()
    {
        var room = NewRoom(threshold: 0, max: 1);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);
        room.Join(null, NextId(), _time.GetUtcNow());
        var mine = room.Join(null, NextId(), _time.GetUtcNow()).View;

        var (again, created) = room.Join(mine.EntryId, NextId(), _time.GetUtcNow());

        Assert.Null(created);
        Assert.Equal(mine.EntryId, again.EntryId);
        Assert.Equal(mine.Position, again.Position);
    }

    [Fact]
    public void Join_ThresholdAboveTheCeiling_QueuesNewcomersOnceTheCeilingIsActive()
    {
        // MaxActiveBuyers=50 alone leaves the default threshold of 100 above it: the room must switch on at 50.
        var room = NewRoom(threshold: 100, max: 50);
        _time.SetUtcNow(OpensAt);
        room.Tick(_time.GetUtcNow(), false, _pace);

        var states = Enumerable.Range(0, 51).Select(_ => room.Join(null, NextId(), _time.GetUtcNow()).View.State).ToList();

        Assert.All(states.Take(50), state => Assert.Equal(EntryState.Admitted, state));
        Assert.Equal(EntryState.Waiting, states[50]);
        Assert.True(room.IsActive);
        Assert.True(room.Figures.Limit <= 50);
    }

    [Fact]
    public void Join_MintedId_CarriesItsIndexAndIsFoundOnlyWithItsRandomBits()
    {
        var room = NewRoom();

        var ids = Enumerable.Range(0, 3).Select(_ => room.Join(null, null, _time.GetUtcNow()).View.EntryId).ToList();
        var forged = ids[1] ^ ((UInt128)1 << 100);

        Assert.Equal([0u, 1u, 2u], ids.Select(id => (uint)(ulong)id));
        Assert.Equal(3, ids.Distinct().Count(id => id >> 32 != 0));
        Assert.All(ids, id => Assert.Equal(id, room.Find(id, _time.GetUtcNow())?.EntryId));
        Assert.Null(room.Find(forged, _time.GetUtcNow()));
        Assert.Null(room.Find(ids[1] + 1, _time.GetUtcNow()));
    }

    [Fact]
    public void Find_IdOfTheSameIndexInAnotherRoom_IsNotFound()
    {
        var first = NewRoom();
        var second = new Room(2002, OpensAt, new WaitingRoomOptions { ActivationThreshold = 10, MaxActiveBuyers = 50 });

        var mine = first.Join(null, null, _time.GetUtcNow()).View.EntryId;
        var theirs = second.Join(null, null, _time.GetUtcNow()).View.EntryId;

        Assert.Equal((uint)(ulong)mine, (uint)(ulong)theirs);
        Assert.Null(second.Find(mine, _time.GetUtcNow()));
        Assert.Null(first.Find(theirs, _time.GetUtcNow()));
    }

    [Fact]
    public void Join_NamedId_IsKeptAsGivenBesideMintedOnes()
    {
        var room = NewRoom();
        var named = new UInt128(0xFEED, 0xBEEF_0000_0000_0007);

        var minted = room.Join(null, null, _time.GetUtcNow()).View.EntryId;
        var (view, created) = room.Join(null, named, _time.GetUtcNow());
        var again = room.Join(named, null, _time.GetUtcNow());

        Assert.Equal(named, view.EntryId);
        Assert.Equal((named, 2L), (created!.EntryId, created.Arrival));
        Assert.Null(again.Created);
        Assert.Equal(named, again.View.EntryId);
        Assert.Equal(minted, room.Find(minted, _time.GetUtcNow())?.EntryId);
    }

    [Fact]
    public void Restore_MintedAndOlderRandomIds_EachAtItsArrivalWithItsPlace()
    {
        var room = NewRoom(threshold: 0, max: 1);
        var legacy = new UInt128(0x1234_5678_9ABC_DEF0, 0x0FED_CBA9_8765_4321);
        room.Join(null, null, _time.GetUtcNow());
        room.Join(null, legacy, _time.GetUtcNow());
        room.Join(null, null, _time.GetUtcNow());
        _time.SetUtcNow(OpensAt);
        var opened = room.Tick(_time.GetUtcNow(), soldOut: false, _pace);
        var late = room.Join(null, null, _time.GetUtcNow()).Created!;
        var stored = opened.Changed.Concat([late]).GroupBy(e => e.EntryId).Select(g => g.Last()).ToList();

        var restored = NewRoom(threshold: 0, max: 1);
        restored.Restore(new StoredRoom(2001, OpensAt, Opened: true), stored, _time.GetUtcNow());

        Assert.Equal(4, stored.Count);
        Assert.All(stored, e => Assert.Equal(Describe(room.Find(e.EntryId, _time.GetUtcNow())!.Value), Describe(restored.Find(e.EntryId, _time.GetUtcNow())!.Value)));
        var next = restored.Join(null, null, _time.GetUtcNow()).Created!;
        Assert.Equal((5L, 4u), (next.Arrival, (uint)(ulong)next.EntryId));
    }

    [Fact]
    public void Restore_AnArrivalWhoseWriteWasLost_LeavesAHoleNobodyMatches()
    {
        var room = NewRoom();
        var entries = Enumerable.Range(0, 3).Select(_ => room.Join(null, null, _time.GetUtcNow()).Created!).ToList();

        var restored = NewRoom();
        restored.Restore(new StoredRoom(2001, OpensAt, Opened: false), [entries[0], entries[2]], _time.GetUtcNow());

        Assert.Null(restored.Find(entries[1].EntryId, _time.GetUtcNow()));
        Assert.Null(restored.Find(new UInt128(0, 1), _time.GetUtcNow()));
        Assert.NotNull(restored.Find(entries[2].EntryId, _time.GetUtcNow()));
        Assert.Equal(2, restored.Figures.Lobby);
        Assert.Equal(4L, restored.Join(null, null, _time.GetUtcNow()).Created!.Arrival);
    }

    private static string Describe(EntryView view) => $"{view.State}@{view.Position}";

    private static int Place(Room room, UInt128 id)
    {
        // Zero-based place in line while nobody has been admitted.
        var view = room.Find(id, DateTimeOffset.MinValue)!.Value;
        return view.Position!.Value - 1;
    }

    private Room NewRoom(int threshold = 10, int max = 50) =>
        new(2001, OpensAt, new WaitingRoomOptions { ActivationThreshold = threshold, MaxActiveBuyers = max, AccessWindow = TimeSpan.FromMinutes(10) });

    private UInt128 NextId() => new(0, ++_ids);

    private TimeSpan? Throttled(Room room, UInt128 id, TimeSpan interval)
    {
        room.Poll(id, _time.GetUtcNow(), interval, 0, out var throttled);
        return throttled;
    }
}
