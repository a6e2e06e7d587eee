using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Interop.Tests;

/// <summary>Checks on the mock's own record after a peer client ran its scenario against it.</summary>
internal static class MockAssertions
{
    /// <summary>
    /// The order the client reports is the one the mock recorded for its reference, with the same seats; it was the
    /// only order (the second Checkout was idempotent, the declined one bought nothing); nothing was oversold; and
    /// the mock counted as many backend calls as the client made.
    /// </summary>
    public static async Task OrderRecordedAsync(MockBackendHost host, PeerClientReport report, string reference)
    {
        Assert.NotNull(report.OrderId);

        var orders = await host.Control.GetOrdersAsync();
        var order = Assert.Single(orders);
        Assert.Equal(report.OrderId, order.OrderId);
        Assert.Equal(reference, order.ClientReference);
        Assert.Equal(1001, order.PerformanceId);
        Assert.Equal(1, order.ZoneId);
        Assert.Equal(report.Seats.Order(StringComparer.Ordinal), order.Seats.Order(StringComparer.Ordinal));
        Assert.Equal(2 * 8500, order.TotalCents);

        var stats = await host.Control.GetStatsAsync();
        Assert.Equal(0, stats.Oversold);
        Assert.Equal(1, stats.Orders);
        Assert.Equal(report.Calls, stats.Calls.Values.Sum());
    }
}
