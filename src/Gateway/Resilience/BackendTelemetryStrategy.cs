using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;
using OnSale.LegacyAdapters.Resilience;
using Polly;
using Polly.Timeout;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Times each backend call as its caller experiences it (waiting for a permit included) and classifies the outcome
/// for metrics and <see cref="BackendHealth"/>.
/// </summary>
internal sealed class BackendTelemetryStrategy(GatewayMetrics metrics, BackendHealth health, TimeProvider time) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var started = time.GetTimestamp();
        health.CallStarted();
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        var elapsed = time.GetElapsedTime(started);
        var kind = Classify(outcome.Exception);
        health.CallFinished(elapsed, failed: IsFailure(outcome.Exception), busy: kind == "busy");
        metrics.BackendCall(context.Properties.GetValue(VenueResilienceKeys.Operation, default).ToString(), kind, elapsed);
        return outcome;
    }

    /// <summary>The failures that count against the backend's health (and the breaker): not business faults.</summary>
    public static bool IsFailure(Exception? exception) => exception is
        BackendUnavailableException or ProtocolErrorException or TimeoutRejectedException or HttpRequestException;

    private static string Classify(Exception? exception) => exception switch
    {
        null => "success",
        BackendSaturatedException => "saturated",
        CallNotMadeException => "not_made",
        BackendTimeoutException or TimeoutRejectedException or OperationCanceledException => "timeout",
        BackendUnavailableException { FaultCode: 503 } => "busy",
        BackendUnavailableException => "unavailable",
        ProtocolErrorException => "protocol_error",
        VenueBackendException => "fault",
        _ => "error",
    };
}

internal sealed class BackendTelemetryStrategyOptions : ResilienceStrategyOptions
{
    public BackendTelemetryStrategyOptions() => Name = "BackendTelemetry";
}
