namespace OnSale.Gateway.Infrastructure;

/// <summary>Small durable settings (degraded mode, banner) and the audit trail of who changed them.</summary>
internal interface ISettingsStore
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string? value, CancellationToken cancellationToken);

    /// <summary>Removes a setting that held a secret, leaving no copy of it in the store's files.</summary>
    Task EraseAsync(string key, CancellationToken cancellationToken);

    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>One change a support engineer made: when, who (the admin key's id), what and why.</summary>
internal sealed record AuditEntry(DateTimeOffset At, string Who, string Action, string Detail);
