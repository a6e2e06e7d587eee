using OnSale.Gateway.Resilience;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Resilience;

/// <summary>The backend's latency percentiles the console charts, from fixed bins a factor √2 wide.</summary>
public sealed class BackendHealthTests
{
    [Fact]
    public void Snapshot_NoCalls_HasNoLatency()
    {
        var health = new BackendHealth(TestClock.Create());

        var snapshot = health.Snapshot();

        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), (snapshot.P50, snapshot.P99));
    }

    [Fact]
    public void Snapshot_ASlowTail_ShowsInP99NotInP50_EachWithinItsBin()
    {
        var health = new BackendHealth(TestClock.Create());
        for (var i = 0; i < 98; i++)
        {
            Call(health, TimeSpan.FromMilliseconds(10));
        }

        Call(health, TimeSpan.FromMilliseconds(400));
        Call(health, TimeSpan.FromMilliseconds(400));

        var snapshot = health.Snapshot();

        Assert.InRange(snapshot.P50.TotalMilliseconds, 10, 10 * Math.Sqrt(2));
        Assert.InRange(snapshot.P99.TotalMilliseconds, 400, 400 * Math.Sqrt(2));
    }

    [Fact]
    public void Snapshot_CallsOlderThanTheWindow_AreForgotten()
    {
        var time = TestClock.Create();
        var health = new BackendHealth(time);
        Call(health, TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(6));
        Call(health, TimeSpan.FromMilliseconds(3));

        var snapshot = health.Snapshot();

        Assert.Equal(1, snapshot.Calls);
        Assert.InRange(snapshot.P99.TotalMilliseconds, 3, 3 * Math.Sqrt(2));
    }

    [Theory]
    [InlineData(0.2, 0)]
    [InlineData(1, 1)]
    [InlineData(1.5, 2)]
    [InlineData(1_000_000, LatencyBins.Count - 1)]
    public void Bin_OfALatency_IsTheOneWhoseEdgesHoldIt(double ms, int bin)
    {
        Assert.Equal(bin, LatencyBins.Of(TimeSpan.FromMilliseconds(ms)));
    }

    private static void Call(BackendHealth health, TimeSpan latency)
    {
        health.CallStarted();
        health.CallFinished(latency, failed: false, busy: false);
    }
}
