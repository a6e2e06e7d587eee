using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>What the <c>/metrics</c> endpoint exports (section <c>Gateway:Metrics</c>).</summary>
public sealed class PrometheusExporterOptions
{
    public const string SectionName = "Gateway:Metrics";

    /// <summary>
    /// The meters whose instruments are exported. A name ending in <c>*</c> matches every meter that starts with the
    /// rest (<c>Microsoft.AspNetCore.*</c>); matching ignores case, as OpenTelemetry's <c>AddMeter</c> does. A list
    /// given in configuration replaces this one. Default: <c>OnSale.Gateway</c>, <c>OnSale.Gateway.Cache</c>,
    /// <c>Microsoft.AspNetCore.Hosting</c>, <c>Microsoft.AspNetCore.Server.Kestrel</c>,
    /// <c>Microsoft.AspNetCore.RateLimiting</c> and <c>System.Runtime</c>.
    /// </summary>
    [Required]
    public IList<string> MeterNames { get; set; } =
    [
        "OnSale.Gateway",
        "OnSale.Gateway.Cache",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Runtime",
    ];

    /// <summary>
    /// The most tag sets (series) kept per instrument. A measurement whose tag set would go beyond it is dropped and
    /// counted in <c>onsale_metrics_dropped_series_total</c>, so that a tag with unbounded values (a user id, a raw
    /// path) cannot exhaust memory. Default: 1,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxTagSetsPerInstrument { get; set; } = 1_000;
}

/// <summary>Checks the DataAnnotations of <see cref="PrometheusExporterOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class PrometheusExporterOptionsValidator : IValidateOptions<PrometheusExporterOptions>
{
}
