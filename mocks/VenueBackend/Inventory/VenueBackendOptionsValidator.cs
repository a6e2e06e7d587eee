using Microsoft.Extensions.Options;

namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>Refuses a seed that cannot be served, naming the entry at fault, so a bad configuration fails at start-up.</summary>
internal sealed class VenueBackendOptionsValidator : IValidateOptions<VenueBackendOptions>
{
    /// <summary>Upper bound of one zone's capacity: the seat-state array is one byte per seat.</summary>
    public const int MaxCapacity = 1_000_000;

    public ValidateOptionsResult Validate(string? name, VenueBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var performanceIds = new HashSet<int>();
        for (var i = 0; i < options.Performances.Count; i++)
        {
            var performance = options.Performances[i];
            var where = $"VenueBackend:Performances:{i} (performance {performance.Id})";
            if (performance.Id <= 0)
            {
                failures.Add($"{where}: Id must be a positive integer.");
            }
            else if (!performanceIds.Add(performance.Id))
            {
                failures.Add($"{where}: Id {performance.Id} is used twice.");
            }

            if (string.IsNullOrWhiteSpace(performance.Title))
            {
                failures.Add($"{where}: Title is required.");
            }

            if (string.IsNullOrWhiteSpace(performance.Venue))
            {
                failures.Add($"{where}: Venue is required.");
            }

            if (performance.Zones.Count == 0)
            {
                failures.Add($"{where}: at least one zone is required.");
            }

            var zoneIds = new HashSet<int>();
            for (var z = 0; z < performance.Zones.Count; z++)
            {
                var zone = performance.Zones[z];
                var zoneWhere = $"VenueBackend:Performances:{i}:Zones:{z} (performance {performance.Id}, zone {zone.ZoneId})";
                if (zone.ZoneId <= 0)
                {
                    failures.Add($"{zoneWhere}: ZoneId must be a positive integer.");
                }
                else if (!zoneIds.Add(zone.ZoneId))
                {
                    failures.Add($"{zoneWhere}: ZoneId {zone.ZoneId} is used twice in this performance.");
                }

                if (string.IsNullOrWhiteSpace(zone.Name))
                {
                    failures.Add($"{zoneWhere}: Name is required.");
                }

                if (zone.PriceCents < 0)
                {
                    failures.Add($"{zoneWhere}: PriceCents must be 0 or more.");
                }

                if (zone.Capacity is < 1 or > MaxCapacity)
                {
                    failures.Add($"{zoneWhere}: Capacity must be between 1 and {MaxCapacity}.");
                }

                if (zone.SeatsPerRow < 1)
                {
                    failures.Add($"{zoneWhere}: SeatsPerRow must be 1 or more.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
