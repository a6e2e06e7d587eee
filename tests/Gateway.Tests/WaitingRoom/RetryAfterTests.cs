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

        // ±20 % jitter around 5 s and 15 s: buyers let in when seats come back learn it within seconds.
        Assert.All(pending, s => Assert.InRange(s, 4, 6));
        Assert.All(final, s => Assert.InRange(s, 12, 18));
    }

    [Theory]
    [InlineData(10_000, 3_600)] // far back in a long line
    [InlineData(400, 100)]
    public void Waiting_WhateverThePlace_AsksAgainSoonEnoughToHearTheNews(int position, int wait)
    {
        var answer = new QueueAnswer("waiting", "q", position, wait, null, null, null, "in line");

        var seconds = Enumerable.Range(0, 200).Select(_ => WaitingRoomService.RetryAfterSeconds(answer, Now)).ToList();

        Assert.All(seconds, s => Assert.InRange(s, 2, (int)Math.Ceiling(WaitingRoomService.NewsWithinSeconds * 1.2)));
    }

    [Theory]
    [InlineData(30, 600)]
    [InlineData(400, 15)]
    public void Waiting_TurnNear_AsksAgainEveryTwoSeconds(int position, int wait)
    {
        var answer = new QueueAnswer("waiting", "q", position, wait, null, null, null, "in line");

        Assert.All(Enumerable.Range(0, 200), _ => Assert.InRange(WaitingRoomService.RetryAfterSeconds(answer, Now), 2, 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10_000)]
    public void Waiting_AdmissionPaused_AsksAgainModeratelyWhateverThePlace_AndTheBudgetsFloorStillHolds(int position)
    {
        var paused = new QueueAnswer("waiting", "q", position, null, null, null, null, "paused") { Paused = true };

        var seconds = Enumerable.Range(0, 200).Select(_ => WaitingRoomService.RetryAfterSeconds(paused, Now)).ToList();
        var crowded = Enumerable.Range(0, 200).Select(_ => WaitingRoomService.RetryAfterSeconds(paused, Now, floorSeconds: 20)).ToList();

        // Nothing moves, so the front of the line need not ask every 2 s; the line starting again is news within seconds.
        Assert.All(seconds, s => Assert.InRange(s, 4, 6));
        Assert.True(seconds.Distinct().Count() > 1, "jittered");
        Assert.All(crowded, s => Assert.InRange(s, 10, 30));
    }

    [Fact]
    public void TheBudgetsFloor_HoldsBackEveryoneWhoWaits_NotTheBuyerWhoseTurnItIs()
    {
        var waiting = new QueueAnswer("waiting", "q", 3, 5, null, null, null, "in line");
        var lobby = new QueueAnswer("lobby", "q", null, null, Now.AddMinutes(1), null, null, "lobby");
        var admitted = new QueueAnswer("admitted", "q", null, null, null, "a", Now.AddMinutes(10), "your turn");

        // A crowd paced by the budget at 20 s each, on average, spread ±50 % so that a burst of joiners does not poll in waves.
        foreach (var answer in new[] { waiting, lobby })
        {
            var seconds = Enumerable.Range(0, 2_000).Select(_ => WaitingRoomService.RetryAfterSeconds(answer, Now, floorSeconds: 20)).ToList();
            Assert.All(seconds, s => Assert.InRange(s, 10, 30));
            Assert.InRange(seconds.Average(), 19, 21);
            Assert.True(seconds.Count(s => s < 14) > 100 && seconds.Count(s => s > 26) > 100, "spread over the whole range");
        }

        Assert.All(Enumerable.Range(0, 200), _ => Assert.InRange(WaitingRoomService.RetryAfterSeconds(admitted, Now, floorSeconds: 20), 24, 36));
    }
}
