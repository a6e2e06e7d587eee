namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>What the mock has seen since start-up or the last reset (GET <c>/control/stats</c>).</summary>
/// <param name="Calls">Backend calls received per operation name, including rejected and faulted ones.</param>
/// <param name="Rejected">Calls refused by the capacity limits (maxConcurrentCalls, maxCallsPerSecond).</param>
/// <param name="FaultsInjected">Calls answered with an injected fault (outage, errorRate, hang).</param>
/// <param name="MaxConcurrency">The most calls ever in flight at once (rejected calls are never in flight).</param>
/// <param name="CurrentConcurrency">Calls in flight now.</param>
/// <param name="SeatsSold">Seats sold per performance id and zone id, e.g. <c>{"1001": {"1": 4}}</c>.</param>
/// <param name="Orders">Orders created.</param>
/// <param name="Oversold">Oversell anomalies detected while selling seats; anything but 0 is a bug.</param>
public sealed record MockStats(
    IReadOnlyDictionary<string, long> Calls,
    long Rejected,
    long FaultsInjected,
    int MaxConcurrency,
    int CurrentConcurrency,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> SeatsSold,
    int Orders,
    long Oversold);
