using OnSale.Gateway.Admin;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;

namespace OnSale.Gateway;

/// <summary>
/// Part of the composition (it reaches into several features): brings durable state back before the server takes requests: degraded mode, the banner, the last known
/// availability and performance list, and the seats promised to purchases still parked, so that a restart neither forgets nor over-promises.
/// </summary>
internal sealed class StateRestorer(
    DegradedMode mode,
    Banner banner,
    IPurchaseJournal journal,
    AvailabilityService availability,
    ReplaySignal replay,
    ParkedSeats parked,
    GatewayReadiness readiness,
    TimeProvider time,
    ILogger<StateRestorer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        StoreRetry.UntilAvailableAsync(RestoreAsync, "restore the shared state", time, logger, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await mode.RestoreAsync(cancellationToken);
        await banner.RestoreAsync(cancellationToken);
        await availability.RestoreAsync(cancellationToken);
        await journal.RecoverInterruptedAsync(cancellationToken);
        foreach (var pending in await journal.GetPendingAsync(int.MaxValue, cancellationToken))
        {
            if (pending.HoldId is null)
            {
                availability.RestorePromise(pending.PerformanceId, pending.ZoneId, pending.Quantity);
                parked.Add(pending.ClientKey, pending.Quantity);
            }
        }

        readiness.MarkReady();
        replay.Wake();
    }
}
