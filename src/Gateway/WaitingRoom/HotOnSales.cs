using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>A performance's hot flag as support set it.</summary>
internal sealed record HotSetting(bool Hot, string? Reason, string SetBy, DateTimeOffset Since);

/// <summary>Whether a performance is hot, and who said so (<c>GET/PUT /admin/api/performances/{id}/hot</c>).</summary>
/// <param name="Source"><c>admin</c> when support set it, <c>configuration</c> when it comes from <c>Gateway:WaitingRoom:Hot:Performances</c>, <c>default</c> otherwise.</param>
internal sealed record HotState(int PerformanceId, bool Hot, string Source, string? Reason, string? SetBy, DateTimeOffset? Since);

/// <summary>
/// Which performances are hot: those configured, unless support switched one on or off through the admin API, which
/// is persisted (one settings entry holding every switch), audited like mode and banner, and restored at start-up.
/// Read on every join, so it is a lock-free snapshot; writes copy it.
/// </summary>
internal sealed partial class HotOnSales(
    ISettingsStore store,
    IOptions<HotOnSaleOptions> options,
    TimeProvider time,
    ILogger<HotOnSales> logger) : IHostedService
{
    public const string SettingsKey = "waitingroom.hot";
    private readonly FrozenSet<int> _configured = options.Value.Performances.ToFrozenSet();
    private readonly PerformanceSwitches<HotSetting> _switches = new(store, SettingsKey, WaitingRoomJsonContext.Default.DictionaryInt32HotSetting);

    public bool IsHot(int performanceId)
    {
        var switched = _switches.Current;
        return switched.Count > 0 && switched.TryGetValue(performanceId, out var setting) ? setting.Hot : _configured.Contains(performanceId);
    }

    public HotState Describe(int performanceId)
    {
        if (_switches.Current.TryGetValue(performanceId, out var s))
        {
            return new HotState(performanceId, s.Hot, "admin", s.Reason, s.SetBy, s.Since);
        }

        var configured = _configured.Contains(performanceId);
        return new HotState(performanceId, configured, configured ? "configuration" : "default", null, null, null);
    }

    public async Task<HotState> SetAsync(int performanceId, bool hot, string? reason, string who, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await _switches.SetAsync(
            performanceId,
            new HotSetting(hot, reason, who, now),
            new AuditEntry(now, who, hot ? "hot.on" : "hot.off", $"performance {performanceId}", reason),
            cancellationToken);
        LogHotChanged(logger, performanceId, hot, who, reason ?? string.Empty);
        return Describe(performanceId);
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        StoreRetry.UntilAvailableAsync(ReloadAsync, "read the hot switches", time, logger, cancellationToken);

    /// <summary>Reads the switches as the store holds them: at start-up, and when another node changed them.</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) => _switches.ReloadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventIds.HotOnSaleChanged, LogLevel.Warning, "AUDIT performance {PerformanceId} hot set to {Hot} by {Operator}: {Reason}")]
    private static partial void LogHotChanged(ILogger logger, int performanceId, bool hot, string @operator, string reason);
}
