using System.Globalization;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The cluster's waiting rooms, in Redis (<see cref="RedisRoom"/>): a room one node makes is found by every other,
/// by its key when a buyer of it asks and from the set of rooms at each node's rounds (at most once a second).
/// </summary>
internal sealed class RedisRooms(
    RedisConnection redis,
    IClusterNodes nodes,
    TimeProvider time,
    IOptions<WaitingRoomOptions> options,
    ILogger<RedisRoom> logger) : IRoomFactory
{
    public const string RoomSet = RedisConnection.Prefix + "rooms";

    private long _lookedAt = long.MinValue;

    public Task<IReadOnlyList<IRoom>> RestoreAsync(CancellationToken cancellationToken) => ListAsync([]);

    public async Task<IRoom> CreateAsync(int performanceId, DateTimeOffset opensAt, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var figures = await RedisRoom.ReadAsync(redis, performanceId, RedisRoomScripts.Create,
            [opensAt.ToUnixTimeMilliseconds(), Math.Clamp(o.EffectiveActivationThreshold, 1, o.MaxActiveBuyers)]);
        await redis.RunAsync(db => db.SetAddAsync(RoomSet, performanceId));
        return New(performanceId, figures);
    }

    public async Task<IRoom?> FindAsync(int performanceId, CancellationToken cancellationToken)
    {
        var figures = await RedisRoom.ReadAsync(redis, performanceId, RedisRoomScripts.Read, []);
        return figures.Length == 0 ? null : New(performanceId, figures);
    }

    public async Task<IReadOnlyList<IRoom>> MadeElsewhereAsync(ICollection<int> known, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(Interlocked.Read(ref _lookedAt), now) < EverySecond.Period && _lookedAt != long.MinValue)
        {
            return [];
        }

        Interlocked.Exchange(ref _lookedAt, now);
        try
        {
            return await ListAsync(known);
        }
        catch (StoreUnavailableException)
        {
            return []; // Looked for again next second.
        }
    }

    private async Task<IReadOnlyList<IRoom>> ListAsync(ICollection<int> known)
    {
        var members = await redis.RunAsync(db => db.SetMembersAsync(RoomSet));
        var rooms = new List<IRoom>();
        foreach (var member in members)
        {
            if (int.TryParse((string?)member, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && !known.Contains(id)
                && await FindAsync(id, CancellationToken.None) is { } room)
            {
                rooms.Add(room);
            }
        }

        return rooms;
    }

    private RedisRoom New(int performanceId, RedisResult[] figures) => new(performanceId, figures, redis, nodes, options.Value, logger);
}

/// <summary>
/// The waiting room's store in Redis mode: rooms keep themselves in Redis (<see cref="RedisRoom"/>), each change
/// written by the script that makes it, so there is nothing to load or save besides.
/// </summary>
internal sealed class RedisRoomsKeepThemselves : IWaitingRoomStore
{
    public Task<(IReadOnlyList<StoredRoom> Rooms, IReadOnlyList<StoredEntry> Entries)> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<StoredRoom>, IReadOnlyList<StoredEntry>)>(([], []));

    public Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SaveEntriesAsync(IReadOnlyList<StoredEntry> entries, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SavePlaceAsync(StoredEntry place, CancellationToken cancellationToken) => Task.CompletedTask;
}
