using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Resilience;

/// <summary>
/// Returns a degraded mode set with <c>until</c> to normal once that time passes, so nobody has to remember to: a look
/// once a second at the mode this node holds (no store read unless one is due), on the gateway's clock. Every node runs
/// it; the first to see it due reverts it for all, and the others find it reverted.
/// </summary>
internal sealed partial class ModeExpiry(DegradedMode mode, TimeProvider time, ILogger<ModeExpiry> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => EverySecond.RunAsync(RoundAsync, time, stoppingToken);

    private async Task RoundAsync()
    {
        try
        {
            await mode.RevertIfDueAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The store may be down: the next round tries again, and the mode stays as every node has it meanwhile.
            LogRevertFailed(logger, ex);
        }
    }

    [LoggerMessage(EventIds.ModeUntilRevertFailed, LogLevel.Error, "Could not return the degraded mode to normal at its until; trying again in a second")]
    private static partial void LogRevertFailed(ILogger logger, Exception exception);
}
