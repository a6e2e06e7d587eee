using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure.Metrics;

namespace OnSale.Gateway.Tests.Infrastructure.Metrics;

/// <summary>
/// A meter whose name no other test uses, and a collector listening to it alone, so that tests run in parallel
/// without seeing each other's measurements.
/// </summary>
internal sealed class MetricsTestContext : IDisposable
{
    private PrometheusMetricsCollector? _collector;

    public MetricsTestContext(int maxTagSetsPerInstrument = 1_000, bool createCollector = true, [CallerMemberName] string test = "")
    {
        MeterName = UniqueMeterName(test);
        Meter = new Meter(MeterName);
        MaxTagSetsPerInstrument = maxTagSetsPerInstrument;
        if (createCollector)
        {
            CreateCollector();
        }
    }

    public string MeterName { get; }

    public Meter Meter { get; }

    public int MaxTagSetsPerInstrument { get; }

    public PrometheusMetricsCollector Collector => _collector ?? throw new InvalidOperationException("No collector yet.");

    public static string UniqueMeterName(string test) => $"Tests.{test}.{Guid.NewGuid():N}";

    public PrometheusMetricsCollector CreateCollector()
    {
        _collector = new PrometheusMetricsCollector(Options.Create(new PrometheusExporterOptions
        {
            MeterNames = [MeterName],
            MaxTagSetsPerInstrument = MaxTagSetsPerInstrument,
        }));
        return _collector;
    }

    /// <summary>Scrapes, checks the text against the format and returns it.</summary>
    public string Scrape()
    {
        var text = Collector.Collect();
        ExpositionFormatValidator.AssertValid(text);
        return text;
    }

    public void Dispose()
    {
        _collector?.Dispose();
        Meter.Dispose();
    }

    /// <summary>The expected text: each line ended by a line feed, whatever the platform.</summary>
    public static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));
}
