using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OnSale.Gateway.Resilience;

/// <summary>The breaker as support engineers see it (CONTRACT.md §3).</summary>
internal enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
    Isolated,
}

/// <summary>
/// The Polly pipelines every backend call goes through, built once. Outer to inner:
/// exception translation → retry (reads only) → one shared circuit breaker → telemetry → one shared
/// <see cref="BackendBudget"/> (calls per second and in flight, learned) → per-attempt timeout → the call. Reads and
/// writes share the breaker and the budget, because the backend's health and capacity are one; only reads are retried, because every call is a POST and a blind retry of
/// ReserveTickets or Checkout can hold or buy twice. Degraded mode is the breaker's manual control (isolated).
/// </summary>
internal sealed partial class BackendResilience
{
    private readonly ResiliencePipeline _reads;
    private readonly ResiliencePipeline _writes;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<BackendResilience> _logger;

    public BackendResilience(
        IOptions<ResilienceOptions> options,
        TimeProvider time,
        GatewayMetrics metrics,
        BackendHealth health,
        BackendBudget budget,
        ILogger<BackendResilience> logger)
    {
        var o = options.Value;
        _metrics = metrics;
        _logger = logger;

        var builder = new ResiliencePipelineBuilder { TimeProvider = time, Name = "backend" }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = o.FailureRatio,
                SamplingDuration = o.SamplingDuration,
                MinimumThroughput = o.MinimumThroughput,
                BreakDuration = o.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(BackendTelemetryStrategy.IsFailure(args.Outcome.Exception)
                    && args.Outcome.Exception is not CallNotMadeException),
                StateProvider = StateProvider,
                ManualControl = ManualControl,
                OnOpened = args =>
                {
                    LogBreakerOpened(_logger, args.BreakDuration.TotalSeconds, args.IsManual, args.Outcome.Exception?.Message);
                    _metrics.BreakerTransition(args.IsManual ? "isolated" : "open");
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    LogBreakerHalfOpened(_logger);
                    _metrics.BreakerTransition("half-open");
                    return ValueTask.CompletedTask;
                },
                OnClosed = args =>
                {
                    LogBreakerClosed(_logger, args.IsManual);
                    _metrics.BreakerTransition("closed");
                    return ValueTask.CompletedTask;
                },
            })
            // Measured as callers see it, waiting for a permit included: the signal admission paces itself by.
            .AddStrategy(_ => new BackendTelemetryStrategy(metrics, health, time), new BackendTelemetryStrategyOptions());
        var shared = builder
            .AddStrategy(_ => new BackendBudgetStrategy(budget, time), new BackendBudgetStrategyOptions())
            .AddTimeout(o.AttemptTimeout)
            .Build();

        _writes = new ResiliencePipelineBuilder { TimeProvider = time, Name = "backend-writes" }
            .AddStrategy(_ => new PollyExceptionTranslation(() => o.BreakDuration), new PollyExceptionTranslationOptions())
            .AddPipeline(shared)
            .Build();

        _reads = new ResiliencePipelineBuilder { TimeProvider = time, Name = "backend-reads" }
            .AddStrategy(_ => new PollyExceptionTranslation(() => o.BreakDuration), new PollyExceptionTranslationOptions())
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, o.ReadRetries),
                Delay = o.ReadRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(o.ReadRetries > 0 && args.Outcome.Exception is
                    (BackendUnavailableException and not CallNotMadeException) or TimeoutRejectedException),
            })
            .AddPipeline(shared)
            .Build();

        metrics.Meter.CreateObservableGauge("onsale.breaker.state", () => (int)State, "{state}", "Circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated (degraded mode).");
        metrics.Meter.CreateObservableUpDownCounter("onsale.backend.calls.in_flight", () => health.InFlight, "{call}", "Backend calls in flight.");
        metrics.Meter.CreateObservableGauge("onsale.backend.budget.calls_per_second", () => budget.Snapshot().CallsPerSecond, "{call}/s", "The budget's limit of backend calls per second, learned from the backend's answers.");
        metrics.Meter.CreateObservableGauge("onsale.backend.budget.in_flight_limit", () => budget.Snapshot().InFlightLimit, "{call}", "The budget's limit of backend calls in flight.");
        metrics.Meter.CreateObservableGauge(
            "onsale.backend.budget.waiting",
            () => budget.Snapshot().Waiting.Select((n, kind) => new System.Diagnostics.Metrics.Measurement<int>(n, new KeyValuePair<string, object?>("work", ((BackendWorkKind)kind).ToString().ToLowerInvariant()))),
            "{call}",
            "Backend calls waiting for a permit, per kind of work.");
    }

    public CircuitBreakerStateProvider StateProvider { get; } = new();

    public CircuitBreakerManualControl ManualControl { get; } = new();

    public BreakerState State => StateProvider.CircuitState switch
    {
        CircuitState.Open => BreakerState.Open,
        CircuitState.HalfOpen => BreakerState.HalfOpen,
        CircuitState.Isolated => BreakerState.Isolated,
        _ => BreakerState.Closed,
    };

    /// <summary>True while calls are refused without being made (open or isolated).</summary>
    public bool IsRefusingCalls => State is BreakerState.Open or BreakerState.Isolated;

    public ResiliencePipeline For(VenueOperation operation) => operation.IsSafeToRetry() ? _reads : _writes;

    [LoggerMessage(EventIds.BreakerOpened, LogLevel.Warning, "Circuit opened for {BreakSeconds} s (manual: {IsManual}) after: {LastError}")]
    private static partial void LogBreakerOpened(ILogger logger, double breakSeconds, bool isManual, string? lastError);

    [LoggerMessage(EventIds.BreakerHalfOpened, LogLevel.Information, "Circuit half-open: probing the backend")]
    private static partial void LogBreakerHalfOpened(ILogger logger);

    [LoggerMessage(EventIds.BreakerClosed, LogLevel.Information, "Circuit closed (manual: {IsManual}): backend calls flow again")]
    private static partial void LogBreakerClosed(ILogger logger, bool isManual);
}
