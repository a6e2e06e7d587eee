using System.Text.Json.Serialization;
using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Purchasing;

/// <summary>The Purchasing feature's JSON, source-generated with the gateway's options (see <see cref="InfrastructureJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(PurchaseRequest))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(CheckoutRequest))]
[JsonSerializable(typeof(PurchaseResponse))]
[JsonSerializable(typeof(HoldResponse))]
internal sealed partial class PurchasingJsonContext : JsonSerializerContext;
