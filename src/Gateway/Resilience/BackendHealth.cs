namespace OnSale.Gateway.Resilience;

/// <summary>What recent backend calls looked like: the congestion signal admission and replay pace themselves by.</summary>
/// <param name="Calls">Calls finished in the window.</param>
/// <param name="Failures">Calls that failed (timeouts, 503s, broken answers).</param>
/// <param name="Busy">Calls the backend refused as busy (503).</param>
/// <param name="AverageLatency">Mean latency of answered calls, or zero with none.</param>
/// <param name="InFlight">Calls in flight now.</param>
/// <param name="Backlog">Purchases parked or processing, waiting for the backend: work it has not caught up with.</param>
/// <param name="P50">Median latency of answered calls (to within a bin of <see cref="LatencyBins"/>), or zero with none.</param>
/// <param name="P99">99th percentile latency of answered calls, likewise.</param>
internal readonly record struct BackendHealthSnapshot(int Calls, int Failures, int Busy, TimeSpan AverageLatency, int InFlight, int Backlog = 0, TimeSpan P50 = default, TimeSpan P99 = default)
{
    public double FailureRatio => Calls == 0 ? 0 : (double)Failures / Calls;
}

/// <summary>How the backend is doing, for whoever paces itself by it (admission, replay).</summary>
internal interface IBackendHealthSource
{
    BackendHealthSnapshot Snapshot();
}

/// <summary>Counts backend call outcomes in one-second buckets over a short sliding window (TimeProvider time).</summary>
internal sealed class BackendHealth(TimeProvider time) : IBackendHealthSource
{
    /// <summary>How far back <see cref="Snapshot"/> looks, in seconds.</summary>
    public const int WindowSeconds = 5;
    private readonly Lock _lock = new();
    private readonly Bucket[] _buckets = new Bucket[WindowSeconds];
    private int _inFlight;
    private int _backlog;

    /// <summary>Reported by the replay worker: how many purchases wait for the backend.</summary>
    public void ReportBacklog(int pending) => Volatile.Write(ref _backlog, pending);

    public void CallStarted() => Interlocked.Increment(ref _inFlight);

    /// <summary>Calls in flight now (what <see cref="Snapshot"/> says, without adding up the window).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void CallFinished(TimeSpan latency, bool failed, bool busy)
    {
        Interlocked.Decrement(ref _inFlight);
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            ref var bucket = ref _buckets[second % WindowSeconds];
            if (bucket.Second != second)
            {
                bucket = new Bucket { Second = second };
            }

            bucket.Calls++;
            bucket.Failures += failed ? 1 : 0;
            bucket.Busy += busy ? 1 : 0;
            bucket.LatencyTicks += latency.Ticks;
            bucket.Latencies[LatencyBins.Of(latency)]++;
        }
    }

    public BackendHealthSnapshot Snapshot()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        int calls = 0, failures = 0, busy = 0;
        long ticks = 0;
        var latencies = default(LatencyBins);
        lock (_lock)
        {
            foreach (var bucket in _buckets)
            {
                if (now - bucket.Second < WindowSeconds)
                {
                    calls += bucket.Calls;
                    failures += bucket.Failures;
                    busy += bucket.Busy;
                    ticks += bucket.LatencyTicks;
                    for (var i = 0; i < LatencyBins.Count; i++)
                    {
                        latencies[i] += bucket.Latencies[i];
                    }
                }
            }
        }

        return new BackendHealthSnapshot(
            calls, failures, busy, calls == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(ticks / calls), Volatile.Read(ref _inFlight), Volatile.Read(ref _backlog),
            LatencyBins.Percentile(latencies, calls, 0.50), LatencyBins.Percentile(latencies, calls, 0.99));
    }

    private struct Bucket
    {
        public long Second;
        public int Calls;
        public int Failures;
        public int Busy;
        public long LatencyTicks;
        public LatencyBins Latencies;
    }
}

/// <summary>
/// Call counts by latency in bins a factor √2 wide from 1 ms (bin 0: under 1 ms; the last: 46 s and over): enough to
/// tell p50 from p99 on a chart, at a fixed 128 bytes per second of window and no allocation.
/// </summary>
[System.Runtime.CompilerServices.InlineArray(Count)]
internal struct LatencyBins
{
    public const int Count = 32;
    private int _first;

    public static int Of(TimeSpan latency)
    {
        var ms = latency.TotalMilliseconds;
        return ms < 1 ? 0 : Math.Min(Count - 1, 1 + (int)(2 * Math.Log2(ms)));
    }

    /// <summary>The bin's upper edge: an answer "at most this".</summary>
    public static TimeSpan UpperEdge(int bin) => TimeSpan.FromMilliseconds(Math.Pow(2, bin / 2.0));

    public static TimeSpan Percentile(LatencyBins bins, int total, double quantile)
    {
        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < Count; i++)
        {
            seen += bins[i];
            if (seen >= rank)
            {
                return UpperEdge(i);
            }
        }

        return UpperEdge(Count - 1);
    }
}
