using OnSale.LegacyAdapters;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Outermost: turns Polly's own rejections into the adapter's exception hierarchy, so that callers handle one family
/// of errors (<see cref="VenueBackendException"/>) whether the backend or the pipeline said no.
/// </summary>
internal sealed class PollyExceptionTranslation(Func<TimeSpan> breakDuration) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        return outcome.Exception switch
        {
            IsolatedCircuitException isolated => Outcome.FromException<TResult>(new CircuitOpenException(true, TimeSpan.FromSeconds(5), isolated)),
            BrokenCircuitException broken => Outcome.FromException<TResult>(new CircuitOpenException(false, broken.RetryAfter ?? breakDuration(), broken)),
            TimeoutRejectedException timeout => Outcome.FromException<TResult>(
                new BackendTimeoutException($"The backend did not answer within {timeout.Timeout.TotalMilliseconds:0} ms.", timeout.Timeout, timeout)),
            _ => outcome,
        };
    }
}

internal sealed class PollyExceptionTranslationOptions : ResilienceStrategyOptions
{
    public PollyExceptionTranslationOptions() => Name = "ExceptionTranslation";
}
