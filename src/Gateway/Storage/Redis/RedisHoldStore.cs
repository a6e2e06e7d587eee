using System.Text.Json;
using OnSale.Gateway.Purchasing;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// Interactive holds in Redis, so that a buyer who held seats on one node pays on any other. The hold is kept a day past
/// its expiry, then Redis forgets it; its backend session is a key of its own that Redis forgets when the hold expires
/// (the backend let the seats go) or that is deleted when the hold closes. Expiry is counted from the gateway's clock
/// at the write, so nothing needs sweeping (<see cref="ForgetExpiredAsync"/>).
/// </summary>
internal sealed class RedisHoldStore(RedisConnection redis, TimeProvider time) : IHoldStore
{
    private const string HoldPrefix = RedisConnection.Prefix + "hold:";
    private const string SessionPrefix = RedisConnection.Prefix + "hold-session:";
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromDays(1);

    public async Task<HeldSeats?> GetAsync(string holdId, CancellationToken cancellationToken)
    {
        var values = await redis.RunAsync(db => db.StringGetAsync([HoldPrefix + holdId, SessionPrefix + holdId]));
        if (values[0].IsNullOrEmpty)
        {
            return null;
        }

        var hold = JsonSerializer.Deserialize((string)values[0]!, RedisJsonContext.Default.HeldSeats)!;
        return hold with { SessionKey = hold.Closed ? null : (string?)values[1] };
    }

    public async Task SaveAsync(HeldSeats hold, CancellationToken cancellationToken)
    {
        var left = hold.ExpiresAt - time.GetUtcNow();
        var json = JsonSerializer.Serialize(hold with { SessionKey = null }, RedisJsonContext.Default.HeldSeats);
        var keep = left + KeptAfterExpiry;
        await redis.RunAsync(async db =>
        {
            var batch = db.CreateTransaction();
            var writes = new List<Task>
            {
                keep > TimeSpan.Zero ? batch.StringSetAsync(HoldPrefix + hold.HoldId, json, keep) : batch.KeyDeleteAsync(HoldPrefix + hold.HoldId),
            };
            writes.Add(!hold.Closed && hold.SessionKey is not null && left > TimeSpan.Zero
                ? batch.StringSetAsync(SessionPrefix + hold.HoldId, hold.SessionKey, left, When.NotExists)
                : batch.KeyDeleteAsync(SessionPrefix + hold.HoldId));
            var committed = await batch.ExecuteAsync();
            await Task.WhenAll(writes);
            return committed;
        });
    }

    /// <summary>Nothing to do: Redis forgets expired sessions and old holds by itself.</summary>
    public Task<(int SessionsErased, int Deleted)> ForgetExpiredAsync(DateTimeOffset now, DateTimeOffset forgetBefore, int limit, CancellationToken cancellationToken) =>
        Task.FromResult((0, 0));
}
