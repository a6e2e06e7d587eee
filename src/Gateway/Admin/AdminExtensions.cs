namespace OnSale.Gateway.Admin;

internal static class AdminExtensions
{
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName));
        services.AddSingleton<AdminAuthorization>();
        services.AddSingleton<Banner>();
        services.AddSingleton<StatusReader>();
        services.AddSingleton<OnSaleReadiness>();
        services.AddSingleton<ConsoleSeriesSampler>();
        services.AddSingleton<ConsoleAssets>();
        services.AddHostedService(provider => provider.GetRequiredService<ConsoleSeriesSampler>());
        return services;
    }
}
