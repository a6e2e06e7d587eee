namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>A seeded zone with its resolved values.</summary>
internal sealed record ZoneSeed(int ZoneId, string Name, int PriceCents, int Capacity, int SeatsPerRow);

/// <summary>A seeded performance with absolute times.</summary>
internal sealed record PerformanceSeed(
    int Id,
    string Title,
    string Venue,
    DateTimeOffset StartsAt,
    DateTimeOffset OnSaleAt,
    IReadOnlyList<ZoneSeed> Zones);

/// <summary>
/// The seed inventory with relative times resolved once against start-up "now"; a reset goes back to exactly this.
/// </summary>
internal sealed class InventorySeed(IReadOnlyList<PerformanceSeed> performances)
{
    /// <summary>Start time when neither StartsAt nor StartsIn is configured.</summary>
    public static readonly TimeSpan DefaultStartsIn = TimeSpan.FromDays(7);

    public IReadOnlyList<PerformanceSeed> Performances { get; } = performances;

    /// <summary>Resolves configured times: an absolute time wins over a relative one; relative times count from <paramref name="now"/>.</summary>
    public static InventorySeed Resolve(VenueBackendOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var performances = options.Performances
            .Select(p => new PerformanceSeed(
                p.Id,
                p.Title,
                p.Venue,
                (p.StartsAt ?? (now + (p.StartsIn ?? DefaultStartsIn))).ToUniversalTime(),
                (p.OnSaleAt ?? (now + (p.OnSaleIn ?? TimeSpan.Zero))).ToUniversalTime(),
                p.Zones.Select(z => new ZoneSeed(z.ZoneId, z.Name, z.PriceCents, z.Capacity, z.SeatsPerRow)).ToList()))
            .ToList();
        return new InventorySeed(performances);
    }
}
