using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>
/// Listens to the configured meters with one <see cref="MeterListener"/>, aggregates every measurement as Prometheus
/// expects (counters and up-down counters sum, gauges keep the last value, histograms fill buckets) and writes the
/// result in the text exposition format on demand. A singleton: it must exist before measurements are recorded.
/// </summary>
internal sealed class PrometheusMetricsCollector : IDisposable
{
    public const string DroppedSeriesMetricName = "onsale_metrics_dropped_series_total";
    public const string ObservationErrorsMetricName = "onsale_metrics_observation_errors_total";

    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly HashSet<string> _meterNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _meterPrefixes = [];
    private readonly IMeterFactory? _meterFactory;
    private readonly int _maxSeries;
    private readonly Lock _scrapeLock = new();
    private long _observationErrors;

    /// <param name="options">Which meters, and the cardinality limit.</param>
    /// <param name="meterFactory">
    /// The container's meter factory. When given, meters that another container's factory created are left out, so
    /// that two hosts in one process (tests, mostly) do not export each other's ASP.NET Core metrics.
    /// </param>
    public PrometheusMetricsCollector(IOptions<PrometheusExporterOptions> options, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        foreach (var name in settings.MeterNames)
        {
            if (name.EndsWith('*'))
            {
                _meterPrefixes.Add(name[..^1]);
            }
            else
            {
                _meterNames.Add(name);
            }
        }

        _maxSeries = settings.MaxTagSetsPerInstrument;
        _meterFactory = meterFactory;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));

        // Publishes the instruments that exist already, then each one as it is created.
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and renders everything as Prometheus text.</summary>
    public string Collect()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    /// <summary>Reads the observable instruments and writes everything as Prometheus text, families ordered by name.</summary>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // Scrapes take turns: each one decides which observed series are current.
        lock (_scrapeLock)
        {
            var states = _instruments.Values.ToList();
            RecordObservableInstruments(states);
            foreach (var family in states.GroupBy(s => s.Name, StringComparer.Ordinal).OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                WriteFamily(writer, family);
            }

            WriteSelfMetrics(writer, states);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!IsExported(instrument.Meter) || InstrumentState.TryCreate(instrument, _maxSeries) is not { } state)
        {
            return;
        }

        _instruments[instrument] = state;
        listener.EnableMeasurementEvents(instrument, state);
    }

    // A disposed meter's values go with it, as they would from an OpenTelemetry exporter.
    private void OnMeasurementsCompleted(Instrument instrument, object? state) => _instruments.TryRemove(instrument, out _);

    private bool IsExported(Meter meter)
    {
        if (_meterFactory is not null && meter.Scope is IMeterFactory owner && !ReferenceEquals(owner, _meterFactory))
        {
            return false;
        }

        return _meterNames.Contains(meter.Name) ||
            _meterPrefixes.Exists(prefix => meter.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
    }

    private void RecordObservableInstruments(List<InstrumentState> states)
    {
        var observable = states.Where(s => s.Instrument.IsObservable).ToList();
        if (observable.Count == 0)
        {
            return;
        }

        foreach (var state in observable)
        {
            state.BeginObservation();
        }

        try
        {
            _listener.RecordObservableInstruments();
        }
        catch (AggregateException exception)
        {
            // One broken callback must not blank the whole page: the others have been read, and the broken one's
            // series are left out because it reported nothing this time.
            _observationErrors += exception.InnerExceptions.Count;
        }
    }

    /// <summary>
    /// Several instruments can map to one name: the same name in two meters, or names that differ only in characters
    /// Prometheus does not allow. A family has one type and a series appears once, so the first instrument (by meter
    /// name) sets the type and HELP, and a later instrument's series with labels already written are left out.
    /// </summary>
    private static void WriteFamily(TextWriter writer, IEnumerable<InstrumentState> family)
    {
        var members = family
            .OrderBy(s => s.Instrument.Meter.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Instrument.Name, StringComparer.Ordinal)
            .ToList();
        var first = members[0];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var series = new List<MetricSeries>();
        foreach (var member in members.Where(m => m.Type == first.Type))
        {
            series.AddRange(member.SnapshotSeries().Where(s => seen.Add(s.Tags.Labels)));
        }

        if (series.Count == 0)
        {
            return;
        }

        series.Sort(static (a, b) => string.CompareOrdinal(a.Tags.Labels, b.Tags.Labels));
        PrometheusTextWriter.WriteFamilyHeader(writer, first.Name, first.Instrument.Description, first.Type);
        foreach (var item in series)
        {
            item.Write(writer, first.Name);
        }
    }

    private void WriteSelfMetrics(TextWriter writer, List<InstrumentState> states)
    {
        var dropped = states
            .Where(s => s.Dropped > 0)
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .Select(f => (Name: f.Key, Dropped: f.Sum(s => s.Dropped)))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        if (dropped.Count > 0)
        {
            PrometheusTextWriter.WriteFamilyHeader(
                writer,
                DroppedSeriesMetricName,
                "Measurements dropped because their instrument already had Gateway:Metrics:MaxTagSetsPerInstrument tag sets, by metric.",
                PrometheusMetricType.Counter);
            foreach (var (name, count) in dropped)
            {
                var labels = PrometheusTextWriter.FormatLabels([new("metric", name)]);
                PrometheusTextWriter.WriteSample(writer, DroppedSeriesMetricName, labels, PrometheusTextWriter.FormatValue(count));
            }
        }

        if (_observationErrors > 0)
        {
            PrometheusTextWriter.WriteFamilyHeader(
                writer, ObservationErrorsMetricName, "Callbacks of observable instruments that threw during a scrape.", PrometheusMetricType.Counter);
            PrometheusTextWriter.WriteSample(writer, ObservationErrorsMetricName, "", PrometheusTextWriter.FormatValue(_observationErrors));
        }
    }
}
