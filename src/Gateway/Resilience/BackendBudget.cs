using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Resilience;

/// <summary>The budget as admission and support see it.</summary>
/// <param name="CallsPerSecond">The learned (or configured) rate limit.</param>
/// <param name="InFlightLimit">The learned (or configured) limit of calls in flight.</param>
/// <param name="InFlight">Calls in flight now.</param>
/// <param name="Waiting">Calls waiting for a permit, per kind (purchase, replay, read, prefetch).</param>
/// <param name="StartedLastSecond">Calls started in the last second.</param>
/// <param name="CallsPerPurchase">Backend calls a finished purchase cost recently (3 until measured).</param>
internal sealed record BudgetSnapshot(double CallsPerSecond, int InFlightLimit, int InFlight, int[] Waiting, int StartedLastSecond, double CallsPerPurchase)
{
    /// <summary>Purchases per second the budget can complete, at the recent cost of one.</summary>
    public double PurchasesPerSecond => CallsPerSecond / CallsPerPurchase;

    public int WaitingPurchases => Waiting[(int)BackendWorkKind.Purchase] + Waiting[(int)BackendWorkKind.Replay];
}

/// <summary>
/// One budget for every backend call: a permit is a slot in flight <em>and</em> a start within the rate, both under
/// limits <see cref="AdaptiveLimits"/> learns from the backend's answers, never above
/// <see cref="ResilienceOptions.MaxBackendCallsPerSecond"/> and <see cref="ResilienceOptions.MaxConcurrentBackendCalls"/>.
/// Callers wait in line instead of meeting a refusal: each kind of work has its own line and share (purchases 6,
/// replays 3, reads 1; prefetching only when nobody else waits), oldest first within a kind, so that reads never
/// starve purchases nor purchases the replay. Learning, starts are spread over the second (at least half a rate
/// interval apart), as a fragile box prefers. Waiting honours the caller's cancellation; beyond
/// <see cref="ResilienceOptions.MaxQueuedBackendCalls"/> waiting calls a call is refused at once. With several nodes
/// (Redis store) the hard ceilings are the cluster's: each node takes an equal share of them, following the count of
/// live nodes, so that N nodes never send the box N times its ceiling; what is learned below them is each node's own.
/// </summary>
internal sealed class BackendBudget : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly int[] Weights = [6, 3, 1, 0];
    private static readonly TimeSpan CostWindow = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly AdaptiveLimits _limits;
    private readonly int _queueLimit;
    private readonly bool _spread;
    private readonly Queue<Start> _starts = new();
    private readonly PriorityQueue<Waiter, (long Order, long Seq)>[] _lines = [new(), new(), new(), new()];
    private readonly double[] _finish = new double[4];
    private readonly ITimer _wake;
    private readonly IBudgetSignals? _signals;
    private readonly double _maxRate;
    private readonly int _maxConcurrency;
    private readonly Queue<long> _purchaseCalls = new();
    private readonly Queue<long> _purchasesDone = new();
    private double _virtualTime;
    private long _lastStart;
    private long _seq;
    private long _granted;
    private int _inFlight;
    private int _refusedInWindow;
    private int _waiting;
    private long _wakeAt = long.MaxValue;

    public BackendBudget(IOptions<ResilienceOptions> options, TimeProvider time, Infrastructure.IClusterNodes? nodes = null, IBudgetSignals? signals = null)
    {
        _signals = signals;
        var o = options.Value;
        _maxRate = o.MaxBackendCallsPerSecond > 0 ? o.MaxBackendCallsPerSecond : ResilienceOptions.UnboundedCallsPerSecond;
        _maxConcurrency = o.MaxConcurrentBackendCalls;
        _time = time;
        _queueLimit = o.MaxQueuedBackendCalls;
        _spread = o.AdaptiveBudget; // Off, the budget is exactly the configured caps, as before they were learned.
        _limits = new AdaptiveLimits(
            time,
            o.AdaptiveBudget,
            o.InitialBackendCallsPerSecond,
            o.InitialConcurrentBackendCalls,
            _maxRate,
            _maxConcurrency);
        _wake = time.CreateTimer(static s => ((BackendBudget)s!).OnWake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ShareCeilingsAmong(nodes?.Nodes.Count ?? 1);
        if (signals is not null)
        {
            signals.CutElsewhere += OnCutElsewhere;
        }

        if (nodes is not null)
        {
            nodes.Changed += ShareCeilingsAmong;
        }
    }

    /// <summary>This node's share of the hard ceilings, of <paramref name="nodes"/> equal shares (at least one call each).</summary>
    public (double CallsPerSecond, int InFlight) Ceilings { get; private set; }

    /// <summary>Takes an equal share of the cluster's hard ceilings among <paramref name="nodes"/> live nodes.</summary>
    public void ShareCeilingsAmong(int nodes)
    {
        nodes = Math.Max(1, nodes);
        lock (_gate)
        {
            var rate = _maxRate >= ResilienceOptions.UnboundedCallsPerSecond ? _maxRate : Math.Max(1, Math.Floor(_maxRate / nodes));
            var inFlight = Math.Max(1, _maxConcurrency / nodes);
            Ceilings = (rate, inFlight);
            _limits.SetCeilings(rate, inFlight);
        }
    }

    /// <summary>Permits granted since start: calls started.</summary>
    public long Granted => Interlocked.Read(ref _granted);

    /// <summary>Limits cut by refusals or timeouts since start.</summary>
    public long Cuts
    {
        get
        {
            lock (_gate)
            {
                return _limits.Cuts;
            }
        }
    }

    /// <summary>Waits for a permit for <paramref name="work"/>; throws <see cref="BackendSaturatedException"/> when the line is full.</summary>
    public ValueTask<Permit> AcquireAsync(BackendWork work, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Prune(now);
            if (_waiting == 0 && TryStart(now, out var permit))
            {
                return ValueTask.FromResult(permit);
            }

            if (_waiting >= _queueLimit)
            {
                throw new BackendSaturatedException(_queueLimit);
            }

            var kind = (int)work.Kind;
            if (_lines[kind].Count == 0)
            {
                _finish[kind] = Math.Max(_finish[kind], _virtualTime); // No credit saved while it had nothing waiting.
            }

            waiter = new Waiter(this);
            _lines[kind].Enqueue(waiter, (work.Order, _seq++));
            _waiting++;
            Dispatch(now);
        }

        if (!waiter.Task.IsCompleted && cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(static w => ((Waiter)w!).Cancel(), waiter);
        }

        return new ValueTask<Permit>(waiter.Task);
    }

    /// <summary>A purchase (live or replayed) reached its end: the calls it cost are the measure admission uses.</summary>
    public void PurchaseFinished()
    {
        lock (_gate)
        {
            _purchasesDone.Enqueue(_time.GetTimestamp());
        }
    }

    public BudgetSnapshot Snapshot()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Prune(now);
            _limits.Advance();
            int[] waiting = [.. _lines.Select(l => l.UnorderedItems.Count(i => !i.Element.Task.IsCompleted))];
            return new BudgetSnapshot(_limits.Rate, (int)_limits.Concurrency, _inFlight, waiting, _starts.Count, CallsPerPurchase());
        }
    }

    public void Dispose() => _wake.Dispose();

    private double CallsPerPurchase()
    {
        var done = _purchasesDone.Count;
        return done < 5 ? 3 : Math.Clamp((double)_purchaseCalls.Count / done, 1, 10);
    }

    private bool TryStart(long now, out Permit permit)
    {
        permit = default;
        var rate = Math.Max(1, (int)_limits.Rate);
        if (_inFlight >= Math.Max(1, (int)_limits.Concurrency))
        {
            _limits.HeldBack(byRate: false);
            return false;
        }

        var windowFull = _starts.Count >= rate;
        if (windowFull || (_spread && _lastStart != 0 && _time.GetElapsedTime(_lastStart, now) < Spacing(rate)))
        {
            if (windowFull)
            {
                _limits.HeldBack(byRate: true); // Spacing alone is not the rate holding anyone back.
            }

            ScheduleWake(now, rate);
            return false;
        }

        _inFlight++;
        var start = new Start(now);
        _starts.Enqueue(start);
        _lastStart = now;
        _granted++;
        permit = new Permit(this, start, _inFlight);
        return true;
    }

    // Spread over at least half of each second; at most 1,000 distinct starts a second to keep timers sane.
    private static TimeSpan Spacing(int rate) => rate >= 2_000 ? TimeSpan.Zero : TimeSpan.FromSeconds(0.5 / rate);

    private void Dispatch(long now)
    {
        while (_waiting > 0)
        {
            var kind = NextKind();
            if (kind < 0)
            {
                return;
            }

            var line = _lines[kind];
            var waiter = line.Peek();
            if (waiter.Task.IsCompleted)
            {
                line.Dequeue(); // Cancelled while waiting.
                continue;
            }

            if (!TryStart(now, out var permit))
            {
                return;
            }

            line.Dequeue();
            _waiting--;
            _virtualTime = _finish[kind];
            _finish[kind] += Weights[kind] == 0 ? 0 : 1.0 / Weights[kind];
            if (!waiter.Grant(permit))
            {
                _inFlight--; // Cannot happen (cancelling takes this lock); the start stays counted.
            }
        }
    }

    /// <summary>The kind with the earliest finish tag among those waiting; prefetching only when nothing else waits.</summary>
    private int NextKind()
    {
        var best = -1;
        for (var kind = 0; kind < _lines.Length; kind++)
        {
            if (_lines[kind].Count > 0 && Weights[kind] > 0 && (best < 0 || _finish[kind] < _finish[best]))
            {
                best = kind;
            }
        }

        return best >= 0 ? best : _lines[(int)BackendWorkKind.Prefetch].Count > 0 ? (int)BackendWorkKind.Prefetch : -1;
    }

    private void Release(Start start, CallSignal signal, TimeSpan latency, int inFlightAtStart, BackendWorkKind kind)
    {
        bool cut;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _inFlight--;
            Prune(now);
            if (signal == CallSignal.Busy && _time.GetElapsedTime(start.At, now) < Window)
            {
                start.Refused = true;
                _refusedInWindow++;
            }

            if (kind is BackendWorkKind.Purchase or BackendWorkKind.Replay)
            {
                _purchaseCalls.Enqueue(now);
            }

            var cutsBefore = _limits.Cuts;
            _limits.Observe(signal, latency, inFlightAtStart, _starts.Count - _refusedInWindow, start.At);
            cut = _limits.Cuts != cutsBefore;
            Dispatch(now);
        }

        if (cut)
        {
            _signals?.Cut(); // Outside the lock: the other nodes cut too.
        }
    }

    private void OnCutElsewhere()
    {
        lock (_gate)
        {
            if (_limits.CutElsewhere())
            {
                CutsElsewhere++;
            }
        }
    }

    /// <summary>Cuts made because another node was refused (Redis store).</summary>
    public long CutsElsewhere { get; private set; }

    private void Prune(long now)
    {
        while (_starts.Count > 0 && _time.GetElapsedTime(_starts.Peek().At, now) >= Window)
        {
            _refusedInWindow -= _starts.Dequeue().Refused ? 1 : 0;
        }

        while (_purchaseCalls.Count > 0 && _time.GetElapsedTime(_purchaseCalls.Peek(), now) >= CostWindow)
        {
            _purchaseCalls.Dequeue();
        }

        while (_purchasesDone.Count > 0 && _time.GetElapsedTime(_purchasesDone.Peek(), now) >= CostWindow)
        {
            _purchasesDone.Dequeue();
        }
    }

    private void ScheduleWake(long now, int rate)
    {
        var untilWindow = _starts.Count >= rate ? Window - _time.GetElapsedTime(_starts.Peek().At, now) : TimeSpan.Zero;
        var untilSpacing = _spread ? Spacing(rate) - _time.GetElapsedTime(_lastStart, now) : TimeSpan.Zero;
        var due = untilWindow > untilSpacing ? untilWindow : untilSpacing;
        if (due < TimeSpan.FromMilliseconds(1))
        {
            due = TimeSpan.FromMilliseconds(1);
        }

        var at = now + (long)(due.TotalSeconds * _time.TimestampFrequency);
        if (at < _wakeAt)
        {
            _wakeAt = at;
            _wake.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnWake()
    {
        lock (_gate)
        {
            _wakeAt = long.MaxValue;
            var now = _time.GetTimestamp();
            Prune(now);
            _limits.Advance();
            Dispatch(now);
        }
    }

    /// <summary>One call's start, for the rate window; marked when the backend refused it.</summary>
    internal sealed class Start(long at)
    {
        public long At { get; } = at;

        public bool Refused { get; set; }
    }

    /// <summary>Permission to make one call; <see cref="Complete"/> it exactly once with what the call showed.</summary>
    internal readonly struct Permit
    {
        private readonly BackendBudget? _owner;

        private readonly Start? _started;
        private readonly int _inFlightAtStart;

        internal Permit(BackendBudget owner, Start started, int inFlightAtStart)
        {
            _owner = owner;
            _started = started;
            _inFlightAtStart = inFlightAtStart;
        }

        public void Complete(CallSignal signal, TimeSpan latency, BackendWorkKind kind) =>
            _owner?.Release(_started!, signal, latency, _inFlightAtStart, kind);
    }

    private sealed class Waiter(BackendBudget owner)
    {
        private readonly TaskCompletionSource<Permit> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Permit> Task => _tcs.Task;

        public CancellationTokenRegistration Registration { get; set; }

        public bool Grant(Permit permit)
        {
            Registration.Unregister(); // Never Dispose under the budget's lock: it waits for a running Cancel.
            return _tcs.TrySetResult(permit);
        }

        public void Cancel()
        {
            lock (owner._gate)
            {
                if (_tcs.TrySetCanceled())
                {
                    owner._waiting--;
                }
            }
        }
    }
}

/// <summary>
/// What the nodes of one cluster tell each other about the box: a refusal that cut one node's rate cuts every node's,
/// so that together they back off as one budget would (with the embedded store there is no other node).
/// </summary>
internal interface IBudgetSignals
{
    /// <summary>Raised when another node cut its rate on a refusal.</summary>
    event Action? CutElsewhere;

    /// <summary>Tells the other nodes that this one cut its rate; never waits.</summary>
    void Cut();
}
