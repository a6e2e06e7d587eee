using OnSale.Mocks.VenueBackend.Control;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Faults;

/// <summary>Checks fault settings before they are applied; the errors are keyed by JSON property name.</summary>
internal static class FaultSettingsValidator
{
    public static Dictionary<string, string[]> Validate(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (settings.LatencyMs < 0)
        {
            errors["latencyMs"] = ["latencyMs must be 0 or more."];
        }

        if (double.IsNaN(settings.ErrorRate) || settings.ErrorRate is < 0 or > 1)
        {
            errors["errorRate"] = ["errorRate must be between 0 and 1."];
        }

        if (settings.MaxConcurrentCalls < 0)
        {
            errors["maxConcurrentCalls"] = ["maxConcurrentCalls must be 0 or more (or null for no limit)."];
        }

        if (settings.MaxCallsPerSecond < 0)
        {
            errors["maxCallsPerSecond"] = ["maxCallsPerSecond must be 0 or more (or null for no limit)."];
        }

        if (settings.Operations is not null)
        {
            var unknown = settings.Operations.Where(op => op is null || VenueOperations.Canonicalize(op) is null).ToList();
            if (unknown.Count > 0)
            {
                errors["operations"] =
                [
                    $"Unknown operation(s): {string.Join(", ", unknown.Select(op => op ?? "null"))}. " +
                    $"Known: {string.Join(", ", VenueOperations.All)}.",
                ];
            }
        }

        return errors;
    }

    /// <summary>The settings with operation names in their canonical spelling.</summary>
    public static FaultSettings Normalize(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Operations is null
            ? settings
            : settings with { Operations = settings.Operations.Select(op => VenueOperations.Canonicalize(op) ?? op).Distinct().ToList() };
    }
}
