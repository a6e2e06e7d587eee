using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// The gateway's own instruments, on System.Diagnostics.Metrics so that OpenTelemetry (or our /metrics writer) can
/// collect them. Gauges that read live state are registered by their owners through <see cref="Meter"/>.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "OnSale.Gateway";

    private readonly Histogram<double> _backendDuration;
    private readonly Counter<long> _backendErrors;
    private readonly ReadCounts _availabilityReads = new("result", "fresh", "stale", "unknown");
    private readonly Counter<long> _purchases;
    private readonly Counter<long> _replayAttempts;
    private readonly Counter<long> _breakerTransitions;
    private readonly Counter<long> _retentionErased;
    private readonly Counter<long> _retentionRuns;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _backendDuration = Meter.CreateHistogram<double>(
            "onsale.backend.call.duration", "s", "Backend call latency by operation and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] });
        _backendErrors = Meter.CreateCounter<long>("onsale.backend.errors", "{error}", "Failed backend calls by operation and kind.");
        Meter.CreateObservableCounter("onsale.availability.reads", _availabilityReads.Observe, "{read}", "Availability answers by result: fresh, stale or unknown.");
        _purchases = Meter.CreateCounter<long>("onsale.purchases", "{purchase}", "Purchase outcomes: confirmed, parked, processing, failed, rejected.");
        _replayAttempts = Meter.CreateCounter<long>("onsale.replay.attempts", "{attempt}", "Replay attempts of parked purchases by result.");
        _breakerTransitions = Meter.CreateCounter<long>("onsale.breaker.transitions", "{transition}", "Circuit breaker state changes.");
        _retentionErased = Meter.CreateCounter<long>("onsale.retention.erased", "{item}", "What retention runs erased: email, hold_session, hold.");
        _retentionRuns = Meter.CreateCounter<long>("onsale.retention.runs", "{run}", "Retention runs by result: done or failed.");
    }

    public Meter Meter { get; }

    public void BackendCall(string operation, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "operation", operation }, { "outcome", outcome } };
        _backendDuration.Record(duration.TotalSeconds, tags);
        if (outcome is not ("success" or "fault"))
        {
            _backendErrors.Add(1, tags);
        }
    }

    /// <summary>Counts an availability answer: <c>fresh</c>, <c>stale</c> or <c>unknown</c>.</summary>
    public void AvailabilityRead(string result) => _availabilityReads.Increment(result);

    public void Purchase(string outcome) => _purchases.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void ReplayAttempt(string result) => _replayAttempts.Add(1, new KeyValuePair<string, object?>("result", result));

    public void BreakerTransition(string state) => _breakerTransitions.Add(1, new KeyValuePair<string, object?>("state", state));

    public void RetentionErased(string kind, int count)
    {
        if (count > 0)
        {
            _retentionErased.Add(count, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void RetentionRun(string result) => _retentionRuns.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Dispose() => Meter.Dispose();
}

/// <summary>
/// Counts by one tag's value, for an observable counter: the hottest reads count with an interlocked increment, not a
/// measurement each (a lookup of its tags in every listener's aggregation), and the listener reads the totals when it
/// collects. The values are few and known up front.
/// </summary>
internal sealed class ReadCounts(string tag, params string[] values)
{
    private readonly long[] _counts = new long[values.Length * 8]; // one cache line per value
    private readonly KeyValuePair<string, object?>[] _tags = [.. values.Select(v => new KeyValuePair<string, object?>(tag, v))];

    public void Increment(string value) => Interlocked.Increment(ref _counts[Array.IndexOf(values, value) * 8]);

    public IEnumerable<Measurement<long>> Observe() =>
        [.. _tags.Select((t, i) => new Measurement<long>(Volatile.Read(ref _counts[i * 8]), t))];
}

