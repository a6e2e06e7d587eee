using System.Threading.RateLimiting;
using Polly;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Waits for a permit of a <see cref="RateLimiter"/> (calls in flight, or calls per second) before the call: what
/// Polly.RateLimiting would do, which cannot be restored here. Waiting honours the caller's cancellation, so it counts
/// against the request's deadline; a full queue fails at once with <see cref="BackendSaturatedException"/>.
/// </summary>
internal sealed class RateLimiterStrategy(RateLimiter limiter, int permitLimit) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        RateLimitLease lease;
        try
        {
            lease = await limiter.AcquireAsync(1, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (OperationCanceledException ex)
        {
            // Given up while waiting for a permit: the backend never saw this call.
            return Outcome.FromException<TResult>(new CallNotMadeException("The call was given up while waiting for its turn; it was not made.", ex));
        }

        using (lease)
        {
            if (!lease.IsAcquired)
            {
                return Outcome.FromException<TResult>(new BackendSaturatedException(permitLimit));
            }

            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
    }
}

internal sealed class RateLimiterStrategyOptions : ResilienceStrategyOptions
{
    public RateLimiterStrategyOptions(string name) => Name = name;
}
