using System.Text.Json.Serialization;
using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Resilience;

/// <summary>The Resilience feature's JSON, source-generated with the gateway's options (see <see cref="InfrastructureJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(ModeState))]
internal sealed partial class ResilienceJsonContext : JsonSerializerContext;
