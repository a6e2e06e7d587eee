namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>Body of PUT <c>/control/performances/{id}</c>.</summary>
internal sealed record OnSaleAtUpdate(DateTimeOffset? OnSaleAt);

/// <summary>Body of PUT <c>/control/performances/{id}/zones/{zoneId}</c>.</summary>
internal sealed record ZoneAvailabilityUpdate(int? Available);
