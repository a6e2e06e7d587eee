using System.Globalization;
using System.Text;

namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>The Prometheus metric types this exporter writes.</summary>
internal enum PrometheusMetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// The Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), with names converted from
/// OpenTelemetry's as the OpenTelemetry compatibility specification says
/// (https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/#otlp-metric-points-to-prometheus).
/// Lines end in <c>\n</c> whatever the platform, as the format requires.
/// </summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// The Prometheus family name of an instrument: the name sanitised, the unit's suffix (unless the name already ends
    /// with it), <c>_total</c> for counters and <c>_ratio</c> for gauges of unit <c>1</c>.
    /// </summary>
    public static string GetMetricName(string instrumentName, string? unit, PrometheusMetricType type)
    {
        var name = SanitizeMetricName(instrumentName);
        var unitSuffix = string.IsNullOrEmpty(unit) ? "" : ConvertUnit(unit);
        if (unitSuffix.Length > 0)
        {
            name = AppendSuffix(name, unitSuffix);
        }

        if (type == PrometheusMetricType.Counter)
        {
            name = AppendSuffix(name, "total");
        }
        else if (type == PrometheusMetricType.Gauge && unit == "1")
        {
            name = AppendSuffix(name, "ratio");
        }

        return name;
    }

    /// <summary>
    /// Replaces every character outside <c>[a-zA-Z0-9_:]</c> with <c>_</c>, collapses runs of <c>_</c> and puts a
    /// <c>_</c> before a leading digit. Only ASCII counts as a letter: Prometheus rejects other letters.
    /// </summary>
    public static string SanitizeMetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>As <see cref="SanitizeMetricName"/>, but <c>:</c> is replaced too: label names may not contain it.</summary>
    public static string SanitizeLabelName(string name) => Sanitize(name, allowColon: false);

    /// <summary>
    /// Renders a series' labels as <c>a="x",b="y"</c> (no braces, so that histograms can add <c>le</c>), ordered by
    /// label name. Keys that sanitise to the same label name are merged, their values joined with <c>;</c> in the
    /// order of the original keys, as the OpenTelemetry specification asks.
    /// </summary>
    public static string FormatLabels(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var name = SanitizeLabelName(key);
            merged[name] = merged.TryGetValue(name, out var existing) ? existing + ";" + value : value;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in merged)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"");
            AppendEscaped(builder, value, escapeQuote: true);
            builder.Append('"');
        }

        return builder.ToString();
    }

    /// <summary>A sample value as Prometheus parses it: invariant digits, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        // The shortest text that parses back to the same double ("R" semantics since .NET Core 3.0).
        return value.ToString(CultureInfo.InvariantCulture);
    }

    public static string FormatValue(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes <c># HELP</c> (when there is a description) and <c># TYPE</c> for one family.</summary>
    public static void WriteFamilyHeader(TextWriter writer, string name, string? help, PrometheusMetricType type)
    {
        if (!string.IsNullOrEmpty(help))
        {
            var builder = new StringBuilder("# HELP ").Append(name).Append(' ');
            AppendEscaped(builder, help, escapeQuote: false);
            writer.Write(builder.Append('\n').ToString());
        }

        writer.Write("# TYPE ");
        writer.Write(name);
        writer.Write(type switch
        {
            PrometheusMetricType.Counter => " counter\n",
            PrometheusMetricType.Gauge => " gauge\n",
            _ => " histogram\n",
        });
    }

    /// <summary>Writes one sample line; <paramref name="labels"/> comes from <see cref="FormatLabels"/>.</summary>
    public static void WriteSample(TextWriter writer, string name, string labels, string value)
    {
        writer.Write(name);
        if (labels.Length > 0)
        {
            writer.Write('{');
            writer.Write(labels);
            writer.Write('}');
        }

        writer.Write(' ');
        writer.Write(value);
        writer.Write('\n');
    }

    /// <summary>
    /// Writes a histogram series: one cumulative <c>_bucket</c> per bound and <c>le="+Inf"</c>, then <c>_sum</c> and
    /// <c>_count</c>. <paramref name="bucketCounts"/> holds the non-cumulative count of each bucket, the last being the
    /// overflow bucket, so it is one longer than <paramref name="bounds"/>; <c>_count</c> is their total, which makes
    /// it equal the <c>+Inf</c> bucket by construction.
    /// </summary>
    public static void WriteHistogram(
        TextWriter writer, string name, string labels, ReadOnlySpan<double> bounds, ReadOnlySpan<long> bucketCounts, double sum)
    {
        if (bucketCounts.Length != bounds.Length + 1)
        {
            throw new ArgumentException("There must be one bucket count per bound plus the overflow bucket.", nameof(bucketCounts));
        }

        var bucketName = name + "_bucket";
        var labelPrefix = labels.Length > 0 ? labels + ",le=\"" : "le=\"";
        long cumulative = 0;
        for (var i = 0; i < bucketCounts.Length; i++)
        {
            cumulative += bucketCounts[i];
            var bound = i < bounds.Length ? FormatValue(bounds[i]) : "+Inf";
            WriteSample(writer, bucketName, labelPrefix + bound + "\"", FormatValue(cumulative));
        }

        WriteSample(writer, name + "_sum", labels, FormatValue(sum));
        WriteSample(writer, name + "_count", labels, FormatValue(cumulative));
    }

    private static string AppendSuffix(string name, string suffix) =>
        name.EndsWith("_" + suffix, StringComparison.Ordinal) || name == suffix
            ? name
            : SanitizeMetricName(name + "_" + suffix);

    /// <summary>
    /// A unit as a name suffix: annotations in braces dropped (<c>{error}</c> is a count, which Prometheus leaves
    /// unitless), <c>1</c> dropped (gauges get <c>_ratio</c> instead), <c>a/b</c> as <c>a_per_b</c>, UCUM abbreviations
    /// spelled out.
    /// </summary>
    private static string ConvertUnit(string unit)
    {
        var withoutAnnotations = RemoveAnnotations(unit).Trim();
        if (withoutAnnotations.Length == 0 || withoutAnnotations == "1")
        {
            return "";
        }

        // "{request}/s" leaves "/s": a rate of a count, "per_second".
        var slash = withoutAnnotations.IndexOf('/', StringComparison.Ordinal);
        var converted = slash >= 0 && slash < withoutAnnotations.Length - 1
            ? MapUnit(withoutAnnotations[..slash]) + "_per_" + MapPerUnit(withoutAnnotations[(slash + 1)..])
            : MapUnit(withoutAnnotations);
        return Sanitize(converted, allowColon: false).Trim('_');
    }

    private static string RemoveAnnotations(string unit)
    {
        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string MapUnit(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "TiBy" => "tebibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "TBy" => "terabytes",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "%" => "percent",
        _ => unit,
    };

    private static string MapPerUnit(string unit) => unit switch
    {
        "s" => "second",
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        _ => unit,
    };

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var builder = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || (allowColon && c == ':');
            if (valid)
            {
                builder.Append(c);
            }
            else if (builder.Length == 0 || builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, string text, bool escapeQuote)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    builder.Append("\\\"");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
    }
}
