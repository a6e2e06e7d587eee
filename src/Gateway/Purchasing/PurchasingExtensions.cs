namespace OnSale.Gateway.Purchasing;

internal static class PurchasingExtensions
{
    public static IServiceCollection AddPurchasing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PurchasingOptions>().Bind(configuration.GetSection(PurchasingOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<KeyedLocks>();
        services.AddSingleton<ParkedSeats>();
        services.AddSingleton<ReplaySignal>();
        services.AddSingleton<SessionKeyPool>();
        services.AddHostedService(provider => provider.GetRequiredService<SessionKeyPool>());
        services.AddSingleton<PurchaseService>();
        services.AddSingleton<HoldService>();
        services.AddSingleton<ReplayWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<ReplayWorker>());
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionWorker>());
        return services;
    }
}
