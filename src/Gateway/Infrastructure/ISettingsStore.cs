namespace OnSale.Gateway.Infrastructure;

/// <summary>Small durable settings (degraded mode, banner) and the audit trail of who changed them.</summary>
internal interface ISettingsStore
{
    /// <summary>
    /// Raised when another node of the same gateway changed a setting (its key), or with <see langword="null"/> when
    /// changes may have been missed (a lost connection came back): whoever holds a setting reads it again. A store only
    /// one node uses never raises it.
    /// </summary>
    event Action<string?>? ChangedElsewhere;

    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string? value, CancellationToken cancellationToken);

    /// <summary>Removes a setting that held a secret, leaving no copy of it in the store's files.</summary>
    Task EraseAsync(string key, CancellationToken cancellationToken);

    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>
/// One change a support engineer (or the gateway on their behalf, as <c>gateway</c>) made: when, which operator, what
/// (<paramref name="Detail"/>) and why (<paramref name="Reason"/>).
/// </summary>
internal sealed record AuditEntry(DateTimeOffset At, string Operator, string Action, string Detail, string? Reason = null)
{
    /// <summary>The operator again, under the name audit lines had before operators had names.</summary>
    public string Who => Operator;
}
