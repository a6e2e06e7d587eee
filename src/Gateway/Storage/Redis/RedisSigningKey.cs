using System.Security.Cryptography;
using OnSale.Gateway.WaitingRoom;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The waiting room's signing key, generated once per cluster: the first node to start sets it (<c>SET NX</c>), every
/// other node reads that one. It is kept in Redis as it is, not encrypted: whoever can read this Redis can rewrite every
/// queue place and parked purchase in it anyway, so Redis itself is what to protect (a password and TLS in
/// <c>Gateway:Redis:Configuration</c>, and a network only the gateway's nodes reach).
/// </summary>
internal sealed class RedisSigningKey(RedisConnection redis) : ISharedSigningKey
{
    private const string Key = RedisConnection.Prefix + "signing-key";

    public async Task<byte[]> GetOrCreateAsync(CancellationToken cancellationToken)
    {
        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await redis.RunAsync(db => db.StringSetAsync(Key, candidate, when: When.NotExists));
        return await ReadAsync(cancellationToken) ?? throw new InvalidOperationException("The shared signing key vanished from Redis as it was set.");
    }

    public async Task<byte[]?> ReadAsync(CancellationToken cancellationToken) =>
        await redis.RunAsync(async db => (string?)await db.StringGetAsync(Key)) is { } kept ? Convert.FromBase64String(kept) : null;
}
