namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>The backend's operation names (CONTRACT.md §1), shared by both bindings, the stats and the fault filter.</summary>
internal static class VenueOperations
{
    public const string GetNewSessionKey = nameof(GetNewSessionKey);
    public const string GetPerformances = nameof(GetPerformances);
    public const string GetAvailability = nameof(GetAvailability);
    public const string ReserveTickets = nameof(ReserveTickets);
    public const string ReleaseTickets = nameof(ReleaseTickets);
    public const string Checkout = nameof(Checkout);
    public const string FindOrder = nameof(FindOrder);

    /// <summary>All operations, in the contract's order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [GetNewSessionKey, GetPerformances, GetAvailability, ReserveTickets, ReleaseTickets, Checkout, FindOrder];

    /// <summary>True when <paramref name="name"/> is an operation name, compared exactly (the wire is case-sensitive).</summary>
    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);

    /// <summary>The operation's canonical name, matched ignoring case (for the control API), or null.</summary>
    public static string? Canonicalize(string name) =>
        All.FirstOrDefault(op => string.Equals(op, name, StringComparison.OrdinalIgnoreCase));
}
