using System.Globalization;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// Seats promised to parked purchases, as the whole cluster counts them: the journal's scripts keep one count per zone
/// (<see cref="RedisPurchaseJournal.Promised"/>) as purchases are parked and settled on any node, and every second
/// each node takes that count for its own. Between two reads a node counts its own new promises at once, so two nodes
/// may promise the same last seats within that second; the box office then refuses one, which fails honestly
/// (<c>not_enough_seats</c>, nobody charged).
/// </summary>
internal sealed partial class RedisPromiseFollower(
    RedisConnection redis,
    AvailabilityService availability,
    TimeProvider time,
    ILogger<RedisPromiseFollower> logger) : BackgroundService
{
    private bool _failing;

    /// <summary>The cluster's promises, per zone.</summary>
    internal static async Task<IReadOnlyDictionary<(int PerformanceId, int ZoneId), int>> ReadAsync(RedisConnection redis)
    {
        var counts = await redis.RunAsync(db => db.HashGetAllAsync(RedisPurchaseJournal.Promised));
        var promised = new Dictionary<(int PerformanceId, int ZoneId), int>(counts.Length);
        foreach (var entry in counts)
        {
            var zone = ((string?)entry.Name ?? string.Empty).Split(':');
            if (zone.Length == 2
                && int.TryParse(zone[0], NumberStyles.None, CultureInfo.InvariantCulture, out var performanceId)
                && int.TryParse(zone[1], NumberStyles.None, CultureInfo.InvariantCulture, out var zoneId)
                && entry.Value.TryParse(out int seats))
            {
                promised[(performanceId, zoneId)] = seats;
            }
        }

        return promised;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => EverySecond.RunAsync(FollowAsync, time, stoppingToken);

    private async Task FollowAsync()
    {
        try
        {
            availability.ReplacePromises(await ReadAsync(redis));
            _failing = false;
        }
        catch (StoreUnavailableException ex)
        {
            if (!_failing)
            {
                _failing = true;
                LogFollowFailed(logger, ex.Message); // the last known promises stay
            }
        }
    }

    [LoggerMessage(EventIds.RedisPromisesFollowFailed, LogLevel.Warning, "Could not read the seats the cluster promised to parked purchases ({Reason}); this node keeps the last known count")]
    private static partial void LogFollowFailed(ILogger logger, string reason);
}
