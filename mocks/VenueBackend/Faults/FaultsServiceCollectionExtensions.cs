using Microsoft.Extensions.DependencyInjection.Extensions;
using OnSale.Mocks.VenueBackend.Control;

namespace OnSale.Mocks.VenueBackend.Faults;

internal static class FaultsServiceCollectionExtensions
{
    /// <summary>Registers the fault injector and the call statistics it feeds.</summary>
    public static IServiceCollection AddFaultInjection(this IServiceCollection services)
    {
        services.TryAddSingleton<BackendStats>();
        services.TryAddSingleton<FaultInjector>();
        services.TryAddSingleton<FaultSchedule>();
        return services;
    }
}
