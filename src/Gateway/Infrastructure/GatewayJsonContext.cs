using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OnSale.Gateway.Admin;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// Source-generated JSON for every type the gateway reads or writes: camelCase, nulls left out, numbers strictly
/// numbers (a quoted "2" is a type error, not a 2), times as ISO 8601 UTC with a Z.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(IReadOnlyList<Performance>))]
[JsonSerializable(typeof(AvailabilityResponse))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(PurchaseRequest))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(CheckoutRequest))]
[JsonSerializable(typeof(PurchaseResponse))]
[JsonSerializable(typeof(HoldResponse))]
[JsonSerializable(typeof(ModeRequest))]
[JsonSerializable(typeof(BannerRequest))]
[JsonSerializable(typeof(ModeState))]
[JsonSerializable(typeof(BannerState))]
[JsonSerializable(typeof(AdminStatus))]
[JsonSerializable(typeof(Notice))]
[JsonSerializable(typeof(QueueAnswer))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;

/// <summary>Writes every time as UTC with a trailing Z; reads any ISO 8601 offset.</summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}
