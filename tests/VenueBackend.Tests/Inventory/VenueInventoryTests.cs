using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class VenueInventoryTests
{
    private readonly FakeTimeProvider _time = new(TestInventory.Start);
    private readonly VenueInventory _inventory;

    public VenueInventoryTests()
    {
        _inventory = TestInventory.Create(_time);
    }

    [Fact]
    public void GetNewSessionKey_Called_Returns32LowercaseHexCharacters()
    {
        Assert.Matches("^[0-9a-f]{32}$", _inventory.GetNewSessionKey());
    }

    [Fact]
    public void GetPerformances_Seeded_ReturnsEveryPerformanceWithItsTimes()
    {
        var performances = _inventory.GetPerformances();

        Assert.Equal([1001, 1002], performances.Select(p => p.Id));
        var hamlet = performances[0];
        Assert.Equal(("Hamlet", "Royal Hall"), (hamlet.Title, hamlet.Venue));
        Assert.Equal(TestInventory.Start.AddDays(14), hamlet.StartsAt);
        Assert.Equal(TestInventory.Start.AddDays(-1), hamlet.OnSaleAt);
    }

    [Fact]
    public void GetAvailability_Seeded_ReturnsZonesAtFullCapacity()
    {
        var zones = _inventory.GetAvailability(1001);

        Assert.Equal(
            [new ZoneInfo(1, "Stalls", 8500, 40, 40), new ZoneInfo(2, "Balcony", 4500, 20, 20)],
            zones);
    }

    [Fact]
    public void GetAvailability_UnknownPerformance_Faults404()
    {
        var fault = FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.GetAvailability(9999));
        Assert.Equal("Unknown performance 9999", fault.Message);
    }

    [Fact]
    public void GetAvailability_AfterReserveAndCheckout_SubtractsHeldAndSoldSeats()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 4);
        _inventory.Checkout(key, "tok_visa", "ref-1");
        _inventory.ReserveTickets(key, 1001, 1, 3);

        Assert.Equal(33, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReserveTickets_FreshZone_HoldsLowestSeatsForTenMinutes()
    {
        var key = _inventory.GetNewSessionKey();

        var hold = _inventory.ReserveTickets(key, 1001, 1, 3);

        Assert.Equal(1001, hold.PerformanceId);
        Assert.Equal(1, hold.ZoneId);
        Assert.Equal(3, hold.Quantity);
        Assert.Equal(["A-1", "A-2", "A-3"], hold.Seats);
        Assert.Equal(TestInventory.Start.AddMinutes(10), hold.ExpiresAt);
        Assert.Equal(37, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReserveTickets_SeatsPastTheFirstRow_AreLabelledRowDashNumber()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 10);
        _inventory.ReserveTickets(key, 1001, 1, 10);
        _inventory.ReserveTickets(key, 1001, 1, 10);

        var hold = _inventory.ReserveTickets(key, 1001, 1, 5);

        Assert.Equal(["B-11", "B-12", "B-13", "B-14", "B-15"], hold.Seats);
    }

    [Fact]
    public void ReserveTickets_Twice_ReturnsIncreasingLineItemIds()
    {
        var key = _inventory.GetNewSessionKey();

        var first = _inventory.ReserveTickets(key, 1001, 1, 1);
        var second = _inventory.ReserveTickets(key, 1002, 1, 1);

        Assert.True(second.LineItemId > first.LineItemId);
    }

    [Fact]
    public void ReserveTickets_UnknownSession_Faults101()
    {
        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => _inventory.ReserveTickets("feedfacefeedfacefeedfacefeedface", 1001, 1, 1));
    }

    [Fact]
    public void ReserveTickets_SessionIdleFor20Minutes_Faults101()
    {
        var key = _inventory.GetNewSessionKey();

        _time.Advance(TimeSpan.FromMinutes(20));

        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => _inventory.ReserveTickets(key, 1001, 1, 1));
    }

    [Fact]
    public void ReserveTickets_SessionUsedEvery15Minutes_StaysAlive()
    {
        var key = _inventory.GetNewSessionKey();
        _time.Advance(TimeSpan.FromMinutes(15));
        _inventory.ReserveTickets(key, 1001, 1, 1);
        _time.Advance(TimeSpan.FromMinutes(15));

        var hold = _inventory.ReserveTickets(key, 1001, 1, 1);

        Assert.Equal(1, hold.Quantity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(11)]
    public void ReserveTickets_QuantityOutside1To10_Faults422(int quantity)
    {
        var key = _inventory.GetNewSessionKey();

        var fault = FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => _inventory.ReserveTickets(key, 1001, 1, quantity));
        Assert.Equal("quantity must be between 1 and 10", fault.Message);
    }

    [Fact]
    public void ReserveTickets_BadSessionAndBadQuantity_Faults101First()
    {
        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => _inventory.ReserveTickets("nope", 1001, 1, 0));
    }

    [Fact]
    public void ReserveTickets_BadQuantityAndUnknownPerformance_Faults422First()
    {
        var key = _inventory.GetNewSessionKey();

        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => _inventory.ReserveTickets(key, 9999, 1, 0));
    }

    [Theory]
    [InlineData(9999, 1, "Unknown performance 9999")]
    [InlineData(1001, 7, "Unknown zone 7 in performance 1001")]
    public void ReserveTickets_UnknownPerformanceOrZone_Faults404(int performanceId, int zoneId, string message)
    {
        var key = _inventory.GetNewSessionKey();

        var fault = FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.ReserveTickets(key, performanceId, zoneId, 1));
        Assert.Equal(message, fault.Message);
    }

    [Fact]
    public void ReserveTickets_NotEnoughSeats_Faults201WithTheNumberAvailableAndHoldsNothing()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 2, 10);
        _inventory.ReserveTickets(key, 1001, 2, 7);

        var fault = FaultAssert.Throws(VenueFaultCodes.NotEnoughSeats, () => _inventory.ReserveTickets(key, 1001, 2, 4));

        Assert.Equal("Not enough seats: 3 available", fault.Message);
        Assert.Equal(3, _inventory.Available(1001, 2));
    }

    [Fact]
    public void ReserveTickets_AfterARelease_ReusesTheLowestFreeSeats()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);
        var middle = _inventory.ReserveTickets(key, 1001, 1, 2);
        _inventory.ReserveTickets(key, 1001, 1, 2);
        _inventory.ReleaseTickets(key, middle.LineItemId);

        var hold = _inventory.ReserveTickets(key, 1001, 1, 3);

        Assert.Equal(["A-3", "A-4", "A-7"], hold.Seats);
    }

    [Fact]
    public void ReserveTickets_HoldReaches10Minutes_SeatsReturnToThePool()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 5);

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(40, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReserveTickets_HoldJustUnder10Minutes_StillHoldsItsSeats()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 5);

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));

        Assert.Equal(35, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReserveTickets_AfterOthersHoldExpired_GetsItsSeats()
    {
        var first = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(first, 1001, 2, 10);
        _inventory.ReserveTickets(first, 1001, 2, 10);
        _time.Advance(TimeSpan.FromMinutes(10));
        var second = _inventory.GetNewSessionKey();

        var hold = _inventory.ReserveTickets(second, 1001, 2, 10);

        Assert.Equal("A-1", hold.Seats[0]);
    }

    [Fact]
    public void ReleaseTickets_OwnLiveHold_ReturnsTrueAndFreesTheSeats()
    {
        var key = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(key, 1001, 1, 4);

        Assert.True(_inventory.ReleaseTickets(key, hold.LineItemId));
        Assert.Equal(40, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReleaseTickets_UnknownHold_Faults404()
    {
        var key = _inventory.GetNewSessionKey();

        var fault = FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.ReleaseTickets(key, 424242));
        Assert.Equal("Unknown or expired hold 424242", fault.Message);
    }

    [Fact]
    public void ReleaseTickets_AnotherSessionsHold_Faults404AndKeepsTheHold()
    {
        var owner = _inventory.GetNewSessionKey();
        var other = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(owner, 1001, 1, 4);

        FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.ReleaseTickets(other, hold.LineItemId));
        Assert.Equal(36, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReleaseTickets_ExpiredHold_Faults404()
    {
        var key = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(key, 1001, 1, 4);
        _time.Advance(TimeSpan.FromMinutes(10));

        FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.ReleaseTickets(key, hold.LineItemId));
    }

    [Fact]
    public void ReleaseTickets_Twice_Faults404TheSecondTime()
    {
        var key = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(key, 1001, 1, 4);
        _inventory.ReleaseTickets(key, hold.LineItemId);

        FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.ReleaseTickets(key, hold.LineItemId));
        Assert.Equal(40, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReleaseTickets_SoldHold_Faults404AndSeatsStaySold()
    {
        var key = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(key, 1001, 1, 4);
        _inventory.Checkout(key, "tok_visa", "ref-1");

        FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.ReleaseTickets(key, hold.LineItemId));
        Assert.Equal(36, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReleaseTickets_ExpiredSession_Faults101()
    {
        var key = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(key, 1001, 1, 4);
        _time.Advance(TimeSpan.FromMinutes(20));

        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => _inventory.ReleaseTickets(key, hold.LineItemId));
    }

    [Fact]
    public void Checkout_TwoLiveHolds_MakesOneOrderOfAllTheirSeats()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 2, 2);
        _inventory.ReserveTickets(key, 1001, 1, 3);

        var order = _inventory.Checkout(key, "tok_visa", "ref-1");

        Assert.Equal(VenueInventory.FirstOrderId, order.OrderId);
        Assert.Equal("ref-1", order.ClientReference);
        Assert.Equal((1001, 2), (order.PerformanceId, order.ZoneId));
        Assert.Equal(["A-1", "A-2", "A-1", "A-2", "A-3"], order.Seats);
        Assert.Equal((2 * 4500) + (3 * 8500), order.TotalCents);
    }

    [Fact]
    public void Checkout_Completed_SeatsStaySoldAfterTheHoldWouldHaveExpired()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 3);
        _inventory.Checkout(key, "tok_visa", "ref-1");

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(37, _inventory.Available(1001, 1));
        Assert.Equal(3, _inventory.GetSeatsSold()[1001][1]);
        Assert.Equal(0, _inventory.Oversold);
    }

    [Fact]
    public void Checkout_HoldsInTwoPerformances_SellsBoth()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1002, 1, 2);
        _inventory.ReserveTickets(key, 1001, 1, 1);

        var order = _inventory.Checkout(key, "tok_visa", "ref-1");

        Assert.Equal((1002, 1), (order.PerformanceId, order.ZoneId));
        Assert.Equal((2 * 2500) + 8500, order.TotalCents);
        Assert.Equal(2, _inventory.GetSeatsSold()[1002][1]);
        Assert.Equal(1, _inventory.GetSeatsSold()[1001][1]);
    }

    [Fact]
    public void Checkout_SameClientReferenceAgain_ReturnsTheSameOrderAndChargesNothing()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);
        var first = _inventory.Checkout(key, "tok_visa", "ref-1");
        _inventory.ReserveTickets(key, 1001, 1, 2);

        var second = _inventory.Checkout(key, "tok_visa", "ref-1");

        Assert.Same(first, second);
        Assert.Equal(1, _inventory.OrderCount);
        Assert.Equal(2, _inventory.GetSeatsSold()[1001][1]);
        Assert.Equal(36, _inventory.Available(1001, 1));
    }

    [Fact]
    public void Checkout_SameClientReferenceAfterTheSessionExpired_ReturnsTheOrder()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);
        var first = _inventory.Checkout(key, "tok_visa", "ref-1");
        _time.Advance(TimeSpan.FromHours(2));

        var again = _inventory.Checkout(key, "tok_visa", "ref-1");

        Assert.Equal(first.OrderId, again.OrderId);
    }

    [Fact]
    public void Checkout_DeclinedToken_Faults301AndKeepsTheHolds()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);

        var fault = FaultAssert.Throws(VenueFaultCodes.PaymentDeclined, () => _inventory.Checkout(key, "tok_declined_insufficient_funds", "ref-1"));

        Assert.Equal("Payment declined", fault.Message);
        Assert.Equal(38, _inventory.Available(1001, 1));
        Assert.Equal(2, _inventory.Checkout(key, "tok_visa", "ref-1").Seats.Count);
    }

    [Fact]
    public void Checkout_NoHoldAtAll_Faults302()
    {
        var key = _inventory.GetNewSessionKey();

        var fault = FaultAssert.Throws(VenueFaultCodes.HoldExpired, () => _inventory.Checkout(key, "tok_visa", "ref-1"));
        Assert.Equal("Hold expired: the session has no live hold to check out", fault.Message);
    }

    [Fact]
    public void Checkout_AfterTheHoldExpired_Faults302AndSellsNothing()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);
        _time.Advance(TimeSpan.FromMinutes(10));

        FaultAssert.Throws(VenueFaultCodes.HoldExpired, () => _inventory.Checkout(key, "tok_visa", "ref-1"));
        Assert.Equal(0, _inventory.OrderCount);
        Assert.Equal(40, _inventory.Available(1001, 1));
    }

    [Fact]
    public void Checkout_AfterReleasingTheOnlyHold_Faults302()
    {
        var key = _inventory.GetNewSessionKey();
        var hold = _inventory.ReserveTickets(key, 1001, 1, 2);
        _inventory.ReleaseTickets(key, hold.LineItemId);

        FaultAssert.Throws(VenueFaultCodes.HoldExpired, () => _inventory.Checkout(key, "tok_visa", "ref-1"));
    }

    [Theory]
    [InlineData("", "ref-1", "paymentToken must not be empty")]
    [InlineData("tok_visa", "", "clientReference must not be empty")]
    [InlineData("  ", "ref-1", "paymentToken must not be empty")]
    public void Checkout_EmptyTokenOrReference_Faults422(string token, string reference, string message)
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);

        var fault = FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => _inventory.Checkout(key, token, reference));
        Assert.Equal(message, fault.Message);
    }

    [Fact]
    public void Checkout_UnknownSession_Faults101()
    {
        FaultAssert.Throws(VenueFaultCodes.SessionExpired, () => _inventory.Checkout("nope", "tok_visa", "ref-1"));
    }

    [Fact]
    public void Checkout_ThreeSessions_NumbersOrdersUpFrom50001()
    {
        var ids = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var key = _inventory.GetNewSessionKey();
            _inventory.ReserveTickets(key, 1001, 1, 1);
            ids.Add(_inventory.Checkout(key, "tok_visa", $"ref-{i}").OrderId);
        }

        Assert.Equal([50001, 50002, 50003], ids);
    }

    [Fact]
    public void FindOrder_ExistingReference_ReturnsTheOrder()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);
        var order = _inventory.Checkout(key, "tok_visa", "ref-1");

        Assert.Equal(order, _inventory.FindOrder("ref-1"));
    }

    [Fact]
    public void FindOrder_UnknownReference_Faults404()
    {
        var fault = FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.FindOrder("nope"));
        Assert.Equal("No order with clientReference 'nope'", fault.Message);
    }

    [Fact]
    public void ReserveTickets_500ParallelBuyersFor10Seats_ExactlyTenGetOneSeatEach()
    {
        _inventory.SetAvailable(1001, 1, 10);
        var keys = Enumerable.Range(0, 500).Select(_ => _inventory.GetNewSessionKey()).ToList();
        var holds = new System.Collections.Concurrent.ConcurrentBag<HoldInfo>();
        var refused = 0;

        Parallel.ForEach(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, key =>
        {
            try
            {
                holds.Add(_inventory.ReserveTickets(key, 1001, 1, 1));
            }
            catch (VenueFaultException ex) when (ex.Code == VenueFaultCodes.NotEnoughSeats)
            {
                Interlocked.Increment(ref refused);
            }
        });

        Assert.Equal(10, holds.Count);
        Assert.Equal(490, refused);
        Assert.Equal(10, holds.SelectMany(h => h.Seats).Distinct().Count());
        Assert.Equal(0, _inventory.Available(1001, 1));
    }

    [Fact]
    public void ReserveTickets_ThreadsDrainingA20000SeatZone_HoldEverySeatExactlyOnce()
    {
        const int Capacity = 20_000;
        var inventory = TestInventory.Create(_time, new InventorySeed(
        [
            new PerformanceSeed(2001, "Stadium", "Arena", TestInventory.Start, TestInventory.Start, [new ZoneSeed(1, "Tier", 100, Capacity, 40)]),
        ]));
        var threadCount = Math.Max(4, Environment.ProcessorCount * 2);
        var holds = new System.Collections.Concurrent.ConcurrentBag<HoldInfo>();
        using var start = new Barrier(threadCount);

        // Dedicated threads, released together, so the reservations really contend (pool threads would trickle in).
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, threadCount).Select(n => new Thread(() =>
        {
            try
            {
                var key = inventory.GetNewSessionKey();
                var quantity = 1 + (n % 2);
                start.SignalAndWait();
                for (var attempt = 0; attempt < Capacity; attempt++)
                {
                    try
                    {
                        holds.Add(inventory.ReserveTickets(key, 2001, 1, quantity));
                    }
                    catch (VenueFaultException ex) when (ex.Code == VenueFaultCodes.NotEnoughSeats)
                    {
                        if (inventory.Available(2001, 1) == 0)
                        {
                            return;
                        }

                        quantity = 1;
                    }
                }
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
        var seats = holds.SelectMany(h => h.Seats).ToList();
        Assert.Equal(Capacity, seats.Count);
        Assert.Equal(Capacity, seats.Distinct().Count());
        Assert.Equal(0, inventory.Available(2001, 1));
    }

    [Fact]
    public void Checkout_500ParallelBuyersReservingAndBuying_NeverOversells()
    {
        _inventory.SetAvailable(1001, 1, 10);
        var orders = new System.Collections.Concurrent.ConcurrentBag<OrderInfo>();

        Parallel.For(0, 500, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var key = _inventory.GetNewSessionKey();
            try
            {
                _inventory.ReserveTickets(key, 1001, 1, 1 + (i % 3));
                orders.Add(_inventory.Checkout(key, "tok_visa", $"ref-{i}"));
            }
            catch (VenueFaultException ex) when (ex.Code == VenueFaultCodes.NotEnoughSeats)
            {
            }
        });

        var sold = orders.SelectMany(o => o.Seats).ToList();
        Assert.Equal(sold.Count, sold.Distinct().Count());
        Assert.True(sold.Count <= 10, $"sold {sold.Count} seats of 10");
        Assert.Equal(sold.Count, _inventory.GetSeatsSold()[1001][1]);
        Assert.Equal(0, _inventory.Oversold);
    }

    [Fact]
    public void Checkout_ConcurrentDuplicatesOfOneReference_CreateOneOrder()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 2);

        var orders = new System.Collections.Concurrent.ConcurrentBag<OrderInfo>();
        Parallel.For(0, 50, _ => orders.Add(_inventory.Checkout(key, "tok_visa", "ref-1")));

        Assert.Single(orders.Select(o => o.OrderId).Distinct());
        Assert.Equal(1, _inventory.OrderCount);
        Assert.Equal(2, _inventory.GetSeatsSold()[1001][1]);
    }

    [Fact]
    public void SetAvailable_FewerThanFree_LeavesExactlyThatManyToBuy()
    {
        var info = _inventory.SetAvailable(1001, 1, 10);

        Assert.Equal(10, info.Available);
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 10);
        FaultAssert.Throws(VenueFaultCodes.NotEnoughSeats, () => _inventory.ReserveTickets(key, 1001, 1, 1));
    }

    [Fact]
    public void SetAvailable_BackUp_RestoresWithdrawnSeats()
    {
        _inventory.SetAvailable(1001, 1, 0);

        Assert.Equal(25, _inventory.SetAvailable(1001, 1, 25).Available);
        Assert.Equal(25, _inventory.Available(1001, 1));
    }

    [Fact]
    public void SetAvailable_MoreThanHeldAndSoldAllow_ThrowsConflictAndChangesNothing()
    {
        var key = _inventory.GetNewSessionKey();
        _inventory.ReserveTickets(key, 1001, 1, 5);

        Assert.Throws<InventoryConflictException>(() => _inventory.SetAvailable(1001, 1, 36));
        Assert.Equal(35, _inventory.Available(1001, 1));
    }

    [Fact]
    public void SetAvailable_UnknownZone_Faults404()
    {
        FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.SetAvailable(1001, 9, 1));
    }

    [Fact]
    public void SetOnSaleAt_KnownPerformance_ChangesWhatGetPerformancesReports()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(1));

        _inventory.SetOnSaleAt(1002, at);

        var performance = _inventory.GetPerformances().Single(p => p.Id == 1002);
        Assert.Equal(at, performance.OnSaleAt);
        Assert.Equal(TimeSpan.Zero, performance.OnSaleAt.Offset);
    }

    [Fact]
    public void SetOnSaleAt_UnknownPerformance_Faults404()
    {
        FaultAssert.Throws(VenueFaultCodes.NotFound, () => _inventory.SetOnSaleAt(4242, TestInventory.Start));
    }

    [Fact]
    public void GetOrders_AfterTwoCheckouts_ListsBothInOrder()
    {
        foreach (var reference in new[] { "a", "b" })
        {
            var key = _inventory.GetNewSessionKey();
            _inventory.ReserveTickets(key, 1001, 1, 1);
            _inventory.Checkout(key, "tok_visa", reference);
        }

        Assert.Equal(["a", "b"], _inventory.GetOrders().Select(o => o.ClientReference));
    }
}
