using OnSale.LegacyAdapters;
using Polly;
using Polly.Timeout;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Takes a permit of the <see cref="BackendBudget"/> for the call's work (<see cref="BackendWork.Current"/>), makes the
/// call, and tells the budget what the answer showed. Waiting counts against the caller's deadline; given up while
/// waiting, the call was never made (<see cref="CallNotMadeException"/>).
/// </summary>
internal sealed class BackendBudgetStrategy(BackendBudget budget, TimeProvider time) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var work = BackendWork.Current(time);
        BackendBudget.Permit permit;
        try
        {
            permit = await budget.AcquireAsync(work, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (BackendSaturatedException ex)
        {
            return Outcome.FromException<TResult>(ex);
        }
        catch (OperationCanceledException ex)
        {
            // Given up while waiting for a permit: the backend never saw this call.
            return Outcome.FromException<TResult>(new CallNotMadeException("The call was given up while waiting for its turn; it was not made.", ex));
        }

        var started = time.GetTimestamp();
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        permit.Complete(Signal(outcome.Exception), time.GetElapsedTime(started), work.Kind);
        return outcome;
    }

    private static CallSignal Signal(Exception? exception) => exception switch
    {
        null => CallSignal.Answered,
        BackendUnavailableException { FaultCode: 503 } => CallSignal.Busy,
        TimeoutRejectedException or BackendTimeoutException => CallSignal.Timeout,
        BackendUnavailableException or ProtocolErrorException or OperationCanceledException or HttpRequestException => CallSignal.Ignored,
        _ => CallSignal.Answered, // A business fault: the backend answered.
    };
}

internal sealed class BackendBudgetStrategyOptions : ResilienceStrategyOptions
{
    public BackendBudgetStrategyOptions() => Name = "BackendBudget";
}
