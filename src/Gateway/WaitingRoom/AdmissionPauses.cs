using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>A performance's admission as support last set it: paused or going on, why, and what buyers are told.</summary>
internal sealed record AdmissionSetting(bool Paused, string Reason, string? Message, string SetBy, DateTimeOffset Since);

/// <summary>Whether admission of a performance is paused, and who said so (<c>GET/PUT /admin/api/performances/{id}/admission</c>).</summary>
/// <param name="Message">While paused, the operator's words to the buyers in line, if they gave any.</param>
internal sealed record AdmissionState(int PerformanceId, bool Paused, string? Reason, string? Message, DateTimeOffset? Since, string? SetBy);

/// <summary>
/// The performances whose admission support paused ("queue-all"): while paused every newcomer queues, the admission
/// rounds let nobody in, and whoever is admitted keeps their turn. Persisted and audited like the hot switches
/// (<see cref="PerformanceSwitches{TSetting}"/>), restored before the first admission round and followed by every node
/// (<see cref="SettingsFollower"/>).
/// </summary>
internal sealed partial class AdmissionPauses(ISettingsStore store, TimeProvider time, ILogger<AdmissionPauses> logger) : IHostedService
{
    public const string SettingsKey = "waitingroom.admission";

    /// <summary>What a waiting buyer is told while admission is paused and the operator gave no message.</summary>
    public const string DefaultMessage = "The venue has paused admission for a moment. You keep your place in line.";

    private readonly PerformanceSwitches<AdmissionSetting> _switches = new(store, SettingsKey, WaitingRoomJsonContext.Default.DictionaryInt32AdmissionSetting);

    public bool IsPaused(int performanceId) => PausedMessage(performanceId) is not null;

    /// <summary>What a waiting buyer of a paused performance is told; null while its admission goes on.</summary>
    public string? PausedMessage(int performanceId)
    {
        var switches = _switches.Current;
        return switches.Count > 0 && switches.TryGetValue(performanceId, out var s) && s.Paused ? s.Message ?? DefaultMessage : null;
    }

    public AdmissionState Describe(int performanceId) =>
        _switches.Current.TryGetValue(performanceId, out var s)
            ? new AdmissionState(performanceId, s.Paused, s.Reason, s.Message, s.Since, s.SetBy)
            : new AdmissionState(performanceId, false, null, null, null, null);

    /// <summary>Pauses or resumes; a resumed performance keeps no message (buyers are told nothing more).</summary>
    public async Task<AdmissionState> SetAsync(int performanceId, bool paused, string reason, string? message, string who, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await _switches.SetAsync(
            performanceId,
            new AdmissionSetting(paused, reason, paused ? message : null, who, now),
            new AuditEntry(now, who, paused ? "admission.paused" : "admission.resumed", $"performance {performanceId}", reason),
            cancellationToken);
        LogAdmissionChanged(logger, performanceId, paused, who, reason);
        return Describe(performanceId);
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        StoreRetry.UntilAvailableAsync(ReloadAsync, "read the admission pauses", time, logger, cancellationToken);

    /// <summary>Reads the pauses as the store holds them: at start-up, and when another node changed them.</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) => _switches.ReloadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventIds.AdmissionPauseChanged, LogLevel.Warning, "AUDIT performance {PerformanceId} admission paused set to {Paused} by {Operator}: {Reason}")]
    private static partial void LogAdmissionChanged(ILogger logger, int performanceId, bool paused, string @operator, string reason);
}
