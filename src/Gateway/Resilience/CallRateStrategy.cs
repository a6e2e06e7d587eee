using Polly;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// No more than <c>cap</c> backend calls start within any one second, wherever that second begins: each call records
/// when it started, and a caller waits until fewer than <c>cap</c> calls started in the last second. Exact by
/// construction (a sliding log), on <see cref="TimeProvider"/> time; a token bucket refilled by a timer is not, since
/// late timer callbacks bunch up. Waiting honours the caller's cancellation (their deadline); beyond
/// <c>queueLimit</c> waiting callers a call fails at once with <see cref="BackendSaturatedException"/>.
/// </summary>
internal sealed class CallRateStrategy(int cap, int queueLimit, TimeProvider time) : ResilienceStrategy
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Queue<long> _starts = new(cap);
    private readonly Lock _gate = new();
    private int _waiting;

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var queued = false;
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    var now = time.GetTimestamp();
                    while (_starts.Count > 0 && time.GetElapsedTime(_starts.Peek(), now) >= Window)
                    {
                        _starts.Dequeue();
                    }

                    if (_starts.Count < cap)
                    {
                        _starts.Enqueue(now);
                        break;
                    }

                    if (!queued)
                    {
                        if (_waiting >= queueLimit)
                        {
                            return Outcome.FromException<TResult>(new BackendSaturatedException(cap));
                        }

                        _waiting++;
                        queued = true;
                    }

                    wait = Window - time.GetElapsedTime(_starts.Peek(), now);
                }

                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), time, context.CancellationToken)
                    .ConfigureAwait(context.ContinueOnCapturedContext);
            }
        }
        catch (OperationCanceledException ex)
        {
            // Given up while waiting for a permit: the backend never saw this call.
            return Outcome.FromException<TResult>(new CallNotMadeException("The call was given up while waiting for its turn; it was not made.", ex));
        }
        finally
        {
            if (queued)
            {
                lock (_gate)
                {
                    _waiting--;
                }
            }
        }

        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
