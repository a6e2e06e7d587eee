namespace OnSale.Gateway.Resilience;

/// <summary>What one backend call told the budget about the backend's capacity.</summary>
internal enum CallSignal
{
    /// <summary>The backend answered (a business fault is an answer too).</summary>
    Answered,

    /// <summary>The backend refused the call as busy (503): over its capacity.</summary>
    Busy,

    /// <summary>The call outlived its attempt timeout.</summary>
    Timeout,

    /// <summary>Says nothing about capacity (the caller went away, the connection broke).</summary>
    Ignored,
}

/// <summary>
/// The two limits of the backend budget, calls per second and calls in flight, learned from the backend's own
/// answers (the models: TCP's slow start and fast recovery, Netflix concurrency-limits' AIMD and Gradient2):
/// <list type="bullet">
/// <item>Start low and double each second the limit holds callers back, until the first refusal.</item>
/// <item>On a refusal (503 busy) or a timeout, set the rate just under what the backend accepted in the last second;
/// only refusals of calls started after the last cut cut again, since those of one burst all tell the same thing
/// (cutting for each is the lull).</item>
/// <item>Grow again only while the limit is what holds callers back and latency is near its recent minimum (a limit
/// that grows under a queue without end), slowly near the last refusal and faster the longer none comes (so that a
/// ceiling that rose is found within seconds, and a limit cut by an outage recovers).</item>
/// <item>Never above the configured hard ceilings.</item>
/// </list>
/// Not thread-safe: <see cref="BackendBudget"/> calls it under its lock. Time is <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class AdaptiveLimits
{
    /// <summary>The share of the last second's accepted calls the rate is set to after a refusal.</summary>
    internal const double Backoff = 0.9;

    private const double MinRate = 1;
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LatencyWindow = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private double _maxRate;
    private int _maxConcurrency;
    private readonly bool _adaptive;
    private long _periodStart;
    private long _lastRateCut;
    private long _lastConcurrencyCut;
    private bool _rateLimited;
    private bool _concurrencyLimited;
    private bool _congested;
    private bool _slowStart = true;
    private double _recoverTo;
    private double _lastGoodRate;
    private double _latencyEwmaMs = double.NaN;
    private double _minLatencyMs = double.NaN;
    private long _minLatencyAt;

    public AdaptiveLimits(TimeProvider time, bool adaptive, double initialRate, int initialConcurrency, double maxRate, int maxConcurrency)
    {
        _time = time;
        _adaptive = adaptive;
        _maxRate = maxRate;
        _maxConcurrency = maxConcurrency;
        Rate = adaptive ? Math.Clamp(initialRate, MinRate, maxRate) : maxRate;
        Concurrency = adaptive ? Math.Clamp(initialConcurrency, 1, maxConcurrency) : maxConcurrency;
        _periodStart = _lastRateCut = _lastConcurrencyCut = time.GetTimestamp();
    }

    /// <summary>Calls that may start within any one second.</summary>
    public double Rate { get; private set; }

    /// <summary>Calls that may be in flight at once.</summary>
    public double Concurrency { get; private set; }

    /// <summary>Refusals and timeouts that cut a limit, since start.</summary>
    public long Cuts { get; private set; }

    /// <summary>The recent typical latency of answered calls, in milliseconds (NaN before the first).</summary>
    public double LatencyMs => _latencyEwmaMs;

    /// <summary>
    /// New hard ceilings (this node's share of the cluster's, when nodes come or go): the limits drop under them at
    /// once, and grow up to them as before; not adaptive, the limits are the ceilings.
    /// </summary>
    public void SetCeilings(double maxRate, int maxConcurrency)
    {
        _maxRate = Math.Max(MinRate, maxRate);
        _maxConcurrency = Math.Max(1, maxConcurrency);
        Rate = _adaptive ? Math.Min(Rate, _maxRate) : _maxRate;
        Concurrency = _adaptive ? Math.Min(Concurrency, _maxConcurrency) : _maxConcurrency;
    }

    /// <summary>
    /// Another node of the cluster was refused and cut its rate: the box's calls from all nodes together were too many,
    /// so this node cuts too, as one controller would (once per burst: not again within a period of its own last cut).
    /// Returns whether it cut.
    /// </summary>
    public bool CutElsewhere()
    {
        var now = _time.GetTimestamp();
        if (!_adaptive || _time.GetElapsedTime(_lastRateCut, now) < Period)
        {
            return false;
        }

        Rate = Math.Clamp(Backoff * Rate, MinRate, _maxRate);
        _lastRateCut = now;
        _congested = true;
        _slowStart = _recoverTo > 0 && Rate < 0.25 * _recoverTo;
        return true;
    }

    /// <summary>A caller had to wait because of the rate (or the concurrency): the limit was what held it back.</summary>
    public void HeldBack(bool byRate)
    {
        if (byRate)
        {
            _rateLimited = true;
        }
        else
        {
            _concurrencyLimited = true;
        }
    }

    /// <summary>
    /// What a call's answer says. <paramref name="inFlightAtStart"/>: calls in flight when it started, itself included;
    /// <paramref name="acceptedInLastSecond"/>: calls started in the last second that the backend did not refuse;
    /// <paramref name="startedAt"/>: when the call started (a timestamp).
    /// </summary>
    public void Observe(CallSignal signal, TimeSpan latency, int inFlightAtStart, int acceptedInLastSecond, long startedAt)
    {
        if (!_adaptive)
        {
            return;
        }

        var now = _time.GetTimestamp();
        switch (signal)
        {
            case CallSignal.Answered:
                ObserveLatency(latency.TotalMilliseconds, now);
                break;
            case CallSignal.Busy or CallSignal.Timeout:
                _congested = true;
                if (startedAt > _lastRateCut)
                {
                    CutRate(acceptedInLastSecond, now);
                }

                if (startedAt > _lastConcurrencyCut && (signal == CallSignal.Timeout || inFlightAtStart >= Math.Max(2, 0.75 * Concurrency)))
                {
                    CutConcurrency(inFlightAtStart, now);
                }

                break;
        }

        Advance(now);
    }

    /// <summary>Ends a period when one is over: the limits grow if they held callers back and nothing said stop.</summary>
    public void Advance() => Advance(_time.GetTimestamp());

    private void Advance(long now)
    {
        if (!_adaptive || _time.GetElapsedTime(_periodStart, now) < Period)
        {
            return;
        }

        var latencyHigh = LatencyIsHigh();
        if (!_congested && !latencyHigh)
        {
            if (_rateLimited)
            {
                Rate = Math.Min(_maxRate, Math.Max(Rate + 0.5, Rate * Growth(_time.GetElapsedTime(_lastRateCut, now))));
                if (_recoverTo > 0 && Rate >= Backoff * _recoverTo)
                {
                    _slowStart = false; // Back where it was before the outage: probe carefully from here.
                    _recoverTo = 0;
                }
            }

            if (_concurrencyLimited)
            {
                Concurrency = Math.Min(_maxConcurrency, Math.Max(Concurrency + 1, Concurrency * (_slowStart ? 2 : 1.1)));
            }
        }
        else if (latencyHigh && _concurrencyLimited)
        {
            // Gradient: calls take much longer than they did at the best recently: they queue inside the backend.
            Concurrency = Math.Max(1, Concurrency * Backoff);
        }

        if (!_congested)
        {
            _lastGoodRate = Rate;
        }

        _rateLimited = _concurrencyLimited = _congested = false;
        _periodStart = now;
    }

    private double Growth(TimeSpan sinceCut)
    {
        if (_slowStart)
        {
            return 2;
        }

        // Near the last refusal, creep; the longer it holds, the faster it probes (the ceiling may have risen).
        return sinceCut.TotalSeconds switch
        {
            < 2 => 1.02,
            < 4 => 1.1,
            _ => 1.25,
        };
    }

    private void CutRate(int acceptedInLastSecond, long now)
    {
        Rate = Math.Clamp(Backoff * Math.Min(Rate, acceptedInLastSecond), MinRate, _maxRate);
        _lastRateCut = now;
        Cuts++;
        if (Rate < 0.25 * _lastGoodRate)
        {
            _recoverTo = Math.Max(_recoverTo, _lastGoodRate); // Collapsed: an outage refuses everything.
        }

        // Far below where it was before a collapse, double back up once the backend answers; otherwise probe carefully.
        _slowStart = _recoverTo > 0 && Rate < 0.25 * _recoverTo;
    }

    private void CutConcurrency(int inFlightAtStart, long now)
    {
        Concurrency = Math.Clamp(Backoff * Math.Min(Concurrency, inFlightAtStart), 1, _maxConcurrency);
        _lastConcurrencyCut = now;
    }

    private void ObserveLatency(double ms, long now)
    {
        _latencyEwmaMs = double.IsNaN(_latencyEwmaMs) ? ms : _latencyEwmaMs + (0.1 * (ms - _latencyEwmaMs));
        if (double.IsNaN(_minLatencyMs) || ms <= _minLatencyMs || _time.GetElapsedTime(_minLatencyAt, now) > LatencyWindow)
        {
            _minLatencyMs = ms;
            _minLatencyAt = now;
        }

    }

    // Twice the recent minimum and 50 ms above it: a loaded machine's jitter is neither.
    private bool LatencyIsHigh() =>
        !double.IsNaN(_latencyEwmaMs) && _latencyEwmaMs > 2 * _minLatencyMs && _latencyEwmaMs > _minLatencyMs + 50;
}
