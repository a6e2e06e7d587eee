namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>
/// Fault injection settings of the mock (GET/PUT/DELETE <c>/control/faults</c>). Everything is off by default. Faults
/// apply to backend calls only (POST <c>/VenueService.svc</c> and <c>/RPC2</c>) and are answered in the binding's own
/// fault format with code 503. Order of checks: capacity → outage → hang → latency → errorRate → real work.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>All off.</summary>
    public static FaultSettings Off { get; } = new();

    /// <summary>Delay added to every matching call, in milliseconds of real time. Default 0; must be ≥ 0.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Probability (0..1) that a matching call fails fast with a 503 fault. Default 0.</summary>
    public double ErrorRate { get; init; }

    /// <summary>When true every matching call fails fast with a 503 fault. Default false.</summary>
    public bool Outage { get; init; }

    /// <summary>When true matching calls get no answer until the caller aborts (bounded at 5 minutes). Default false.</summary>
    public bool Hang { get; init; }

    /// <summary>Calls in flight beyond this are refused at once with a 503 fault and counted as rejected. Default: no limit; must be ≥ 0.</summary>
    public int? MaxConcurrentCalls { get; init; }

    /// <summary>Calls per one-second window (real clock) beyond this are refused with a 503 fault and counted as rejected. Default: no limit; must be ≥ 0.</summary>
    public int? MaxCallsPerSecond { get; init; }

    /// <summary>
    /// When set, latency, errorRate, outage and hang apply only to these operations (e.g. <c>["Checkout"]</c>);
    /// capacity limits always apply to every operation. Default: all operations.
    /// </summary>
    public IReadOnlyList<string>? Operations { get; init; }
}
