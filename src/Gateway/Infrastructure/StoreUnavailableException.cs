namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// The shared store could not be reached within its short command timeout. The request answers <c>503</c>
/// <c>store_unavailable</c> with a <c>Retry-After</c>; nothing it asked for was done unless it says otherwise.
/// </summary>
internal sealed class StoreUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>When to try again: long enough for a reconnect, short enough for a buyer to wait.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public static Problem Problem(string detail) =>
        new(503, "store_unavailable", "The gateway's shared store is not answering right now.", detail) { RetryAfter = RetryAfter };
}
