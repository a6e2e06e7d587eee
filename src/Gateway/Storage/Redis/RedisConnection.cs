using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The one StackExchange.Redis multiplexer of this node, shared by the store, the cache's second level, its backplane
/// and its distributed locker. It connects in the background and keeps reconnecting (<c>AbortOnConnectFail=false</c>):
/// a node whose Redis goes down carries on with what it holds in memory, and readiness says why.
/// Every key the gateway writes starts with <see cref="Prefix"/>.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    public const string Prefix = "onsale:";

    /// <summary>
    /// How long a command may take before the caller is told the store is unavailable, unless the configuration string
    /// says otherwise (<c>syncTimeout=</c>, <c>asyncTimeout=</c>): well within a request's deadline.
    /// </summary>
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private readonly ConfigurationOptions _configuration;

    /// <summary>
    /// The operator's configuration string with what the gateway needs on top: never abort on a failed connect, fail fast
    /// while disconnected, a short connect timeout, and <see cref="CommandTimeout"/> where the string sets no timeout
    /// of its own (one set there is the operator's to choose, as for any StackExchange.Redis client).
    /// </summary>
    internal static ConfigurationOptions Configure(string? text)
    {
        var configuration = ConfigurationOptions.Parse(text ?? string.Empty);
        configuration.AbortOnConnectFail = false;

        // While disconnected, a command fails at once instead of waiting in a backlog for its timeout: reads carry on
        // from memory without waiting, and a change is refused clearly.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= $"onsale-gateway:{Environment.MachineName}:{Environment.ProcessId}";
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2_000);
        var keys = (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(option => option.Split('=', 2)[0].Trim())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!keys.Contains("syncTimeout"))
        {
            configuration.SyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        }

        if (!keys.Contains("asyncTimeout") && !keys.Contains("syncTimeout"))
        {
            configuration.AsyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        }

        return configuration;
    }

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        var configuration = Configure(options.Value.Configuration);
        Endpoint = string.Join(",", configuration.EndPoints.Select(e => e.ToString()));
        _configuration = configuration;
        _connection = new(async () =>
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            connection.ConnectionFailed += (_, e) => LogConnectionFailed(logger, e.EndPoint?.ToString() ?? Endpoint, e.FailureType.ToString(), e.Exception);
            connection.ConnectionRestored += (_, e) =>
            {
                LogConnectionRestored(logger, e.EndPoint?.ToString() ?? Endpoint);
                Restored?.Invoke();
            };
            return connection;
        });
    }

    /// <summary>The server(s) named in the configuration, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>Raised when a lost connection comes back: pub/sub messages sent meanwhile were missed.</summary>
    public event Action? Restored;

    /// <summary>
    /// A short-lived connection allowed admin commands (<c>CONFIG GET</c>), for the start-up check alone: the shared
    /// multiplexer is not, so that nothing in the gateway can flush or reconfigure the server by mistake.
    /// </summary>
    public Task<ConnectionMultiplexer> ConnectAsAdminAsync()
    {
        var admin = _configuration.Clone();
        admin.AllowAdmin = true;
        admin.ClientName += ":check";
        return ConnectionMultiplexer.ConnectAsync(admin);
    }

    /// <summary>The multiplexer (connected, or still trying).</summary>
    public Task<ConnectionMultiplexer> MultiplexerAsync() => _connection.Value;

    /// <summary>As the FusionCache components and the distributed cache ask for it.</summary>
    public async Task<IConnectionMultiplexer> AsInterfaceAsync() => await _connection.Value;

    public async Task<IDatabase> DatabaseAsync() => (await _connection.Value).GetDatabase();

    /// <summary>
    /// Runs one Redis operation, turning Redis being unreachable or too slow into <see cref="StoreUnavailableException"/>:
    /// a clear 503 for the caller, never a 500 nor a hang.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        try
        {
            return await operation(await DatabaseAsync());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new StoreUnavailableException($"The shared store (Redis at {Endpoint}) did not answer: {Brief(ex)}", ex);
        }
    }

    /// <summary>The first clause of StackExchange.Redis's message, without its page of connection diagnostics.</summary>
    public static string Brief(Exception exception)
    {
        var message = exception.Message;
        var end = message.IndexOf(';', StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }

    [LoggerMessage(EventIds.RedisConnectionFailed, LogLevel.Error, "Lost the connection to Redis at {Endpoint} ({FailureType}): reads are served from this node's memory and changes wait until it is back")]
    private static partial void LogConnectionFailed(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventIds.RedisConnectionRestored, LogLevel.Warning, "The connection to Redis at {Endpoint} is back")]
    private static partial void LogConnectionRestored(ILogger logger, string endpoint);
}
