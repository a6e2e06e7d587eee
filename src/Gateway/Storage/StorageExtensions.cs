using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.Storage.Embedded;
using OnSale.Gateway.Storage.Redis;
using OnSale.Gateway.WaitingRoom;
using ZiggyCreatures.Caching.Fusion.Backplane;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed.Redis;
using ZiggyCreatures.Caching.Fusion.Serialization;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace OnSale.Gateway.Storage;

internal static class StorageExtensions
{
    /// <summary>
    /// The durable state behind the features' interfaces: the Embedded store (SQLite in Gateway:DataPath), and with
    /// <c>Gateway:Store=Redis</c> what the nodes of one gateway share in Redis on top of it (<see cref="AddRedisStore"/>).
    /// </summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Gateway"))
            .Validate(o => StorageOptions.Stores.Contains(o.Store, StringComparer.OrdinalIgnoreCase), "Gateway:Store must be 'Embedded' or 'Redis'.")
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
        services.AddSingleton<IStoreDurability, SqliteDurability>();

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

        var store = configuration["Gateway:Store"];
        return string.Equals(store, "Redis", StringComparison.OrdinalIgnoreCase) ? services.AddRedisStore(configuration) : services;
    }

    /// <summary>
    /// Redis mode: settings and their audit (mode, banner, hot switches) shared and followed by every node, the signing
    /// key generated once for all, the waiting rooms (one line, lobby and admission limit per performance for the
    /// cluster), the purchase journal (parked purchases replayed by one node at a time), holds and the
    /// seats promised to parked purchases, and the availability cache's second level, backplane and distributed locker on the
    /// same Redis (one refresh per key for the whole cluster; the last good answers kept there for a node that starts
    /// while the backend is down). Registered here, taken by the features through their own interfaces and
    /// FusionCache's <c>TryWithRegistered…</c>, so that no feature knows Redis.
    /// </summary>
    private static IServiceCollection AddRedisStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Configuration), "Gateway:Store=Redis needs Gateway:Redis:Configuration (a StackExchange.Redis configuration string, for example 127.0.0.1:6379).")
            .Validate(o => TryParse(o.Configuration), "Gateway:Redis:Configuration is not a StackExchange.Redis configuration string naming at least one server.")
            .ValidateOnStart();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisSettingsStore>();
        services.Replace(ServiceDescriptor.Singleton<ISettingsStore>(provider => provider.GetRequiredService<RedisSettingsStore>()));
        services.AddSingleton<ISharedSigningKey, RedisSigningKey>();
        services.Replace(ServiceDescriptor.Singleton<IAvailabilityStore, SharedCacheKeepsAnswers>());
        services.AddSingleton<RedisNodeRegistry>();
        services.Replace(ServiceDescriptor.Singleton<IClusterNodes>(provider => provider.GetRequiredService<RedisNodeRegistry>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisNodeRegistry>());
        services.AddSingleton<RedisBudgetSignals>();
        services.AddSingleton<IBudgetSignals>(provider => provider.GetRequiredService<RedisBudgetSignals>());
        services.AddSingleton<RedisReplayLease>();
        services.AddHostedService(provider => provider.GetRequiredService<RedisReplayLease>());
        services.Replace(ServiceDescriptor.Singleton<IPurchaseJournal, RedisPurchaseJournal>());
        services.Replace(ServiceDescriptor.Singleton<IHoldStore, RedisHoldStore>());
        services.AddHostedService<RedisPromiseFollower>();
        services.AddSingleton<IRoomFactory, RedisRooms>();
        services.Replace(ServiceDescriptor.Singleton<IWaitingRoomStore, RedisRoomsKeepThemselves>());
        services.AddSingleton<RedisStartup>();
        services.Replace(ServiceDescriptor.Singleton<IStoreDurability, RedisDurabilityCheck>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisStartup>());
        services.AddHealthChecks().Add(new HealthCheckRegistration("redis", provider => provider.GetRequiredService<RedisStartup>(), HealthStatus.Unhealthy, ["ready"]));

        // The availability cache's second level and its helpers, each on the node's one multiplexer.
        services.AddSingleton<IDistributedCache>(provider => new RedisCache(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = provider.GetRequiredService<RedisConnection>().AsInterfaceAsync,
            InstanceName = RedisConnection.Prefix + "cache:",
        }));
        services.AddSingleton<IFusionCacheSerializer>(new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        services.AddSingleton<IFusionCacheBackplane>(provider => new RedisBackplane(
            new RedisBackplaneOptions { ConnectionMultiplexerFactory = provider.GetRequiredService<RedisConnection>().AsInterfaceAsync },
            provider.GetRequiredService<ILogger<RedisBackplane>>()));
        services.AddSingleton<IFusionCacheDistributedLocker>(provider => new RedisDistributedLocker(
            new RedisDistributedLockerOptions { ConnectionMultiplexerFactory = provider.GetRequiredService<RedisConnection>().AsInterfaceAsync },
            provider.GetRequiredService<ILogger<RedisDistributedLocker>>()));
        return services;
    }

    private static bool TryParse(string? configuration)
    {
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(configuration ?? string.Empty).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
