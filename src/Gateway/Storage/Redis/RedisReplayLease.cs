using OnSale.Gateway.Infrastructure;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// Which node replays parked purchases: the one holding a short lease in Redis (<c>SET NX PX</c>), renewed every
/// second while it lives. One replayer for the cluster keeps arrival order without cross-node coordination, and costs
/// nothing in throughput: the replay runs at the backend's pace, not the node's. A node that dies stops renewing; within
/// <see cref="Lease"/> another takes the lease and claims what the dead one had been handed (<see cref="RedisPurchaseJournal"/>).
/// </summary>
internal sealed partial class RedisReplayLease(RedisConnection redis, ThisNode self, TimeProvider time, ILogger<RedisReplayLease> logger) : BackgroundService
{
    public const string Key = RedisConnection.Prefix + "{purchases}:replay-lease";
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    /// <summary>Renews the lease if this node holds it, takes it if nobody does: 0 another holds it, 1 renewed, 2 taken.</summary>
    private const string HoldScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if not holder then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 2
        end
        return 0
        """;

    private long _heldUntilTicks;
    private int _takenOver;

    /// <summary>Whether this node may replay now: it renewed the lease less than a lease ago, with a second to spare.</summary>
    public bool IsHeld => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _heldUntilTicks);

    /// <summary>The holder's node id, as this node last heard it.</summary>
    public string? Holder { get; private set; }

    /// <summary>True once after this node took the lease (rather than renewed it): time to claim what the last holder left.</summary>
    public bool TakeOverPending() => Interlocked.Exchange(ref _takenOver, 0) == 1;

    /// <summary>One try: renew or take the lease. Returns whether this node holds it.</summary>
    public async Task<bool> TryHoldAsync()
    {
        var before = time.GetUtcNow();
        var result = (int)await redis.RunAsync(db => db.ScriptEvaluateAsync(HoldScript, [Key], [self.Id, (long)Lease.TotalMilliseconds]));
        if (result == 0)
        {
            Interlocked.Exchange(ref _heldUntilTicks, 0);
            Holder = null;
            return false;
        }

        if (result == 2)
        {
            Interlocked.Exchange(ref _takenOver, 1);
            LogTaken(logger, self.Id);
        }

        Holder = self.Id;
        Interlocked.Exchange(ref _heldUntilTicks, (before + Lease - EverySecond.Period).UtcTicks);
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => EverySecond.RunAsync(RenewAsync, time, stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (IsHeld)
        {
            // Hand over at once rather than after a lease: only if it is still ours.
            try
            {
                await redis.RunAsync(db => db.ScriptEvaluateAsync(
                    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", [Key], [self.Id]));
            }
            catch (Exception ex) when (ex is StoreUnavailableException or ObjectDisposedException)
            {
                // It runs out by itself.
            }
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            await TryHoldAsync();
        }
        catch (StoreUnavailableException)
        {
            // Not held while Redis does not answer: IsHeld runs out by itself; readiness reports Redis.
        }
    }

    [LoggerMessage(EventIds.RedisReplayLeaseTaken, LogLevel.Information, "This node ({Node}) now replays the cluster's parked purchases")]
    private static partial void LogTaken(ILogger logger, string node);
}
