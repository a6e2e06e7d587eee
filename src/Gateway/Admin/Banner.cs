using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Admin;

/// <summary>A notice shown in every open widget.</summary>
internal sealed record BannerState(string Message, string Level, DateTimeOffset Since);

/// <summary>The support banner: set by support engineers, read by every widget; persisted and audited.</summary>
internal sealed partial class Banner(ISettingsStore store, TimeProvider time, ILogger<Banner> logger)
{
    public static readonly string[] Levels = ["info", "warning", "critical"];
    public const string SettingsKey = "banner";
    private BannerState? _current;

    public BannerState? Current => Volatile.Read(ref _current);

    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var json = await store.GetAsync(SettingsKey, cancellationToken);
        Volatile.Write(ref _current, json is null ? null : JsonSerializer.Deserialize(json, AdminJsonContext.Default.BannerState));
    }

    /// <summary>Sets the banner, or clears it when <paramref name="message"/> is empty.</summary>
    public async Task<BannerState?> SetAsync(string? message, string level, string who, string? reason, CancellationToken cancellationToken)
    {
        var next = string.IsNullOrWhiteSpace(message) ? null : new BannerState(message.Trim(), level, time.GetUtcNow());
        await store.SetAsync(SettingsKey, next is null ? null : JsonSerializer.Serialize(next, AdminJsonContext.Default.BannerState), cancellationToken);
        await store.AppendAuditAsync(new AuditEntry(time.GetUtcNow(), who, next is null ? "banner.cleared" : "banner.set", next?.Message ?? string.Empty, reason), cancellationToken);
        Volatile.Write(ref _current, next);
        LogBanner(logger, who, level, next?.Message ?? "(cleared)");
        return next;
    }

    [LoggerMessage(EventIds.AdminAuditBanner, LogLevel.Warning, "AUDIT banner set by {Operator} ({Level}): {Message}")]
    private static partial void LogBanner(ILogger logger, string @operator, string level, string message);
}
