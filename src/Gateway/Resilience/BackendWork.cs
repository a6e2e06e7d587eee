namespace OnSale.Gateway.Resilience;

/// <summary>Whose backend call it is: the budget serves the kinds in shares, so that none starves another.</summary>
internal enum BackendWorkKind
{
    /// <summary>A buyer's hold, purchase or checkout, waiting at the gateway.</summary>
    Purchase = 0,

    /// <summary>A parked purchase being completed.</summary>
    Replay = 1,

    /// <summary>Reads of performances and availability (cached: few, and a stale answer stands in while they wait).</summary>
    Read = 2,

    /// <summary>Work done ahead of the crowd (session keys): only when nothing else waits.</summary>
    Prefetch = 3,
}

/// <summary>
/// The kind of the backend calls made inside a scope, and their place in line: calls of one kind are served oldest
/// first by <see cref="Order"/>, so that the second and third call of a purchase go before the first call of a later
/// one. Flows with the async context; calls outside any scope are reads.
/// </summary>
internal readonly record struct BackendWork(BackendWorkKind Kind, long Order)
{
    private static readonly AsyncLocal<BackendWork?> CurrentWork = new();

    /// <summary>The work of the calls made here, or a read ordered by its own arrival.</summary>
    public static BackendWork Current(TimeProvider time) => CurrentWork.Value ?? new BackendWork(BackendWorkKind.Read, time.GetTimestamp());

    /// <summary>Marks the backend calls made until the returned scope is disposed as <paramref name="kind"/>, in line from now.</summary>
    public static Scope Begin(BackendWorkKind kind, TimeProvider time) => Begin(new BackendWork(kind, time.GetTimestamp()));

    public static Scope Begin(BackendWork work)
    {
        var previous = CurrentWork.Value;
        CurrentWork.Value = work;
        return new Scope(previous);
    }

    /// <summary>Restores the work in force before <see cref="Begin(BackendWork)"/>.</summary>
    public readonly struct Scope(BackendWork? previous) : IDisposable
    {
        public void Dispose() => CurrentWork.Value = previous;
    }
}
