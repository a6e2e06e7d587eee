using System.Globalization;
using OnSale.Gateway.Infrastructure;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// Settings (mode, banner, hot performances) as Redis strings and the audit trail as a capped list, shared by every
/// node. A change is published on <see cref="Channel"/> with its key and the node that made it, so that every other
/// node applies it within the time a message takes (CONTRACT.md §3: one second); after a lost connection comes back,
/// every setting is read again, since messages sent meanwhile are lost (pub/sub keeps nothing).
/// </summary>
internal sealed class RedisSettingsStore : ISettingsStore
{
    public const string Channel = RedisConnection.Prefix + "settings-changed";
    private const string SettingPrefix = RedisConnection.Prefix + "setting:";
    private const string AuditKey = RedisConnection.Prefix + "audit";

    /// <summary>Audit lines kept: years of on-sale days at a few changes each.</summary>
    private const int AuditKept = 10_000;

    private static readonly RedisChannel ChangeChannel = RedisChannel.Literal(Channel);
    private readonly RedisConnection _redis;
    private readonly string _node = Guid.NewGuid().ToString("N");

    public RedisSettingsStore(RedisConnection redis)
    {
        _redis = redis;
        redis.Restored += () => ChangedElsewhere?.Invoke(null);
    }

    public event Action<string?>? ChangedElsewhere;

    /// <summary>Subscribes to changes made by other nodes. Called once at start-up.</summary>
    public async Task SubscribeAsync()
    {
        var connection = await _redis.MultiplexerAsync();
        await connection.GetSubscriber().SubscribeAsync(ChangeChannel, (_, message) =>
        {
            var text = (string?)message ?? string.Empty;
            var separator = text.IndexOf(' ', StringComparison.Ordinal);
            if (separator > 0 && text.AsSpan(0, separator).SequenceEqual(_node))
            {
                return; // our own change, applied already
            }

            ChangedElsewhere?.Invoke(separator > 0 ? text[(separator + 1)..] : null);
        });
    }

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        await _redis.RunAsync(async db => (string?)await db.StringGetAsync(SettingPrefix + key));

    public async Task SetAsync(string key, string? value, CancellationToken cancellationToken)
    {
        await _redis.RunAsync(db => value is null ? db.KeyDeleteAsync(SettingPrefix + key) : db.StringSetAsync(SettingPrefix + key, value));
        await _redis.RunAsync(db => db.PublishAsync(ChangeChannel, _node + " " + key));
    }

    public Task EraseAsync(string key, CancellationToken cancellationToken) =>
        _redis.RunAsync(db => db.KeyDeleteAsync(SettingPrefix + key));

    public async Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var line = string.Join('\u001f', entry.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), entry.Operator, entry.Action, entry.Detail, entry.Reason ?? string.Empty);
        await _redis.RunAsync(async db =>
        {
            var batch = db.CreateTransaction();
            _ = batch.ListLeftPushAsync(AuditKey, line);
            _ = batch.ListTrimAsync(AuditKey, 0, AuditKept - 1);
            return await batch.ExecuteAsync();
        });
    }

    public async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, CancellationToken cancellationToken)
    {
        var lines = await _redis.RunAsync(db => db.ListRangeAsync(AuditKey, 0, limit - 1));
        var result = new List<AuditEntry>(lines.Length);
        foreach (var line in lines)
        {
            var parts = ((string)line!).Split('\u001f', 5);
            if (parts.Length >= 4 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at))
            {
                result.Add(new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(at), parts[1], parts[2], parts[3], parts.Length == 5 && parts[4].Length > 0 ? parts[4] : null));
            }
        }

        return result;
    }
}
