namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>The aggregate of one instrument for one tag set. Recording is thread-safe; each kind says how.</summary>
internal abstract class MetricSeries(TagSet tags)
{
    public TagSet Tags { get; } = tags;

    public abstract void Record(long value);

    public abstract void Record(double value);

    public abstract void Write(TextWriter writer, string name);
}

/// <summary>
/// A sum: Counter and UpDownCounter add, their observable forms report the running total, which replaces the value.
/// Integer instruments sum in a <see cref="long"/> with <see cref="Interlocked.Add(ref long, long)"/> so that counts
/// stay exact; floating ones in a <see cref="double"/> with a compare-and-swap loop.
/// </summary>
internal sealed class SumSeries(TagSet tags, bool monotonic, bool replace) : MetricSeries(tags)
{
    private long _integer;
    private double _floating;

    public override void Record(long value)
    {
        if (monotonic && value < 0)
        {
            // A counter only goes up; Prometheus would read a decrease as a restart.
            return;
        }

        if (replace)
        {
            Interlocked.Exchange(ref _integer, value);
        }
        else
        {
            Interlocked.Add(ref _integer, value);
        }
    }

    public override void Record(double value)
    {
        if (double.IsNaN(value) || (monotonic && value < 0))
        {
            // One NaN would poison the sum for the life of the process.
            return;
        }

        if (replace)
        {
            Interlocked.Exchange(ref _floating, value);
            return;
        }

        var current = Volatile.Read(ref _floating);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _floating, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }

    public override void Write(TextWriter writer, string name)
    {
        // Only one of the two is ever used by an instrument: its type is either integral or floating.
        var floating = Volatile.Read(ref _floating);
        var value = floating == 0
            ? PrometheusTextWriter.FormatValue(Interlocked.Read(ref _integer))
            : PrometheusTextWriter.FormatValue(floating + Interlocked.Read(ref _integer));
        PrometheusTextWriter.WriteSample(writer, name, Tags.Labels, value);
    }
}

/// <summary>The last value recorded: Gauge and ObservableGauge.</summary>
internal sealed class LastValueSeries(TagSet tags) : MetricSeries(tags)
{
    private double _value;

    public override void Record(long value) => Record((double)value);

    public override void Record(double value) => Volatile.Write(ref _value, value);

    public override void Write(TextWriter writer, string name) =>
        PrometheusTextWriter.WriteSample(writer, name, Tags.Labels, PrometheusTextWriter.FormatValue(Volatile.Read(ref _value)));
}

/// <summary>
/// Explicit-bucket histogram. Buckets are upper-inclusive, as Prometheus's <c>le</c> and OpenTelemetry's explicit
/// buckets both are. A lock per series keeps buckets and sum of one scrape consistent; it is only contended when
/// several threads record the same tag set at the same instant.
/// </summary>
internal sealed class HistogramSeries(TagSet tags, double[] bounds) : MetricSeries(tags)
{
    private readonly Lock _lock = new();
    private readonly double[] _bounds = bounds;
    private readonly long[] _counts = new long[bounds.Length + 1];
    private double _sum;

    public override void Record(long value) => Record((double)value);

    public override void Record(double value)
    {
        if (!double.IsFinite(value))
        {
            // NaN fits no bucket and an infinity would turn the sum into +Inf or NaN for good.
            return;
        }

        var index = Array.BinarySearch(_bounds, value);
        var bucket = index >= 0 ? index : ~index;
        lock (_lock)
        {
            _counts[bucket]++;
            _sum += value;
        }
    }

    public override void Write(TextWriter writer, string name)
    {
        var counts = new long[_counts.Length];
        double sum;
        lock (_lock)
        {
            _counts.CopyTo(counts, 0);
            sum = _sum;
        }

        PrometheusTextWriter.WriteHistogram(writer, name, Tags.Labels, _bounds, counts, sum);
    }
}
