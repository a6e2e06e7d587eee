using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Resilience;

/// <summary>The manual degraded mode as set by a support engineer.</summary>
internal sealed record ModeState(bool Degraded, string? Reason, string? SetBy, DateTimeOffset? Since);

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

    public async Task<ModeState> SetAsync(bool degraded, string reason, string who, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Kept first: a store that cannot take it (Redis down) leaves this node as every other node is.
            var next = degraded ? new ModeState(true, reason, who, time.GetUtcNow()) : new ModeState(false, null, null, null);
            await store.SetAsync(SettingsKey, JsonSerializer.Serialize(next, ResilienceJsonContext.Default.ModeState), cancellationToken);
            if (degraded)
            {
                await resilience.ManualControl.IsolateAsync(cancellationToken);
            }
            else if (Current.Degraded)
            {
                await resilience.ManualControl.CloseAsync(cancellationToken);
            }

            await store.AppendAuditAsync(new AuditEntry(time.GetUtcNow(), who, degraded ? "mode.degraded" : "mode.normal", reason), cancellationToken);
            Volatile.Write(ref _state, next);
            LogModeChanged(logger, degraded ? "degraded" : "normal", who, reason);
            return next;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventIds.DegradedModeChanged, LogLevel.Warning, "AUDIT mode set to {Mode} by key {KeyId}: {Reason}")]
    private static partial void LogModeChanged(ILogger logger, string mode, string keyId, string reason);
}
