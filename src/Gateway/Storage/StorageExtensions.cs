using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
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

        // The key ring that protects the secrets the store keeps (a generated signing key), in {DataPath}/keys, 0700 (its
        // key files are 0600 as Data Protection writes them). This is what PersistKeysToFileSystem registers, with the
        // folder taken from the bound options when first needed rather than from configuration now. The application
        // name is fixed: by default it is the content root, and a release installed elsewhere would not read the ring.
        services.AddDataProtection().SetApplicationName("OnSale.Gateway");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<StorageOptions>, ILoggerFactory>((keys, storage, loggers) =>
        {
            var logger = loggers.CreateLogger<SqliteDatabase>();
            var folder = Path.GetFullPath(Path.Combine(storage.Value.DataPath, "keys"));
            DataFolder.Prepare(storage.Value.DataPath, logger);
            DataFolder.Prepare(folder, logger);
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), loggers);
        });
        return services;
    }
}
