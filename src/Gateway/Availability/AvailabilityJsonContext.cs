using System.Text.Json.Serialization;
using System.Text.Json;
using OnSale.Gateway.Infrastructure;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Availability;

/// <summary>The Availability feature's JSON, source-generated with the gateway's options (see <see cref="InfrastructureJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(IReadOnlyList<Performance>))]
[JsonSerializable(typeof(AvailabilityResponse))]
[JsonSerializable(typeof(IReadOnlyList<Zone>))]
internal sealed partial class AvailabilityJsonContext : JsonSerializerContext;
