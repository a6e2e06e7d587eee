using System.Text.Json;
using System.Text.Json.Serialization;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>The records the Redis store keeps as JSON: purchases and holds, statuses by name, times exact to the tick, nulls
/// written (required members may be null).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(Purchase))]
[JsonSerializable(typeof(HeldSeats))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
