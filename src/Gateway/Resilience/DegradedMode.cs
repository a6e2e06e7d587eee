using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Resilience;

/// <summary>The manual degraded mode as set by a support engineer; with <paramref name="Until"/>, it reverts by itself then.</summary>
internal sealed record ModeState(bool Degraded, string? Reason, string? SetBy, DateTimeOffset? Since, DateTimeOffset? Until = null);

/// <summary>
/// Manual degraded mode: the circuit isolated through Polly's manual control, so no purchase reaches the backend
/// (they park) and availability comes from the cache. Persisted, so a restart keeps it; every change is audited.
/// </summary>
internal sealed partial class DegradedMode(
    BackendResilience resilience,
    ISettingsStore store,
    TimeProvider time,
    ILogger<DegradedMode> logger)
{
    public const string SettingsKey = "mode";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ModeState _state = new(false, null, null, null);

    public ModeState Current => Volatile.Read(ref _state);

    /// <summary>Degraded in effect: manually, or because the breaker opened on its own.</summary>
    public bool IsDegraded => Current.Degraded || resilience.IsRefusingCalls;

    /// <summary>Why purchases park right now, in words for the status page.</summary>
    public string? Reason => Current.Degraded
        ? Current.Reason
        : resilience.State switch
        {
            BreakerState.Open => "The backend is failing; the circuit is open.",
            BreakerState.HalfOpen => "The backend is recovering; the circuit is probing it.",
            _ => null,
        };

    /// <summary>
    /// Applies the mode as the store holds it: at start-up, and when another node of the same gateway changed it
    /// (the circuit is isolated or closed to match; the node that made the change audited it).
    /// </summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var json = await store.GetAsync(SettingsKey, cancellationToken);
            var saved = (json is null ? null : JsonSerializer.Deserialize(json, ResilienceJsonContext.Default.ModeState)) ?? new ModeState(false, null, null, null);
            if (saved.Degraded && !Current.Degraded)
            {
                await resilience.ManualControl.IsolateAsync(cancellationToken);
            }
            else if (!saved.Degraded && Current.Degraded)
            {
                await resilience.ManualControl.CloseAsync(cancellationToken);
            }

            Volatile.Write(ref _state, saved);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The operator name audit lines carry for what the gateway does by itself.</summary>
    public const string Gateway = "gateway";

    /// <summary>
    /// Sets the mode, persisted and audited. Degraded with <paramref name="until"/> returns to normal by itself then
    /// (<see cref="RevertIfDueAsync"/>).
    /// </summary>
    public Task<ModeState> SetAsync(bool degraded, string reason, string who, CancellationToken cancellationToken, DateTimeOffset? until = null) =>
        SetAsync(degraded, reason, who, degraded ? "mode.degraded" : "mode.normal", until is { } u ? $"until {u.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty, until, cancellationToken);

    /// <summary>
    /// Returns to normal when the degraded mode's <c>until</c> has passed, as the store holds it (another node may have
    /// reverted it or an operator changed it meanwhile); audited as <c>mode.reverted</c> by <see cref="Gateway"/>.
    /// </summary>
    public async Task<bool> RevertIfDueAsync(CancellationToken cancellationToken)
    {
        if (Current is not { Degraded: true, Until: { } until } || until > time.GetUtcNow())
        {
            return false;
        }

        var json = await store.GetAsync(SettingsKey, cancellationToken);
        var saved = json is null ? null : JsonSerializer.Deserialize(json, ResilienceJsonContext.Default.ModeState);
        if (saved is not { Degraded: true, Until: { } savedUntil } || savedUntil > time.GetUtcNow())
        {
            await RestoreAsync(cancellationToken);
            return false;
        }

        await SetAsync(false, $"until {savedUntil.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} passed (set by {saved.SetBy}: {saved.Reason})", Gateway, "mode.reverted", string.Empty, null, cancellationToken);
        LogReverted(logger, savedUntil, saved.SetBy ?? "unknown");
        return true;
    }

    private async Task<ModeState> SetAsync(bool degraded, string reason, string who, string action, string detail, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Kept first: a store that cannot take it (Redis down) leaves this node as every other node is.
            var next = degraded ? new ModeState(true, reason, who, time.GetUtcNow(), until) : new ModeState(false, null, null, null);
            await store.SetAsync(SettingsKey, JsonSerializer.Serialize(next, ResilienceJsonContext.Default.ModeState), cancellationToken);
            if (degraded)
            {
                await resilience.ManualControl.IsolateAsync(cancellationToken);
            }
            else if (Current.Degraded)
            {
                await resilience.ManualControl.CloseAsync(cancellationToken);
            }

            await store.AppendAuditAsync(new AuditEntry(time.GetUtcNow(), who, action, detail, reason), cancellationToken);
            Volatile.Write(ref _state, next);
            LogModeChanged(logger, degraded ? "degraded" : "normal", who, reason);
            return next;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventIds.ModeUntilReverted, LogLevel.Warning, "AUDIT degraded mode set by {SetBy} reverted to normal: its until {Until} passed")]
    private static partial void LogReverted(ILogger logger, DateTimeOffset until, string setBy);

    [LoggerMessage(EventIds.DegradedModeChanged, LogLevel.Warning, "AUDIT mode set to {Mode} by {Operator}: {Reason}")]
    private static partial void LogModeChanged(ILogger logger, string mode, string @operator, string reason);
}
