using OnSale.Gateway.Caching;

namespace OnSale.Gateway.Availability;

internal static class AvailabilityExtensions
{
    public static IServiceCollection AddAvailability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AvailabilityOptions>().Bind(configuration.GetSection(AvailabilityOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddFailSafeHybridCache(configuration);
        services.AddSingleton<AvailabilityService>();
        return services;
    }
}
