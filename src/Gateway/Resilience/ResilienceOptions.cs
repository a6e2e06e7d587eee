using System.ComponentModel.DataAnnotations;

namespace OnSale.Gateway.Resilience;

/// <summary>How the gateway protects the backend and itself (section <c>Gateway:Resilience</c>).</summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Gateway:Resilience";

    /// <summary>The rate limit's stand-in for "no ceiling configured".</summary>
    internal const int UnboundedCallsPerSecond = 100_000;

    /// <summary>
    /// The hard ceiling of backend calls in flight at once, across all operations; the learned limit stays under it and
    /// more calls wait in line. Default: 32.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBackendCalls { get; set; } = 32;

    /// <summary>
    /// A hard ceiling of calls per second the backend is sent, across all operations (0: none). Not required: the
    /// budget learns the backend's ceiling from its answers; set it when the venue knows its box must never see more.
    /// Callers wait for a permit within their deadline. Default: 0.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxBackendCallsPerSecond { get; set; }

    /// <summary>
    /// Whether the budget learns the backend's ceiling (calls per second and in flight) from refusals, timeouts and
    /// latency. Off, the budget is exactly the two hard ceilings above. Default: true.
    /// </summary>
    public bool AdaptiveBudget { get; set; } = true;

    /// <summary>Calls per second the learned limit starts at (conservative; it doubles each second it is short). Default: 10.</summary>
    [Range(1, 100_000)]
    public int InitialBackendCallsPerSecond { get; set; } = 10;

    /// <summary>Calls in flight the learned limit starts at. Default: 4.</summary>
    [Range(1, 10_000)]
    public int InitialConcurrentBackendCalls { get; set; } = 4;

    /// <summary>Calls that may wait for a slot; beyond it a call fails at once as saturated. Default: 2,000.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueuedBackendCalls { get; set; } = 2_000;

    /// <summary>How long one backend call may take before it is abandoned. Default: 2 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries of reads (never of ReserveTickets, ReleaseTickets or Checkout). Default: 2.</summary>
    [Range(0, 10)]
    public int ReadRetries { get; set; } = 2;

    /// <summary>First retry delay of reads; later ones grow exponentially, with jitter. Default: 100 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan ReadRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The share of failed calls in the sampling window that opens the breaker. Busy is not down: a few 503s are a
    /// congestion signal handled by admission and replay pacing; the breaker opens only when most calls fail. Default: 0.6.
    /// </summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.6;

    /// <summary>The breaker's sampling window. Default: 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Calls the window must hold before the breaker may open. Default: 10.</summary>
    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>How long the breaker stays open before it lets a probe through. Default: 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
