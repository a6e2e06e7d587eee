using OnSale.Gateway.Admin;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway;

/// <summary>
/// Part of the composition (it reaches into several features): when another node of the same gateway changes the
/// mode, the banner or a hot switch, reads it again and applies it here, so that every node follows within the time a
/// message takes. One read per change; a failed read is logged and the next change or reconnection reads again.
/// </summary>
internal sealed partial class SettingsFollower(
    ISettingsStore store,
    DegradedMode mode,
    Banner banner,
    HotOnSales hot,
    AdmissionPauses pauses,
    ILogger<SettingsFollower> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.ChangedElsewhere += Follow;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.ChangedElsewhere -= Follow;
        return Task.CompletedTask;
    }

    private void Follow(string? key) => _ = FollowAsync(key);

    private async Task FollowAsync(string? key)
    {
        try
        {
            if (key is null or DegradedMode.SettingsKey)
            {
                await mode.RestoreAsync(CancellationToken.None);
            }

            if (key is null or Banner.SettingsKey)
            {
                await banner.RestoreAsync(CancellationToken.None);
            }

            if (key is null or HotOnSales.SettingsKey)
            {
                await hot.ReloadAsync(CancellationToken.None);
            }

            if (key is null or AdmissionPauses.SettingsKey)
            {
                await pauses.ReloadAsync(CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogFollowFailed(logger, key ?? "(all)", ex);
        }
    }

    [LoggerMessage(EventIds.RedisSettingFollowFailed, LogLevel.Error, "Could not apply the setting {Key} another node changed; the next change or reconnection reads it again")]
    private static partial void LogFollowFailed(ILogger logger, string key, Exception exception);
}
