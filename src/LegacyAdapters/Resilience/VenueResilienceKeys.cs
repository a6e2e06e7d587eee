using System.Collections.Frozen;
using Polly;

namespace OnSale.LegacyAdapters.Resilience;

/// <summary>
/// What a pipeline added with <c>AddResiliencePipeline</c> can read from its <see cref="ResilienceContext"/>: the
/// backend operation being called (also in <see cref="ResilienceContext.OperationKey"/> as <c>venue.{Operation}</c>).
/// </summary>
public static class VenueResilienceKeys
{
    private static readonly FrozenDictionary<VenueOperation, string> OperationKeys =
        Enum.GetValues<VenueOperation>().ToFrozenDictionary(operation => operation, operation => "venue." + operation);

    /// <summary>The key of the property holding the <see cref="VenueOperation"/>.</summary>
    public static ResiliencePropertyKey<VenueOperation> Operation { get; } = new("OnSale.LegacyAdapters.Operation");

    internal static string Get(VenueOperation operation) => OperationKeys[operation];
}
