namespace OnSale.Gateway.Infrastructure;

/// <summary>Whether the store keeps what it acknowledged across a crash, in words for the on-sale readiness checklist.</summary>
internal interface IStoreDurability
{
    /// <summary>
    /// Ok when an acknowledged write survives a crash of the process and of the machine, with a sentence a support
    /// engineer understands either way. Cheap (a file check, a pragma, what the store read at start-up): it is asked
    /// every few seconds.
    /// </summary>
    Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken);
}
