using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnSale.Gateway.Infrastructure;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>What the Redis server says of its persistence, as read at start-up.</summary>
/// <param name="AppendOnly">Whether the append-only file is on.</param>
/// <param name="AppendFsync"><c>always</c>, <c>everysec</c> or <c>no</c>, when known.</param>
/// <param name="Warning">What a crash of the Redis server would lose, in words, or null when nothing acknowledged would be.</param>
internal sealed record RedisDurability(bool? AppendOnly, string? AppendFsync, string? Warning)
{
    /// <summary>Reads <c>CONFIG GET appendonly appendfsync</c>; a managed Redis that disables CONFIG is said to be unknown.</summary>
    public static async Task<RedisDurability> ReadAsync(IServer server)
    {
        try
        {
            var config = (await server.ConfigGetAsync("append*")).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            return Judge(config.GetValueOrDefault("appendonly"), config.GetValueOrDefault("appendfsync"));
        }
        catch (RedisServerException)
        {
            return new RedisDurability(null, null, "the server does not say how it persists (CONFIG is disabled): make sure it runs with appendonly yes and appendfsync everysec or always");
        }
    }

    public static RedisDurability Judge(string? appendOnly, string? appendFsync)
    {
        var aof = string.Equals(appendOnly, "yes", StringComparison.OrdinalIgnoreCase);
        string? warning = (aof, appendFsync?.ToLowerInvariant()) switch
        {
            (false, _) => "appendonly is off: a crash or restart of Redis loses everything written since its last snapshot (mode, banner, audit, the shared signing key, cached answers)",
            (true, "no") => "appendfsync is 'no': a crash of the Redis machine may lose the last tens of seconds of writes",
            (true, "everysec") => null,
            (true, "always") => null,
            _ => $"appendfsync is '{appendFsync}', which this gateway does not know",
        };
        return new RedisDurability(aof, appendFsync, warning);
    }
}

/// <summary>
/// At start-up, before state is restored: connects to Redis, says what its persistence promises (a warning when a
/// crash of Redis would lose acknowledged changes), and follows the settings other nodes change. As a health check
/// (tagged <c>ready</c>), it says whether Redis answers a PING within a second.
/// </summary>
internal sealed partial class RedisStartup(
    RedisConnection redis,
    RedisSettingsStore settings,
    ILogger<RedisStartup> logger,
    RedisBudgetSignals? budgetSignals = null) : IHostedService, IHealthCheck
{
    public RedisDurability? Durability { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.MultiplexerAsync();
        await settings.SubscribeAsync();
        if (budgetSignals is not null)
        {
            await budgetSignals.SubscribeAsync();
        }
        await using var admin = await redis.ConnectAsAdminAsync();
        if (admin.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica) is { } server)
        {
            Durability = await RedisDurability.ReadAsync(server);
            if (Durability.Warning is { } warning)
            {
                LogNotDurable(logger, redis.Endpoint, warning);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await (await redis.DatabaseAsync()).PingAsync();
            return HealthCheckResult.Healthy($"Redis at {redis.Endpoint} answered in {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis at {redis.Endpoint} is not answering: {RedisConnection.Brief(ex)}");
        }
    }

    [LoggerMessage(EventIds.RedisNotDurable, LogLevel.Warning, "Redis at {Endpoint} is not durable: {Warning}. Run it with appendonly yes and appendfsync everysec (or always); see the README")]
    private static partial void LogNotDurable(ILogger logger, string endpoint, string warning);
}
