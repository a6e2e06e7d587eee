using System.Text.Json.Serialization;
using System.Text.Json;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Admin;

/// <summary>The Admin feature's JSON, source-generated with the gateway's options (see <see cref="InfrastructureJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(ModeRequest))]
[JsonSerializable(typeof(BannerRequest))]
[JsonSerializable(typeof(HotRequest))]
[JsonSerializable(typeof(AdmissionRequest))]
[JsonSerializable(typeof(BannerState))]
[JsonSerializable(typeof(AdminStatus))]
[JsonSerializable(typeof(Notice))]
[JsonSerializable(typeof(OperatorView))]
[JsonSerializable(typeof(ConsoleSeries))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(SupportPurchases))]
[JsonSerializable(typeof(IReadOnlyList<ReadinessReport>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
