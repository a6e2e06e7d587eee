namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>Body of PUT <c>/control/performances/{id}</c>.</summary>
internal sealed record OnSaleAtUpdate(DateTimeOffset? OnSaleAt);

/// <summary>Body of PUT <c>/control/performances/{id}/zones/{zoneId}</c>.</summary>
internal sealed record ZoneAvailabilityUpdate(int? Available);

/// <summary>Body of PUT <c>/control/faults/schedule</c>: fault settings that replace the current ones at given moments.</summary>
public sealed record FaultScheduleRequest(IReadOnlyList<FaultScheduleStep>? Steps);

/// <summary>One step: <see cref="AfterSeconds"/> after the schedule is put, the fault settings become <see cref="Faults"/>.</summary>
public sealed record FaultScheduleStep(double? AfterSeconds, FaultSettings? Faults);
