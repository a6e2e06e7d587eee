using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// Redis's durability as <see cref="RedisStartup"/> read it when this node connected (<c>CONFIG GET append*</c>, on a
/// short-lived admin connection: not something to repeat every few seconds).
/// </summary>
internal sealed class RedisDurabilityCheck(RedisStartup startup) : IStoreDurability
{
    public Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(startup.Durability switch
    {
        null => (false, "Unknown: this node has not reached Redis since it started."),
        { AppendOnly: null } d => (false, $"Unknown: {d.Warning}."),
        { AppendOnly: true, Warning: null } d => (true, $"Redis writes every change to its append-only file (appendonly yes, appendfsync {d.AppendFsync}), as read when this node connected."),
        { AppendOnly: false } d => (false, $"Not durable: Redis keeps snapshots only (RDB), {d.Warning}."),
        var d => (false, $"Not durable: {d.Warning}."),
    });
}
