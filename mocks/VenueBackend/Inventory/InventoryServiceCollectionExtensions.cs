using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OnSale.Mocks.VenueBackend.Inventory;

internal static class InventoryServiceCollectionExtensions
{
    /// <summary>Registers the inventory, seeded from the <c>VenueBackend</c> configuration section.</summary>
    public static IServiceCollection AddVenueInventory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VenueBackendOptions>()
            .Bind(configuration.GetSection(VenueBackendOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VenueBackendOptions>, VenueBackendOptionsValidator>());
        services.TryAddSingleton<VenueInventoryAccessor>();
        return services;
    }
}
