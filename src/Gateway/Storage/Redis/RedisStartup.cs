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
    TimeProvider time,
    ILogger<RedisStartup> logger,
    RedisBudgetSignals? budgetSignals = null) : IHostedService, IHealthCheck
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private bool _settingsFollowed;
    private bool _cutsFollowed;
    private Task _retrying = Task.CompletedTask;

    public RedisDurability? Durability { get; private set; }

    /// <summary>
    /// Connects and prepares; a Redis that is not there yet does not stop the node: it starts unready (readiness names
    /// Redis) and tries again every two seconds in the background, logging once.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.MultiplexerAsync();
        if (!await TryPrepareAsync(logFailure: true))
        {
            _retrying = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retrying.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task RetryAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(RetryEvery, time, stopping);
            if (await TryPrepareAsync(logFailure: false))
            {
                LogReachable(logger, redis.Endpoint);
                return;
            }
        }
    }

    private async Task<bool> TryPrepareAsync(bool logFailure)
    {
        try
        {
            if (!_settingsFollowed)
            {
                await settings.SubscribeAsync();
                _settingsFollowed = true;
            }

            if (budgetSignals is not null && !_cutsFollowed)
            {
                await budgetSignals.SubscribeAsync();
                _cutsFollowed = true;
            }

            await using var admin = await redis.ConnectAsAdminAsync();
            if (admin.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica) is not { } server)
            {
                if (logFailure)
                {
                    LogNotReachable(logger, redis.Endpoint, "no server answered");
                }

                return false;
            }

            Durability = await RedisDurability.ReadAsync(server);
            if (Durability.Warning is { } warning)
            {
                LogNotDurable(logger, redis.Endpoint, warning);
            }

            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (logFailure)
            {
                LogNotReachable(logger, redis.Endpoint, RedisConnection.Brief(ex));
            }

            return false;
        }
    }

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

    [LoggerMessage(EventIds.RedisUnreachableAtStart, LogLevel.Error, "Redis at {Endpoint} does not answer ({Reason}): this node is not ready, and tries again every two seconds")]
    private static partial void LogNotReachable(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventIds.RedisReachableAgain, LogLevel.Warning, "Redis at {Endpoint} answers: this node follows the others again")]
    private static partial void LogReachable(ILogger logger, string endpoint);

    [LoggerMessage(EventIds.RedisNotDurable, LogLevel.Warning, "Redis at {Endpoint} is not durable: {Warning}. Run it with appendonly yes and appendfsync everysec (or always); see the README")]
    private static partial void LogNotDurable(ILogger logger, string endpoint, string warning);
}
