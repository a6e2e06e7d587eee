using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.LegacyAdapters;
using OnSale.LegacyAdapters.Resilience;
using OnSale.Tests.Common.Time;
using Polly;

namespace OnSale.Gateway.Tests.Resilience;

public sealed class BackendResilienceTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly TestMeterFactory _meters = new();
    private BackendBudget? _budget;

    public void Dispose()
    {
        _budget?.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task Breaker_ThirtyPercentBusy_StaysClosed()
    {
        var resilience = Create();

        for (var i = 0; i < 30; i++)
        {
            await RunAsync(resilience, VenueOperation.ReserveTickets, i % 10 < 3 ? Busy : Ok);
        }

        Assert.Equal(BreakerState.Closed, resilience.State);
    }

    [Fact]
    public async Task Breaker_MostCallsFail_OpensAndRefusesWithoutCalling()
    {
        var resilience = Create();
        for (var i = 0; i < 12; i++)
        {
            await RunAsync(resilience, VenueOperation.ReserveTickets, i % 5 == 0 ? Ok : Busy);
        }

        var called = false;
        var error = await RunAsync(resilience, VenueOperation.ReserveTickets, () =>
        {
            called = true;
            return Task.FromResult(1);
        });

        Assert.Equal(BreakerState.Open, resilience.State);
        var open = Assert.IsType<CircuitOpenException>(error);
        Assert.False(open.Isolated);
        Assert.False(called);
    }

    [Fact]
    public async Task Breaker_AfterBreakDuration_ASuccessfulProbeClosesIt()
    {
        var resilience = Create();
        for (var i = 0; i < 12; i++)
        {
            await RunAsync(resilience, VenueOperation.Checkout, Busy);
        }

        _time.Advance(TimeSpan.FromSeconds(6));
        var error = await RunAsync(resilience, VenueOperation.Checkout, Ok);

        Assert.Null(error);
        Assert.Equal(BreakerState.Closed, resilience.State);
    }

    [Fact]
    public async Task Breaker_BusinessFaults_DoNotCountAsFailures()
    {
        var resilience = Create();

        for (var i = 0; i < 30; i++)
        {
            await RunAsync(resilience, VenueOperation.ReserveTickets, () => throw new NotEnoughSeatsException("Not enough seats: 0 available"));
        }

        Assert.Equal(BreakerState.Closed, resilience.State);
    }

    [Fact]
    public async Task Reads_FailOnceThenSucceed_AreRetried()
    {
        var resilience = Create(retries: 2);
        var calls = 0;

        var error = await RunAsync(resilience, VenueOperation.GetAvailability, () => ++calls == 1 ? Busy() : Ok());

        Assert.Null(error);
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(VenueOperation.ReserveTickets)]
    [InlineData(VenueOperation.ReleaseTickets)]
    [InlineData(VenueOperation.Checkout)]
    public async Task Writes_Failing_AreNeverRetried(VenueOperation operation)
    {
        var resilience = Create(retries: 2);
        var calls = 0;

        var error = await RunAsync(resilience, operation, () =>
        {
            calls++;
            return Busy();
        });

        Assert.IsType<BackendUnavailableException>(error);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ConcurrencyLimit_ManyCallers_NeverMoreInFlightThanTheLimit()
    {
        var resilience = Create(maxConcurrent: 4);
        var gate = new TaskCompletionSource();
        var inFlight = 0;
        var maxSeen = 0;

        var calls = Enumerable.Range(0, 40).Select(_ => RunAsync(resilience, VenueOperation.GetAvailability, async () =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxSeen, now);
            await gate.Task;
            Interlocked.Decrement(ref inFlight);
            return 1;
        })).ToList();
        await OnSale.Tests.Common.Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref inFlight)), n => n == 4, "four calls in flight");
        gate.SetResult();
        var errors = await Task.WhenAll(calls);

        Assert.All(errors, Assert.Null);
        Assert.Equal(4, maxSeen);
    }

    [Fact]
    public async Task ConcurrencyLimit_QueueFull_RefusesAtOnceWithoutOpeningTheBreaker()
    {
        var resilience = Create(maxConcurrent: 1, maxQueued: 0);
        var gate = new TaskCompletionSource<int>();
        var first = RunAsync(resilience, VenueOperation.Checkout, () => gate.Task);

        var errors = new List<Exception?>();
        for (var i = 0; i < 20; i++)
        {
            errors.Add(await RunAsync(resilience, VenueOperation.Checkout, Ok));
        }

        gate.SetResult(1);
        Assert.Null(await first);
        Assert.All(errors, e => Assert.IsType<BackendSaturatedException>(e));
        Assert.Equal(BreakerState.Closed, resilience.State);
    }

    [Fact]
    public async Task Timeout_CallOutlivesTheAttemptTimeout_FailsAsBackendTimeout()
    {
        var resilience = Create();
        var call = RunAsync(resilience, VenueOperation.Checkout, async cancellationToken =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken);
            return 1;
        });

        await OnSale.Tests.Common.Eventually.HoldsAsync(() => Task.FromResult(call.IsCompleted), done => done, "the attempt times out", time: _time, advance: TimeSpan.FromMilliseconds(500));

        Assert.IsType<BackendTimeoutException>(await call);
    }

    [Fact]
    public async Task CallRateCap_ManyCallsAtOnce_NoSecondHoldsMoreThanTheCap()
    {
        var resilience = Create(maxCallsPerSecond: 10);
        var started = new List<DateTimeOffset>();
        var startedCount = 0;

        var calls = Enumerable.Range(0, 35).Select(_ => RunAsync(resilience, VenueOperation.GetAvailability, () =>
        {
            lock (started)
            {
                started.Add(_time.GetUtcNow());
            }

            Interlocked.Increment(ref startedCount);
            return Ok();
        })).ToList();
        for (var step = 0; step < 100 && !calls.All(c => c.IsCompleted); step++)
        {
            // The clock moves only once every call let through has begun, so each start is stamped with its own time.
            await OnSale.Tests.Common.Eventually.HoldsAsync(
                () => Task.FromResult(Volatile.Read(ref startedCount) == _budget!.Granted),
                caughtUp => caughtUp,
                "every call let through has begun");
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.All(await Task.WhenAll(calls), Assert.Null);
        var busiestSecond = started.Max(t => started.Count(u => u >= t && u < t.AddSeconds(1)));
        Assert.Equal(10, busiestSecond);
        Assert.True(started.Max() - started.Min() >= TimeSpan.FromSeconds(3), "35 calls at 10 per second need at least 3 seconds");
    }

    [Fact]
    public async Task CallRateCap_QueueFull_RefusesAtOnce()
    {
        var resilience = Create(maxCallsPerSecond: 1, maxQueued: 0);
        await RunAsync(resilience, VenueOperation.GetAvailability, Ok);

        var error = await RunAsync(resilience, VenueOperation.GetAvailability, Ok);

        Assert.IsType<BackendSaturatedException>(error);
    }

    [Fact]
    public async Task ManualControl_Isolated_RefusesEveryCallAsDegraded()
    {
        var resilience = Create();
        await resilience.ManualControl.IsolateAsync();

        var error = await RunAsync(resilience, VenueOperation.GetAvailability, Ok);

        Assert.True(Assert.IsType<CircuitOpenException>(error).Isolated);
        Assert.Equal(BreakerState.Isolated, resilience.State);
        Assert.True(resilience.IsRefusingCalls);
    }

    private static Task<int> Ok() => Task.FromResult(1);

    private static Task<int> Busy() => Task.FromException<int>(new BackendUnavailableException("Backend busy"));

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private BackendResilience Create(int retries = 0, int maxConcurrent = 32, int maxQueued = 100, int maxCallsPerSecond = 0)
    {
        var options = Options.Create(new ResilienceOptions
        {
            ReadRetries = retries,
            ReadRetryDelay = TimeSpan.Zero,
            MaxConcurrentBackendCalls = maxConcurrent,
            MaxQueuedBackendCalls = maxQueued,
            MinimumThroughput = 10,
            FailureRatio = 0.6,
            BreakDuration = TimeSpan.FromSeconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(2),
            MaxBackendCallsPerSecond = maxCallsPerSecond,
            AdaptiveBudget = false, // The pipeline's parts, not the learning (BackendBudgetTests).
        });
        _budget = new BackendBudget(options, _time);
        return new BackendResilience(options, _time, new GatewayMetrics(_meters), new BackendHealth(_time), _budget, NullLogger<BackendResilience>.Instance);
    }

    private static Task<Exception?> RunAsync(BackendResilience resilience, VenueOperation operation, Func<Task<int>> call) =>
        RunAsync(resilience, operation, _ => call());

    /// <summary>Runs a call through the operation's pipeline, as the adapter's decorator does; returns its exception, if any.</summary>
    private static async Task<Exception?> RunAsync(BackendResilience resilience, VenueOperation operation, Func<CancellationToken, Task<int>> call)
    {
        var context = ResilienceContextPool.Shared.Get("venue." + operation);
        context.Properties.Set(VenueResilienceKeys.Operation, operation);
        try
        {
            await resilience.For(operation).ExecuteAsync(static async (ctx, c) => await c(ctx.CancellationToken), context, call);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
