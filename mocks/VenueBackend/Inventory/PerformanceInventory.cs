namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>One performance and its zones, guarded by one lock (<see cref="Gate"/>).</summary>
internal sealed class PerformanceInventory
{
    private readonly Dictionary<int, ZoneInventory> _zonesById;
    private DateTimeOffset _onSaleAt;

    public PerformanceInventory(PerformanceSeed seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        Id = seed.Id;
        Title = seed.Title;
        Venue = seed.Venue;
        StartsAt = seed.StartsAt;
        _onSaleAt = seed.OnSaleAt;
        Zones = seed.Zones.Select(z => new ZoneInventory(z)).ToList();
        _zonesById = Zones.ToDictionary(z => z.ZoneId);
    }

    /// <summary>Held while reading or changing any seat, hold or the on-sale time of this performance.</summary>
    public Lock Gate { get; } = new();

    public int Id { get; }

    public string Title { get; }

    public string Venue { get; }

    public DateTimeOffset StartsAt { get; }

    public IReadOnlyList<ZoneInventory> Zones { get; }

    /// <summary>Read and written under <see cref="Gate"/>.</summary>
    public DateTimeOffset OnSaleAt
    {
        get => _onSaleAt;
        set => _onSaleAt = value.ToUniversalTime();
    }

    public ZoneInventory? FindZone(int zoneId) => _zonesById.GetValueOrDefault(zoneId);

    public PerformanceInfo ToInfo() => new(Id, Title, Venue, StartsAt, OnSaleAt);

    public void ExpireDue(DateTimeOffset now, Action<Hold> onExpired)
    {
        foreach (var zone in Zones)
        {
            zone.ExpireDue(now, onExpired);
        }
    }
}
