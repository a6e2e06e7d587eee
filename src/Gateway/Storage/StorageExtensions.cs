using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Storage.Embedded;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Storage;

internal static class StorageExtensions
{
    /// <summary>The durable state behind the features' interfaces: today the Embedded store (SQLite in Gateway:DataPath).</summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Gateway"))
            .Validate(o => string.Equals(o.Store, "Embedded", StringComparison.OrdinalIgnoreCase),
                "Gateway:Store must be 'Embedded': the Redis store is not built yet (see the README's known limits).")
            .ValidateOnStart();
        services.AddSingleton(provider => new SqliteDatabase(
            provider.GetRequiredService<IOptions<StorageOptions>>().Value.DataPath,
            provider.GetRequiredService<ILogger<SqliteDatabase>>()));
        services.AddSingleton<IPurchaseJournal, SqlitePurchaseJournal>();
        services.AddSingleton<IHoldStore, SqliteHoldStore>();
        services.AddSingleton<ISettingsStore, SqliteSettingsStore>();
        services.AddSingleton<SqliteBatchWriter>();
        services.AddSingleton<IWaitingRoomStore, SqliteWaitingRoomStore>();
        services.AddSingleton<IAvailabilityStore, SqliteAvailabilityStore>();
        return services;
    }
}
