using OnSale.Gateway.Resilience;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The budget's cuts between nodes, on one pub/sub channel: a node refused by the box says so (fire and forget), and
/// every other node cuts its own rate at once. A message lost while Redis is away costs only the refusals each node
/// then meets itself, as it would alone.
/// </summary>
internal sealed class RedisBudgetSignals : IBudgetSignals
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisConnection.Prefix + "budget-cut");
    private readonly RedisConnection _redis;
    private readonly string _node = Guid.NewGuid().ToString("N");

    public RedisBudgetSignals(RedisConnection redis)
    {
        _redis = redis;
    }

    public event Action? CutElsewhere;

    /// <summary>Subscribes to the other nodes' cuts. Called once at start-up.</summary>
    public async Task SubscribeAsync()
    {
        var connection = await _redis.MultiplexerAsync();
        await connection.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
        {
            if ((string?)message != _node)
            {
                CutElsewhere?.Invoke();
            }
        });
    }

    public void Cut()
    {
        var connection = _redis.MultiplexerAsync();
        if (connection.IsCompletedSuccessfully)
        {
            try
            {
                connection.Result.GetSubscriber().Publish(Channel, _node, CommandFlags.FireAndForget);
            }
            catch (RedisException)
            {
                // Redis away: each node meets its own refusals meanwhile.
            }
        }
    }
}
