using System.Text.Json;
using OnSale.Gateway.Infrastructure;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The live nodes of the cluster: every second each node writes itself into one hash (<c>onsale:nodes</c>) and reads
/// the others; a node unheard of for <see cref="Forget"/> is removed by whoever sees it first. One small write and one
/// read a second per node; a failed round is logged once per outage and the last known list kept (with this node in
/// it), so that a Redis outage neither empties the list nor floods the log.
/// </summary>
internal sealed partial class RedisNodeRegistry(
    RedisConnection redis,
    ThisNode self,
    TimeProvider time,
    ILogger<RedisNodeRegistry> logger) : BackgroundService, IClusterNodes
{
    private const string Key = RedisConnection.Prefix + "nodes";
    public static readonly TimeSpan Forget = TimeSpan.FromSeconds(5);
    private IReadOnlyList<NodeView>? _nodes;
    private bool _failing;

    public IReadOnlyList<NodeView> Nodes => Volatile.Read(ref _nodes) ?? [self.View()];

    public event Action<int>? Changed;

    /// <summary>One round: say this node is alive, read the others, forget the silent.</summary>
    internal async Task BeatAsync()
    {
        var me = self.View();
        var db = await redis.DatabaseAsync();
        await db.HashSetAsync(Key, me.Id, JsonSerializer.Serialize(me, InfrastructureJsonContext.Default.NodeView));
        var now = time.GetUtcNow();
        var others = new List<NodeView>();
        foreach (var entry in await db.HashGetAllAsync(Key))
        {
            var node = TryRead(entry.Value);
            if (node is null || now - node.LastSeen > Forget)
            {
                await db.HashDeleteAsync(Key, entry.Name);
            }
            else if (node.Id != me.Id)
            {
                others.Add(node);
            }
        }

        var before = Nodes.Count;
        IReadOnlyList<NodeView> nodes = [me, .. others.OrderBy(n => n.StartedAt)];
        Volatile.Write(ref _nodes, nodes);
        if (nodes.Count != before)
        {
            Changed?.Invoke(nodes.Count);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => EverySecond.RunAsync(RoundAsync, time, stoppingToken);

    /// <summary>
    /// The ids of the nodes that said they were alive within <see cref="Forget"/>, read from Redis now (not this node's
    /// last known list): for deciding that a node is gone.
    /// </summary>
    public static async Task<HashSet<string>> AliveAsync(RedisConnection redis, DateTimeOffset now)
    {
        var alive = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in await redis.RunAsync(db => db.HashGetAllAsync(Key)))
        {
            if (TryRead(entry.Value) is { } node && now - node.LastSeen <= Forget)
            {
                alive.Add(node.Id);
            }
        }

        return alive;
    }

    private async Task RoundAsync()
    {
        try
        {
            await BeatAsync();
            if (_failing)
            {
                _failing = false;
                LogBeatResumed(logger);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (!_failing)
            {
                _failing = true;
                LogBeatFailed(logger, RedisConnection.Brief(ex));
            }
        }
    }

    /// <summary>A node that stops says so at once: the others share the backend's ceilings again without waiting, and its live work is known to be over.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await redis.RunAsync(db => db.HashDeleteAsync(Key, self.Id));
        }
        catch (Exception ex) when (ex is StoreUnavailableException or ObjectDisposedException)
        {
            // The others forget it after a few seconds.
        }
    }

    private static NodeView? TryRead(RedisValue value)
    {
        try
        {
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, InfrastructureJsonContext.Default.NodeView);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventIds.RedisNodeBeatFailed, LogLevel.Warning, "Could not tell the other nodes this one is alive ({Reason}); the list of nodes is the last known until Redis answers")]
    private static partial void LogBeatFailed(ILogger logger, string reason);

    [LoggerMessage(EventIds.RedisNodeBeatResumed, LogLevel.Information, "This node is again telling the others it is alive")]
    private static partial void LogBeatResumed(ILogger logger);
}
