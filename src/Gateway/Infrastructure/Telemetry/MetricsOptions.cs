using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure.Telemetry;

/// <summary>What <c>/metrics</c> (and OTLP, when configured) exports (section <c>Gateway:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Gateway:Metrics";

    /// <summary>
    /// The meters whose instruments are exported, as OpenTelemetry's <c>AddMeter</c> takes them: a name ending in
    /// <c>*</c> matches by prefix (<c>Microsoft.AspNetCore.*</c>), matching ignores case. A list given in
    /// configuration replaces this one. Default: <c>OnSale.Gateway</c>, <c>OnSale.Gateway.Cache</c>, ASP.NET Core's
    /// <c>Microsoft.AspNetCore.Hosting</c>, <c>.Server.Kestrel</c>, <c>.RateLimiting</c> and <c>.Diagnostics</c>,
    /// HttpClient's <c>System.Net.Http</c> and <c>System.Net.NameResolution</c>, and <c>System.Runtime</c>.
    /// </summary>
    [Required]
    [MinLength(1)]
    public IList<string> MeterNames { get; set; } =
    [
        GatewayMetrics.MeterName,
        "OnSale.Gateway.Cache",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
    ];

    /// <summary>
    /// The most tag sets (series) kept per instrument (OpenTelemetry's cardinality limit). Measurements of further tag
    /// sets are added up in one series labelled <c>otel_metric_overflow="true"</c>, so that a tag with unbounded
    /// values (a user id, a raw path) cannot exhaust memory. Default: 1,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxTagSetsPerInstrument { get; set; } = 1_000;

    /// <summary>
    /// A local port on which <c>/metrics</c> answers without the admin key, for a scraper on a private network. The
    /// gateway must also listen on it (add it to <c>--urls</c>, e.g. <c>http://10.0.0.5:9464</c>); on every other port
    /// <c>/metrics</c> needs <c>Authorization: Bearer {Gateway:Admin:ApiKey}</c>. Default: none.
    /// </summary>
    [Range(1, 65_535)]
    public int? Port { get; set; }
}

/// <summary>Checks the DataAnnotations of <see cref="MetricsOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
}
