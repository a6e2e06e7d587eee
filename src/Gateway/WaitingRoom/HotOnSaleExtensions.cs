using Microsoft.Extensions.Options;

namespace OnSale.Gateway.WaitingRoom;

internal static class HotOnSaleExtensions
{
    /// <summary>The protection of hot on-sales: options, the hot flags (restored at start-up), challenges, identities, the door.</summary>
    public static IServiceCollection AddHotOnSales(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HotOnSaleOptions>().Bind(configuration.GetSection(HotOnSaleOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HotOnSaleOptions>, HotOnSaleOptionsValidator>();
        services.AddOptions<VenueIdentityOptions>()
            .Configure(options => configuration.GetSection("Gateway:Venues").Bind(options.Venues))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<VenueIdentityOptions>, VenueIdentityOptionsValidator>();

        services.AddSingleton<HotOnSales>();
        services.AddHostedService(provider => provider.GetRequiredService<HotOnSales>());
        services.AddSingleton(provider => new ProofOfWorkLedger(provider.GetRequiredService<IOptions<HotOnSaleOptions>>().Value.MaxRememberedChallenges));
        services.AddSingleton(provider => new ProofOfWork(
            () => provider.GetRequiredService<WaitingRoomKeys>().Secrets,
            provider.GetRequiredService<ProofOfWorkLedger>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<HotOnSaleOptions>>()));
        services.AddSingleton(provider => new VenueIdentities(
            provider.GetRequiredService<IOptions<VenueIdentityOptions>>(),
            () => provider.GetRequiredService<WaitingRoomKeys>().Secrets,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<HotOnSaleGate>();
        return services;
    }
}
