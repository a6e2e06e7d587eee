namespace OnSale.LegacyAdapters;

/// <summary>A performance the backend sells tickets for.</summary>
/// <param name="Id">The backend's performance id.</param>
/// <param name="Title">The show's title.</param>
/// <param name="Venue">The venue's name.</param>
/// <param name="StartsAt">When the performance starts (UTC).</param>
/// <param name="OnSaleAt">When tickets go on sale (UTC).</param>
public sealed record Performance(int Id, string Title, string Venue, DateTimeOffset StartsAt, DateTimeOffset OnSaleAt);

/// <summary>A priced zone of a performance and how many of its seats are free right now.</summary>
/// <param name="ZoneId">The zone's id, unique within the performance.</param>
/// <param name="Name">The zone's display name, for example "Stalls".</param>
/// <param name="PriceCents">The price of one seat in cents.</param>
/// <param name="Capacity">How many seats the zone has in all.</param>
/// <param name="Available">How many seats are neither held nor sold.</param>
public sealed record Zone(int ZoneId, string Name, int PriceCents, int Capacity, int Available);

/// <summary>Seats held for a session; the backend releases them at <paramref name="ExpiresAt"/> unless they are bought.</summary>
/// <param name="LineItemId">The hold's id, used to release it.</param>
/// <param name="PerformanceId">The performance the seats belong to.</param>
/// <param name="ZoneId">The zone the seats belong to.</param>
/// <param name="Quantity">How many seats are held.</param>
/// <param name="Seats">The seat labels, for example "B-14".</param>
/// <param name="ExpiresAt">When the backend releases the hold (UTC).</param>
public sealed record Hold(int LineItemId, int PerformanceId, int ZoneId, int Quantity, IReadOnlyList<string> Seats, DateTimeOffset ExpiresAt);

/// <summary>A completed order.</summary>
/// <param name="OrderId">The backend's order number.</param>
/// <param name="ClientReference">The caller's reference that makes checkout idempotent.</param>
/// <param name="PerformanceId">The performance the seats belong to.</param>
/// <param name="ZoneId">The zone the seats belong to.</param>
/// <param name="Seats">The seat labels bought.</param>
/// <param name="TotalCents">The amount charged, in cents.</param>
public sealed record Order(int OrderId, string ClientReference, int PerformanceId, int ZoneId, IReadOnlyList<string> Seats, int TotalCents);
