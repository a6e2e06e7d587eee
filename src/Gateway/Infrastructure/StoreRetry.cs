namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// Start-up work that needs the shared store (Redis): while it is unavailable, waits and tries again every two
/// seconds, so that a node started during a Redis outage listens, unready (readiness names Redis), and carries on
/// with its start once Redis answers. The embedded store never throws <see cref="StoreUnavailableException"/>, so
/// there the work runs once.
/// </summary>
internal static partial class StoreRetry
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    public static async Task UntilAvailableAsync(Func<CancellationToken, Task> work, string what, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work(cancellationToken);
                return;
            }
            catch (StoreUnavailableException ex)
            {
                if (attempt == 1)
                {
                    LogWaiting(logger, what, ex.Message);
                }
            }

            await Task.Delay(Every, time, cancellationToken);
        }
    }

    [LoggerMessage(EventIds.StateRestoreWaiting, LogLevel.Error, "Cannot {What} yet ({Reason}): not ready; trying again every two seconds")]
    private static partial void LogWaiting(ILogger logger, string what, string reason);
}
