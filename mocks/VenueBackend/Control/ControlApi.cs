using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OnSale.Mocks.VenueBackend.Faults;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>The JSON control API under <c>/control</c>: fault settings, stats, reset, on-sale times, availability, orders.</summary>
internal static class ControlApi
{
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/control").WithTags("Control");
        group.MapGet("/faults", GetFaults).WithName("GetFaults");
        group.MapPut("/faults", PutFaults).WithName("PutFaults");
        group.MapDelete("/faults", DeleteFaults).WithName("DeleteFaults");
        group.MapGet("/faults/schedule", GetSchedule).WithName("GetFaultSchedule");
        group.MapPut("/faults/schedule", PutSchedule).WithName("PutFaultSchedule");
        group.MapDelete("/faults/schedule", DeleteSchedule).WithName("DeleteFaultSchedule");
        group.MapGet("/stats", GetStats).WithName("GetStats");
        group.MapPost("/reset", Reset).WithName("Reset");
        group.MapPut("/performances/{id:int}", PutPerformance).WithName("PutPerformance");
        group.MapPut("/performances/{id:int}/zones/{zoneId:int}", PutZone).WithName("PutZone");
        group.MapGet("/orders", GetOrders).WithName("GetOrders");
        return endpoints;
    }

    private static Ok<FaultSettings> GetFaults(FaultInjector faults) => TypedResults.Ok(faults.Settings);

    private static Results<Ok<FaultSettings>, ValidationProblem> PutFaults(FaultSettings settings, FaultInjector faults, FaultSchedule schedule)
    {
        var errors = FaultSettingsValidator.Validate(settings);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid fault settings");
        }

        schedule.Cancel(); // An explicit setting wins over steps still to come.
        faults.Settings = FaultSettingsValidator.Normalize(settings);
        return TypedResults.Ok(faults.Settings);
    }

    private static Ok<FaultSettings> DeleteFaults(FaultInjector faults, FaultSchedule schedule)
    {
        schedule.Cancel();
        faults.Settings = FaultSettings.Off;
        return TypedResults.Ok(faults.Settings);
    }

    private static Ok<List<FaultScheduleStep>> GetSchedule(FaultSchedule schedule) => TypedResults.Ok(Describe(schedule.Pending));

    private static Results<Ok<List<FaultScheduleStep>>, ValidationProblem> PutSchedule(FaultScheduleRequest request, FaultSchedule schedule)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Steps is not { Count: > 0 } steps)
        {
            errors["steps"] = ["steps is required: a list of {afterSeconds, faults}."];
            return TypedResults.ValidationProblem(errors, title: "Invalid fault schedule");
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].AfterSeconds is not (>= 0 and <= 86_400))
            {
                errors[$"steps[{i}].afterSeconds"] = ["afterSeconds is required, from 0 to 86400."];
            }

            if (steps[i].Faults is not { } faults)
            {
                errors[$"steps[{i}].faults"] = ["faults is required (the settings of PUT /control/faults)."];
                continue;
            }

            foreach (var (key, messages) in FaultSettingsValidator.Validate(faults))
            {
                errors[$"steps[{i}].faults.{key}"] = messages;
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid fault schedule");
        }

        return TypedResults.Ok(Describe(schedule.Start(steps)));
    }

    private static Ok<List<FaultScheduleStep>> DeleteSchedule(FaultSchedule schedule)
    {
        schedule.Cancel();
        return TypedResults.Ok(new List<FaultScheduleStep>());
    }

    // Pending steps with the seconds left until each, from now.
    private static List<FaultScheduleStep> Describe(IReadOnlyList<ScheduledStep> steps)
    {
        var now = Environment.TickCount64;
        return [.. steps.Select(s => new FaultScheduleStep(Math.Max(0, (s.DueTick - now) / 1000.0), s.Faults))];
    }

    private static Ok<MockStats> GetStats(BackendStats stats, FaultInjector faults, VenueInventoryAccessor inventory)
    {
        var current = inventory.Current;
        var seatsSold = current.GetSeatsSold().ToDictionary(
            p => p.Key.ToString(CultureInfo.InvariantCulture),
            p => (IReadOnlyDictionary<string, int>)p.Value.ToDictionary(z => z.Key.ToString(CultureInfo.InvariantCulture), z => z.Value));
        return TypedResults.Ok(new MockStats(
            stats.Calls,
            stats.Rejected,
            stats.FaultsInjected,
            stats.MaxConcurrency,
            faults.CurrentConcurrency,
            seatsSold,
            current.OrderCount,
            current.Oversold));
    }

    private static NoContent Reset(VenueInventoryAccessor inventory, FaultInjector faults, FaultSchedule schedule, BackendStats stats)
    {
        inventory.Reset();
        schedule.Cancel();
        faults.Settings = FaultSettings.Off;
        stats.Reset(faults.CurrentConcurrency);
        return TypedResults.NoContent();
    }

    private static Results<Ok<PerformanceInfo>, ValidationProblem, ProblemHttpResult> PutPerformance(
        int id,
        OnSaleAtUpdate update,
        VenueInventoryAccessor inventory)
    {
        if (update.OnSaleAt is not { } onSaleAt)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["onSaleAt"] = ["onSaleAt is required, e.g. \"2026-11-22T09:00:00Z\"."] });
        }

        try
        {
            return TypedResults.Ok(inventory.Current.SetOnSaleAt(id, onSaleAt));
        }
        catch (VenueFaultException ex) when (ex.Code == VenueFaultCodes.NotFound)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown performance");
        }
    }

    private static Results<Ok<ZoneInfo>, ValidationProblem, ProblemHttpResult> PutZone(
        int id,
        int zoneId,
        ZoneAvailabilityUpdate update,
        VenueInventoryAccessor inventory)
    {
        if (update.Available is not { } available || available < 0)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["available"] = ["available is required and must be 0 or more."] });
        }

        try
        {
            return TypedResults.Ok(inventory.Current.SetAvailable(id, zoneId, available));
        }
        catch (VenueFaultException ex) when (ex.Code == VenueFaultCodes.NotFound)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown performance or zone");
        }
        catch (InventoryConflictException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Cannot make that many seats available");
        }
    }

    private static Ok<List<MockOrder>> GetOrders(VenueInventoryAccessor inventory) =>
        TypedResults.Ok(inventory.Current.GetOrders()
            .Select(o => new MockOrder(o.OrderId, o.ClientReference, o.PerformanceId, o.ZoneId, o.Seats, o.TotalCents))
            .ToList());
}
