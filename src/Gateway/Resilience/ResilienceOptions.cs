using System.ComponentModel.DataAnnotations;

namespace OnSale.Gateway.Resilience;

/// <summary>How the gateway protects the backend and itself (section <c>Gateway:Resilience</c>).</summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Gateway:Resilience";

    /// <summary>Backend calls in flight at once, across all operations; more wait in line. Default: 32.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBackendCalls { get; set; } = 32;

    /// <summary>
    /// The most calls per second the backend is sent, across all operations (0: no cap). Set it to what the venue's box
    /// is known to bear; callers wait for a permit within their deadline. Default: 0.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxBackendCallsPerSecond { get; set; }

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
