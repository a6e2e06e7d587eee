using System.Threading.RateLimiting;
using Polly;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Caps backend calls in flight with <see cref="ConcurrencyLimiter"/> (Polly.RateLimiting, which would wrap the same
/// limiter, cannot be restored here). Waiting for a slot honours the caller's cancellation, so it counts against the
/// request's deadline; a full queue fails at once with <see cref="BackendSaturatedException"/>.
/// </summary>
internal sealed class ConcurrencyLimitStrategy(ConcurrencyLimiter limiter, int permitLimit) : ResilienceStrategy
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
            return Outcome.FromException<TResult>(ex);
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

internal sealed class ConcurrencyLimitStrategyOptions : ResilienceStrategyOptions
{
    public ConcurrencyLimitStrategyOptions() => Name = "ConcurrencyLimit";
}
