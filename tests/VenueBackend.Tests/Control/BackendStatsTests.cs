using OnSale.Mocks.VenueBackend.Control;

namespace OnSale.Mocks.VenueBackend.Tests.Control;

public class BackendStatsTests
{
    [Fact]
    public void Calls_New_ListsEveryOperationAtZero()
    {
        var calls = new BackendStats().Calls;

        Assert.Equal(7, calls.Count);
        Assert.All(calls.Values, n => Assert.Equal(0, n));
    }

    [Fact]
    public void RecordCall_Twice_CountsPerOperation()
    {
        var stats = new BackendStats();

        stats.RecordCall("Checkout");
        stats.RecordCall("Checkout");
        stats.RecordCall("FindOrder");

        Assert.Equal((2L, 1L), (stats.Calls["Checkout"], stats.Calls["FindOrder"]));
    }

    [Fact]
    public void ObserveConcurrency_KeepsTheHighestSeenFromManyThreads()
    {
        var stats = new BackendStats();

        Parallel.For(1, 1000, stats.ObserveConcurrency);
        stats.ObserveConcurrency(3);

        Assert.Equal(999, stats.MaxConcurrency);
    }

    [Fact]
    public void Reset_AfterActivity_ZeroesCountersAndRestartsTheHighWaterMark()
    {
        var stats = new BackendStats();
        stats.RecordCall("Checkout");
        stats.RecordRejected();
        stats.RecordFaultInjected();
        stats.ObserveConcurrency(9);

        stats.Reset(currentConcurrency: 2);

        Assert.Equal((0L, 0L, 0L, 2), (stats.Calls["Checkout"], stats.Rejected, stats.FaultsInjected, stats.MaxConcurrency));
    }
}
