using System.Text.Json.Serialization;
using System.Text.Json;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// JSON the infrastructure writes (problems), and the options every feature's own context repeats: camelCase, nulls
/// left out, numbers strictly numbers (a quoted "2" is a type error, not a 2), times as ISO 8601 UTC with a Z. Each
/// feature declares its own source-generated context, so that infrastructure knows no feature's types.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(NodeView))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
internal sealed partial class InfrastructureJsonContext : JsonSerializerContext;

/// <summary>Writes every time as UTC with a trailing Z; reads any ISO 8601 offset.</summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
