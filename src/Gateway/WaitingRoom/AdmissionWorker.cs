using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// Restores the rooms before the server takes requests, then runs an admission round every
/// <see cref="WaitingRoomOptions.AdmissionInterval"/>. The loop survives any error (logged, counted) and is bounded by
/// its interval.
/// </summary>
internal sealed partial class AdmissionWorker(
    WaitingRoomKeys keys,
    WaitingRoomService rooms,
    TimeProvider time,
    IOptions<WaitingRoomOptions> options,
    GatewayMetrics metrics,
    ILogger<AdmissionWorker> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.ActivationThreshold > o.MaxActiveBuyers)
        {
            LogThresholdAboveCeiling(logger, o.ActivationThreshold, o.MaxActiveBuyers);
        }

        await StoreRetry.UntilAvailableAsync(keys.InitializeAsync, "read the shared signing key", time, logger, cancellationToken);
        await rooms.RestoreAsync(cancellationToken);
        metrics.Meter.CreateObservableGauge(
            "onsale.waitingroom.waiting",
            () => rooms.Snapshot().Select(q => new System.Diagnostics.Metrics.Measurement<int>(q.Waiting + q.Lobby, new KeyValuePair<string, object?>("performance", q.PerformanceId))),
            "{buyer}",
            "Buyers in line (lobby included), per performance.");
        metrics.Meter.CreateObservableGauge(
            "onsale.waitingroom.active_buyers",
            () => rooms.Snapshot().Select(q => new System.Diagnostics.Metrics.Measurement<int>(q.ActiveBuyers, new KeyValuePair<string, object?>("performance", q.PerformanceId))),
            "{buyer}",
            "Admitted buyers who may hold and buy now, per performance.");
        metrics.Meter.CreateObservableGauge(
            "onsale.waitingroom.admission_limit",
            () => rooms.Snapshot().Select(q => new System.Diagnostics.Metrics.Measurement<int>(q.AdmissionLimit, new KeyValuePair<string, object?>("performance", q.PerformanceId))),
            "{buyer}",
            "The adaptive limit on active buyers, per performance.");
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await rooms.TickAsync(stoppingToken);
                await Task.Delay(options.Value.AdmissionInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRoundFailed(logger, ex);
                await Task.Delay(options.Value.AdmissionInterval, time, stoppingToken);
            }
        }
    }

    [LoggerMessage(EventIds.WaitingRoomThresholdAboveCeiling, LogLevel.Warning, "Gateway:WaitingRoom:ActivationThreshold ({Threshold}) is above MaxActiveBuyers ({Ceiling}): the waiting room switches on at the ceiling")]
    private static partial void LogThresholdAboveCeiling(ILogger logger, int threshold, int ceiling);

    [LoggerMessage(EventIds.AdmissionRoundFailed, LogLevel.Error, "Admission round failed; retrying")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
