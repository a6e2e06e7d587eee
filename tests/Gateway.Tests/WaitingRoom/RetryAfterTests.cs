using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.WaitingRoom;

/// <summary>When a buyer is told to ask again.</summary>
public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = TestClock.Start;

    [Fact]
    public void SoldOut_SeatsPromisedToPurchasesStillWaiting_AskAgainSooner()
    {
        var soldOut = new QueueAnswer("sold_out", "q", 10, null, null, null, null, "sold");

        var pending = Enumerable.Range(0, 200).Select(_ => WaitingRoomService.RetryAfterSeconds(soldOut, Now, seatsMayReturn: true)).ToList();
        var final = Enumerable.Range(0, 200).Select(_ => WaitingRoomService.RetryAfterSeconds(soldOut, Now, seatsMayReturn: false)).ToList();

        // ±20 % jitter around 5 s and 20 s: buyers let in when seats come back learn it within seconds.
        Assert.All(pending, s => Assert.InRange(s, 4, 6));
        Assert.All(final, s => Assert.InRange(s, 16, 24));
    }
}
