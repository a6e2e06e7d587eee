using System.Diagnostics;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;
using OnSale.LegacyAdapters.Resilience;
using Polly;
using Polly.Timeout;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Times each backend call as its caller experiences it (waiting for a permit included), classifies the outcome for
/// metrics and <see cref="BackendHealth"/>, and wraps the attempt in a span, so that HttpClient's span nests under it
/// and it nests under the request or the replay that made the call.
/// </summary>
internal sealed class BackendTelemetryStrategy(GatewayMetrics metrics, BackendHealth health, TimeProvider time) : ResilienceStrategy
{
    // Retries run this strategy once per attempt on the same context: the count lives there.
    private static readonly ResiliencePropertyKey<int> Attempt = new("OnSale.Gateway.BackendAttempt");

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var operation = context.Properties.GetValue(VenueResilienceKeys.Operation, default).ToString();
        var attempt = context.Properties.GetValue(Attempt, 0) + 1;
        context.Properties.Set(Attempt, attempt);
        using var activity = GatewayTracing.Source.StartActivity("backend " + operation, ActivityKind.Internal);
        activity?.SetTag("onsale.backend.operation", operation);
        activity?.SetTag("onsale.backend.attempt", attempt);

        var started = time.GetTimestamp();
        health.CallStarted();
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        var elapsed = time.GetElapsedTime(started);
        var kind = Classify(outcome.Exception);
        var failed = IsFailure(outcome.Exception);
        health.CallFinished(elapsed, failed, busy: kind == "busy");
        metrics.BackendCall(operation, kind, elapsed);
        activity?.SetTag("onsale.backend.outcome", kind);
        if (activity is not null && kind is not ("success" or "fault"))
        {
            // A business fault (sold out, declined) is the backend's answer, not a failed call.
            activity.SetTag("error.type", kind);
            activity.SetStatus(ActivityStatusCode.Error, outcome.Exception?.Message);
        }

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
