namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>
/// The configuration section <c>VenueBackend</c>: the seed inventory. Standard .NET configuration, so every value
/// can be overridden from the command line or the environment, e.g.
/// <c>--VenueBackend:Performances:3:OnSaleAt=2026-11-22T09:00:00Z</c>.
/// </summary>
internal sealed class VenueBackendOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "VenueBackend";

    /// <summary>The performances on sale. Default: none (appsettings.json holds the demo seed).</summary>
    public IList<PerformanceSeedOptions> Performances { get; } = new List<PerformanceSeedOptions>();
}

/// <summary>One seeded performance.</summary>
internal sealed class PerformanceSeedOptions
{
    /// <summary>Performance id, unique. Required.</summary>
    public int Id { get; set; }

    /// <summary>Title. Required.</summary>
    public string Title { get; set; } = "";

    /// <summary>Venue name. Required.</summary>
    public string Venue { get; set; } = "";

    /// <summary>Absolute start time. Wins over <see cref="StartsIn"/>.</summary>
    public DateTimeOffset? StartsAt { get; set; }

    /// <summary>Start time relative to start-up; used when <see cref="StartsAt"/> is not set. Default: 7 days.</summary>
    public TimeSpan? StartsIn { get; set; }

    /// <summary>Absolute on-sale time. Wins over <see cref="OnSaleIn"/>.</summary>
    public DateTimeOffset? OnSaleAt { get; set; }

    /// <summary>On-sale time relative to start-up, may be negative (already on sale). Default: zero (on sale now).</summary>
    public TimeSpan? OnSaleIn { get; set; }

    /// <summary>The zones. At least one.</summary>
    public IList<ZoneSeedOptions> Zones { get; } = new List<ZoneSeedOptions>();
}

/// <summary>One seeded zone.</summary>
internal sealed class ZoneSeedOptions
{
    /// <summary>Zone id, unique within the performance. Required.</summary>
    public int ZoneId { get; set; }

    /// <summary>Zone name. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Price of one seat in cents, ≥ 0.</summary>
    public int PriceCents { get; set; }

    /// <summary>Number of seats, 1 to 1,000,000.</summary>
    public int Capacity { get; set; }

    /// <summary>Seats per row, for seat labels. Default 20.</summary>
    public int SeatsPerRow { get; set; } = 20;
}
