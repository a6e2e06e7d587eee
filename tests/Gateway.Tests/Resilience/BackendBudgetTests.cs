using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Resilience;

/// <summary>
/// The backend budget against a simulated box on a fake clock: callers always more than the box bears, the box
/// refusing every call beyond its caps in fixed one-second windows (as the mock does). One millisecond per step; no
/// sleeping, no timing thresholds: the figures are the simulated box's own counts.
/// </summary>
public sealed class BackendBudgetTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestClock.Create();
    private BackendBudget? _budget;

    public void Dispose() => _budget?.Dispose();

    [Fact]
    public void Limit_FixedCeilingFromBelow_ConvergesWithFewRefusals()
    {
        var budget = Create(initialRate: 5);
        var box = new SimulatedBox(_time, callsPerSecond: 50);

        box.Run(budget, seconds: 60);

        // From the tenth second on: near the ceiling, hardly ever over it.
        var settled = box.Seconds.Skip(10).ToList();
        Assert.InRange(settled.Average(s => s.Accepted), 0.85 * 50, 50);
        Assert.True(settled.Sum(s => s.Refused) <= 0.02 * settled.Sum(s => s.Accepted + s.Refused), Describe(box));
        Assert.InRange(budget.Snapshot().CallsPerSecond, 0.8 * 50, 1.2 * 50);
    }

    [Fact]
    public void Limit_FixedCeilingFromAbove_ComesDownWithinSeconds()
    {
        var budget = Create(initialRate: 400);
        var box = new SimulatedBox(_time, callsPerSecond: 50);

        box.Run(budget, seconds: 30);

        Assert.True(box.Seconds.Skip(3).All(s => s.Refused <= 5), Describe(box));
        Assert.InRange(box.Seconds.Skip(5).Average(s => s.Accepted), 0.85 * 50, 50);
    }

    [Fact]
    public void Limit_CeilingHalvesThenComesBack_FollowsBothWithinFiveSeconds()
    {
        var budget = Create(initialRate: 10);
        var box = new SimulatedBox(_time, callsPerSecond: 50);
        box.Run(budget, seconds: 20);

        box.CallsPerSecond = 25;
        box.Run(budget, seconds: 30);
        box.CallsPerSecond = 50;
        box.Run(budget, seconds: 20);

        var halved = box.Seconds.Skip(20).Take(30).ToList();
        Assert.True(halved.Skip(5).Sum(s => s.Refused) <= 0.03 * halved.Skip(5).Sum(s => s.Accepted + s.Refused), Describe(box));
        Assert.InRange(halved.Skip(5).Average(s => s.Accepted), 0.8 * 25, 25);

        // The limit itself, at the end of each second: under the new ceiling, then back up near the old one, within 5 s.
        Assert.All(box.Limits.Skip(20 + 5).Take(25), limit => Assert.InRange(limit, 0.7 * 25, 1.2 * 25));
        Assert.All(box.Limits.Skip(50 + 5), limit => Assert.InRange(limit, 0.8 * 50, 1.2 * 50));
    }

    [Fact]
    public void Limit_AfterAnOutage_Recovers()
    {
        var budget = Create(initialRate: 10);
        var box = new SimulatedBox(_time, callsPerSecond: 50);
        box.Run(budget, seconds: 20);

        box.Down = true;
        box.Run(budget, seconds: 15);
        Assert.True(budget.Snapshot().CallsPerSecond < 10, "an outage refusing everything brings the limit down");
        box.Down = false;
        box.Run(budget, seconds: 20);

        Assert.True(box.Seconds.Skip(35 + 10).All(s => s.Accepted >= 0.75 * 50), Describe(box));
        Assert.All(box.Limits.Skip(35 + 10), limit => Assert.InRange(limit, 0.8 * 50, 1.2 * 50));
    }

    [Fact]
    public void Limit_ConfiguredHardCap_IsNeverExceeded()
    {
        var budget = Create(initialRate: 10, hardCap: 30);
        var box = new SimulatedBox(_time, callsPerSecond: 1_000);

        box.Run(budget, seconds: 20);

        Assert.True(budget.Snapshot().CallsPerSecond <= 30);
        Assert.Equal(30, box.BusiestSlidingSecond);
        Assert.All(box.Seconds, s => Assert.Equal(0, s.Refused));
    }

    [Fact]
    public void Limit_ThreeNodesLive_TakesAThirdOfTheHardCaps_AndAllOfThemWhenAloneAgain()
    {
        var nodes = new FakeNodes();
        var budget = Create(initialRate: 10, hardCap: 30, maxConcurrent: 32, nodes: nodes);
        var box = new SimulatedBox(_time, callsPerSecond: 1_000);

        nodes.Become(3);
        var shares = budget.Ceilings;
        box.Run(budget, seconds: 20);
        var busiestShared = box.BusiestSlidingSecond;
        nodes.Become(1);
        var alone = budget.Ceilings;
        var second = new SimulatedBox(_time, callsPerSecond: 1_000);
        second.Run(budget, seconds: 20);

        Assert.Equal((10.0, 10), shares);
        Assert.Equal(10, busiestShared);
        Assert.Equal((30.0, 32), alone);
        Assert.Equal(30, second.BusiestSlidingSecond);
    }

    [Fact]
    public void Cuts_ARefusalHere_TellsTheOtherNodes_AndAnotherNodesCutCutsHereOncePerBurst()
    {
        var signals = new FakeSignals();
        var budget = Create(initialRate: 10, signals: signals);
        var box = new SimulatedBox(_time, callsPerSecond: 20);
        box.Run(budget, seconds: 10);
        var toldOthers = signals.Told;
        var before = budget.Snapshot().CallsPerSecond;

        _time.Advance(TimeSpan.FromSeconds(2));
        signals.CutByAnother();
        var afterOne = budget.Snapshot().CallsPerSecond;
        signals.CutByAnother(); // the same burst, heard twice
        var afterTwo = budget.Snapshot().CallsPerSecond;

        Assert.True(toldOthers > 0, "the box refused some calls: the other nodes were told");
        Assert.Equal(Math.Max(1, AdaptiveLimits.Backoff * before), afterOne, 3);
        Assert.Equal(afterOne, afterTwo);
        Assert.Equal(1, budget.CutsElsewhere);
    }

    [Fact]
    public void Ceilings_SharedAmongNodes_NeverExceedTheClusterTotal_AndNeverZero()
    {
        var nodes = new FakeNodes();
        var budget = Create(initialRate: 10, hardCap: 30, maxConcurrent: 32, nodes: nodes);

        foreach (var count in new[] { 1, 2, 3, 7, 31, 64 })
        {
            nodes.Become(count);
            var (rate, inFlight) = budget.Ceilings;
            Assert.True(rate * count <= 30 || rate == 1, $"{count} nodes: {rate}/s each");
            Assert.True(inFlight * count <= 32 || inFlight == 1, $"{count} nodes: {inFlight} in flight each");
            Assert.True(rate >= 1 && inFlight >= 1);
        }
    }

    [Fact]
    public void Limit_BoxWithoutCeiling_GrowsOnlyWhileDemandIsAboveIt()
    {
        var budget = Create(initialRate: 10);
        var box = new SimulatedBox(_time, callsPerSecond: 10_000);

        box.Run(budget, seconds: 30, callersPerSecond: 40);

        // Forty calls a second wanted, a box that refuses nothing: the limit reaches what is wanted, not without end.
        Assert.InRange(budget.Snapshot().CallsPerSecond, 40, 160);
    }

    [Fact]
    public void Limit_AdaptiveOff_IsTheHardCapsExactly()
    {
        var budget = Create(initialRate: 10, hardCap: 20, adaptive: false);
        var box = new SimulatedBox(_time, callsPerSecond: 10);

        box.Run(budget, seconds: 10);

        Assert.Equal(20, budget.Snapshot().CallsPerSecond);
        Assert.True(box.Seconds.Skip(1).All(s => s.Refused >= 9), Describe(box));
    }

    [Fact]
    public void Line_EveryKindWaiting_ServedInShares()
    {
        var budget = Create(initialRate: 100, adaptive: false, hardCap: 100, maxConcurrent: 1);
        var started = new List<BackendWorkKind>();
        var tasks = new List<(BackendWorkKind Kind, Task<BackendBudget.Permit> Permit)>();
        foreach (var kind in Enum.GetValues<BackendWorkKind>())
        {
            for (var i = 0; i < 200; i++)
            {
                tasks.Add((kind, budget.AcquireAsync(new BackendWork(kind, i), CancellationToken.None).AsTask()));
            }
        }

        for (var ms = 0; ms < 2_000 && started.Count < 100; ms++)
        {
            foreach (var (kind, task) in tasks.Where(t => t.Permit.IsCompletedSuccessfully).ToList())
            {
                started.Add(kind);
                Granted(task).Complete(CallSignal.Answered, TimeSpan.FromMilliseconds(1), kind);
                tasks.Remove((kind, task));
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var first = started.Take(100).ToList();
        // After the one purchase that found the line empty: purchases 6, replays 3, reads 1 of every 10; prefetching
        // waits while anything else does.
        Assert.InRange(first.Count(k => k == BackendWorkKind.Purchase), 55, 65);
        Assert.InRange(first.Count(k => k == BackendWorkKind.Replay), 25, 35);
        Assert.InRange(first.Count(k => k == BackendWorkKind.Read), 5, 15);
        Assert.DoesNotContain(BackendWorkKind.Prefetch, first);
    }

    [Fact]
    public async Task Line_OneKind_OldestOrderFirst()
    {
        var budget = Create(initialRate: 1, adaptive: false, hardCap: 1);
        var first = await budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, 0), CancellationToken.None);
        var later = budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, 20), CancellationToken.None).AsTask();
        var older = budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, 10), CancellationToken.None).AsTask();

        first.Complete(CallSignal.Answered, TimeSpan.Zero, BackendWorkKind.Purchase);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(older.IsCompletedSuccessfully, "the purchase that began first goes first");
        Assert.False(later.IsCompleted);
    }

    [Fact]
    public async Task Line_CallerGivesUpWhileWaiting_LeavesTheLineAndFreesNothingItDidNotTake()
    {
        var budget = Create(initialRate: 1, adaptive: false, hardCap: 1);
        var first = await budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, 0), CancellationToken.None);
        using var giveUp = new CancellationTokenSource();
        var waiting = budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, 1), giveUp.Token).AsTask();
        var next = budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, 2), CancellationToken.None).AsTask();

        await giveUp.CancelAsync();
        first.Complete(CallSignal.Answered, TimeSpan.Zero, BackendWorkKind.Purchase);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(1, budget.Snapshot().InFlight);
        Assert.Equal(0, budget.Snapshot().Waiting.Sum());
    }

    [Fact]
    public async Task Line_Full_RefusesAtOnce()
    {
        var budget = Create(initialRate: 1, adaptive: false, hardCap: 1, queueLimit: 1);
        await budget.AcquireAsync(new BackendWork(BackendWorkKind.Read, 0), CancellationToken.None);
        _ = budget.AcquireAsync(new BackendWork(BackendWorkKind.Read, 1), CancellationToken.None);

        Assert.Throws<BackendSaturatedException>(() => budget.AcquireAsync(new BackendWork(BackendWorkKind.Read, 2), CancellationToken.None));
    }

    [Fact]
    public void CallsPerPurchase_MeasuredFromFinishedPurchases()
    {
        var budget = Create(initialRate: 100, adaptive: false, hardCap: 100);
        Assert.Equal(3, budget.Snapshot().CallsPerPurchase);

        for (var i = 0; i < 10; i++)
        {
            for (var call = 0; call < 2; call++)
            {
                var permit = budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, i), CancellationToken.None).AsTask();
                _time.Advance(TimeSpan.FromMilliseconds(20));
                Granted(permit).Complete(CallSignal.Answered, TimeSpan.FromMilliseconds(1), BackendWorkKind.Purchase);
            }

            budget.PurchaseFinished();
        }

        Assert.Equal(2, budget.Snapshot().CallsPerPurchase);
    }

    /// <summary>The permit of a wait that has ended (the fake clock moved it there; nothing blocks).</summary>
    private static BackendBudget.Permit Granted(Task<BackendBudget.Permit> task) =>
        task.IsCompletedSuccessfully ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("The permit was not granted.");

    private static string Describe(SimulatedBox box) =>
        "accepted/refused per second: " + string.Join(" ", box.Seconds.Select(s => $"{s.Accepted}/{s.Refused}"));

    private BackendBudget Create(int initialRate, int hardCap = 0, bool adaptive = true, int queueLimit = 2_000, int maxConcurrent = 32, IClusterNodes? nodes = null, IBudgetSignals? signals = null)
    {
        _budget = new BackendBudget(
            Options.Create(new ResilienceOptions
            {
                AdaptiveBudget = adaptive,
                InitialBackendCallsPerSecond = initialRate,
                MaxBackendCallsPerSecond = hardCap,
                MaxQueuedBackendCalls = queueLimit,
                MaxConcurrentBackendCalls = maxConcurrent,
            }),
            _time,
            nodes,
            signals);
        return _budget;
    }

    /// <summary>The other nodes, as far as the budget's cuts go.</summary>
    private sealed class FakeSignals : IBudgetSignals
    {
        public event Action? CutElsewhere;

        public int Told { get; private set; }

        public void Cut() => Told++;

        public void CutByAnother() => CutElsewhere?.Invoke();
    }

    /// <summary>A cluster whose count of live nodes the test sets.</summary>
    private sealed class FakeNodes : IClusterNodes
    {
        private int _count = 1;

        public event Action<int>? Changed;

        public IReadOnlyList<NodeView> Nodes =>
            [.. Enumerable.Range(0, _count).Select(i => new NodeView("n" + i, "host", "test", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, true))];

        public void Become(int count)
        {
            _count = count;
            Changed?.Invoke(count);
        }
    }

    /// <summary>A box that answers at once and refuses beyond its calls per second, in fixed one-second windows.</summary>
    private sealed class SimulatedBox(FakeTimeProvider time, int callsPerSecond)
    {
        private readonly List<long> _acceptedAt = [];
        private readonly List<Task<BackendBudget.Permit>> _pending = []; // Carried from one run to the next.
        private long _order;
        private readonly long _firstWindow = time.GetUtcNow().ToUnixTimeMilliseconds() / 1_000;
        private long _window = -1;
        private int _inWindow;

        public int CallsPerSecond { get; set; } = callsPerSecond;

        public bool Down { get; set; }

        /// <summary>Callers that keep one call each waiting (more than any box here bears).</summary>
        private const int Demand = 400;

        public List<(int Accepted, int Refused)> Seconds { get; } = [];

        /// <summary>The budget's calls-per-second limit at the end of each simulated second.</summary>
        public List<double> Limits { get; } = [];

        public int BusiestSlidingSecond =>
            _acceptedAt.Select((t, i) => _acceptedAt.Skip(i).TakeWhile(u => u - t < 1_000).Count()).DefaultIfEmpty().Max();

        /// <summary>Runs for <paramref name="seconds"/>; with <paramref name="callersPerSecond"/>, demand is that many calls a second.</summary>
        public void Run(BackendBudget budget, int seconds, int callersPerSecond = 0)
        {
            var pending = _pending;
            for (var ms = 0; ms < seconds * 1_000; ms++)
            {
                var wanted = callersPerSecond > 0 ? (ms % (1_000 / callersPerSecond) == 0 ? pending.Count + 1 : pending.Count) : Demand;
                while (pending.Count < wanted)
                {
                    pending.Add(budget.AcquireAsync(new BackendWork(BackendWorkKind.Purchase, _order++), CancellationToken.None).AsTask());
                }

                foreach (var task in pending.Where(t => t.IsCompletedSuccessfully).ToList())
                {
                    pending.Remove(task);
                    Granted(task).Complete(Call() ? CallSignal.Answered : CallSignal.Busy, TimeSpan.FromMilliseconds(2), BackendWorkKind.Purchase);
                }

                time.Advance(TimeSpan.FromMilliseconds(1));
                if ((ms + 1) % 1_000 == 0)
                {
                    Limits.Add(budget.Snapshot().CallsPerSecond);
                }
            }
        }

        private bool Call()
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var window = now / 1_000;
            if (window != _window)
            {
                _window = window;
                _inWindow = 0;
            }

            while (Seconds.Count <= window - _firstWindow)
            {
                Seconds.Add((0, 0)); // One entry per second since the box was set up, calls or none.
            }

            var accepted = !Down && _inWindow < CallsPerSecond;
            _inWindow += accepted ? 1 : 0;
            Seconds[(int)(window - _firstWindow)] = accepted ? (Seconds[(int)(window - _firstWindow)].Accepted + 1, Seconds[(int)(window - _firstWindow)].Refused) : (Seconds[(int)(window - _firstWindow)].Accepted, Seconds[(int)(window - _firstWindow)].Refused + 1);
            if (accepted)
            {
                _acceptedAt.Add(now);
            }

            return accepted;
        }
    }
}
