using System.Text.Json.Serialization;
using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>The WaitingRoom feature's JSON, source-generated with the gateway's options (see <see cref="InfrastructureJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(QueueAnswer))]
[JsonSerializable(typeof(ChallengeAnswer))]
[JsonSerializable(typeof(HotState))]
[JsonSerializable(typeof(Dictionary<int, HotSetting>))]
[JsonSerializable(typeof(AdmissionState))]
[JsonSerializable(typeof(Dictionary<int, AdmissionSetting>))]
internal sealed partial class WaitingRoomJsonContext : JsonSerializerContext;
