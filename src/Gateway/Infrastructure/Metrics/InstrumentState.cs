using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>
/// Everything exported for one instrument: its Prometheus name and type, and one <see cref="MetricSeries"/> per tag
/// set, at most <c>maxSeries</c> of them.
/// </summary>
internal sealed class InstrumentState
{
    // OpenTelemetry's defaults: the semantic conventions' advice for durations in seconds
    // (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/#metric-httpserverrequestduration),
    // and the SDK's default explicit buckets for everything else.
    private static readonly double[] SecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] MillisecondsBounds = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    // The sort of a measurement's tags happens in this per-thread buffer, so that recording does not allocate.
    [ThreadStatic]
    private static KeyValuePair<string, object?>[]? _sortBuffer;

    private readonly ConcurrentDictionary<TagSet, MetricSeries> _series = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSet, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly int _maxSeries;
    private readonly bool _monotonic;
    private readonly bool _lastValue;
    private readonly double[] _bounds = [];

    // Creating a series is rare (once per tag set) and takes this lock, so that the limit is exact and no
    // measurement is lost to two threads creating the same series; recording into an existing one never does.
    private readonly Lock _createLock = new();
    private int _seriesCount;
    private long _dropped;

    private InstrumentState(Instrument instrument, PrometheusMetricType type, bool monotonic, bool lastValue, int maxSeries)
    {
        Instrument = instrument;
        Type = type;
        _monotonic = monotonic;
        _lastValue = lastValue;
        _maxSeries = maxSeries;
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        Name = PrometheusTextWriter.GetMetricName(instrument.Name, instrument.Unit, type);
        if (type == PrometheusMetricType.Histogram)
        {
            _bounds = AdvisedBounds(instrument) ?? DefaultBoundsFor(instrument.Unit);
        }
    }

    public Instrument Instrument { get; }

    public PrometheusMetricType Type { get; }

    /// <summary>The family name in the exposition format.</summary>
    public string Name { get; }

    /// <summary>Measurements dropped because their tag set would have gone beyond the limit.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The state for an instrument, or null for a kind this exporter does not know.</summary>
    public static InstrumentState? TryCreate(Instrument instrument, int maxSeries)
    {
        if (!instrument.GetType().IsGenericType)
        {
            return null;
        }

        var definition = instrument.GetType().GetGenericTypeDefinition();
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return new InstrumentState(instrument, PrometheusMetricType.Counter, monotonic: true, lastValue: false, maxSeries);
        }

        if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>))
        {
            return new InstrumentState(instrument, PrometheusMetricType.Gauge, monotonic: false, lastValue: false, maxSeries);
        }

        if (definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>))
        {
            return new InstrumentState(instrument, PrometheusMetricType.Gauge, monotonic: false, lastValue: true, maxSeries);
        }

        if (definition == typeof(Histogram<>))
        {
            return new InstrumentState(instrument, PrometheusMetricType.Histogram, monotonic: false, lastValue: false, maxSeries);
        }

        return null;
    }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var buffer = SortTags(ref tags);
        try
        {
            GetSeries(tags)?.Record(value);
        }
        finally
        {
            ReturnBuffer(buffer, tags.Length);
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var buffer = SortTags(ref tags);
        try
        {
            GetSeries(tags)?.Record(value);
        }
        finally
        {
            ReturnBuffer(buffer, tags.Length);
        }
    }

    /// <summary>
    /// Before an observable instrument is read: what its callback reports replaces everything, so a series it no
    /// longer reports (a zone sold out, a breaker removed) disappears and stops counting against the limit.
    /// </summary>
    public void BeginObservation()
    {
        lock (_createLock)
        {
            _series.Clear();
            Volatile.Write(ref _seriesCount, 0);
        }
    }

    /// <summary>The series in a stable order (by their labels).</summary>
    public List<MetricSeries> SnapshotSeries()
    {
        var series = _series.Values.ToList();
        series.Sort(static (a, b) => string.CompareOrdinal(a.Tags.Labels, b.Tags.Labels));
        return series;
    }

    private MetricSeries? GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> sortedTags) =>
        _lookup.TryGetValue(sortedTags, out var series) ? series : AddSeries(sortedTags);

    private MetricSeries? AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> sortedTags)
    {
        MetricSeries? series;
        if (Volatile.Read(ref _seriesCount) >= _maxSeries)
        {
            // Full: a flood of new tag sets costs a lookup and a counter each, no lock and no allocation. The second
            // lookup finds a series added since the first one (it is in the dictionary before it is counted).
            if (!_lookup.TryGetValue(sortedTags, out series))
            {
                Interlocked.Increment(ref _dropped);
            }

            return series;
        }

        lock (_createLock)
        {
            if (_lookup.TryGetValue(sortedTags, out series))
            {
                return series;
            }

            if (_seriesCount >= _maxSeries)
            {
                Interlocked.Increment(ref _dropped);
                return null;
            }

            var tagSet = TagSet.Create(sortedTags);
            series = Type switch
            {
                PrometheusMetricType.Histogram => new HistogramSeries(tagSet, _bounds),
                _ when _lastValue => new LastValueSeries(tagSet),
                _ => new SumSeries(tagSet, _monotonic, replace: Instrument.IsObservable),
            };
            _series[tagSet] = series;
            Volatile.Write(ref _seriesCount, _seriesCount + 1);
            return series;
        }
    }

    private static KeyValuePair<string, object?>[]? SortTags(ref ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var sorted = true;
        for (var i = 1; i < tags.Length && sorted; i++)
        {
            sorted = string.CompareOrdinal(tags[i - 1].Key, tags[i].Key) <= 0;
        }

        if (sorted)
        {
            return null;
        }

        // Taken out of the slot while in use, in case formatting a tag value records a measurement on this thread.
        var buffer = _sortBuffer is { } cached && cached.Length >= tags.Length ? cached : new KeyValuePair<string, object?>[Math.Max(tags.Length, 8)];
        _sortBuffer = null;
        var span = buffer.AsSpan(0, tags.Length);
        tags.CopyTo(span);
        span.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        tags = span;
        return buffer;
    }

    private static void ReturnBuffer(KeyValuePair<string, object?>[]? buffer, int length)
    {
        if (buffer is not null)
        {
            // Do not keep tag values (and what they reference) alive.
            buffer.AsSpan(0, length).Clear();
            _sortBuffer = buffer;
        }
    }

    private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<byte> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        Histogram<short> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        Histogram<int> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        Histogram<long> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        Histogram<float> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        Histogram<double> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        Histogram<decimal> h => ToBounds(h.Advice?.HistogramBucketBoundaries),
        _ => null,
    };

    private static double[]? ToBounds<T>(IReadOnlyList<T>? advised)
        where T : struct, IConvertible
    {
        if (advised is null || advised.Count == 0)
        {
            return null;
        }

        // InstrumentAdvice already insists on ascending order; infinities and NaN are left to the +Inf bucket.
        return advised
            .Select(b => b.ToDouble(CultureInfo.InvariantCulture))
            .Where(double.IsFinite)
            .Distinct()
            .Order()
            .ToArray();
    }

    private static double[] DefaultBoundsFor(string? unit) => unit switch
    {
        "s" => SecondsBounds,
        "ms" => MillisecondsBounds,
        _ => DefaultBounds,
    };
}
