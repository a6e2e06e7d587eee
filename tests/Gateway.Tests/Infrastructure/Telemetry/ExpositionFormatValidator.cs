using System.Globalization;
using System.Text.RegularExpressions;

namespace OnSale.Gateway.Tests.Infrastructure.Telemetry;

/// <summary>
/// A small line-based checker of the Prometheus text format 0.0.4, written from the format's description rather than
/// from the exporter, so that it can disagree with it: names and labels well formed, numbers Prometheus can parse,
/// a TYPE before each family's samples and at most one per family, families not interleaved, histogram buckets
/// non-decreasing with a +Inf bucket that <c>_count</c> equals.
/// </summary>
internal static partial class ExpositionFormatValidator
{
    /// <summary>The problems found; empty when the text is valid.</summary>
    public static IReadOnlyList<string> Validate(string text)
    {
        var errors = new List<string>();
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            errors.Add("the text does not end with a line feed");
        }

        if (text.Contains('\r', StringComparison.Ordinal))
        {
            errors.Add("the text contains a carriage return");
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new HashSet<string>(StringComparer.Ordinal);
        var finishedFamilies = new HashSet<string>(StringComparer.Ordinal);
        string? currentFamily = null;
        var histograms = new Dictionary<string, HistogramSeries>(StringComparer.Ordinal);
        var seenSamples = new HashSet<string>(StringComparer.Ordinal);

        var lines = text.TrimEnd('\n').Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1];
            if (line.Length == 0)
            {
                // "Empty lines are ignored."
                continue;
            }

            if (line.StartsWith('#'))
            {
                var comment = CommentLine().Match(line);
                if (!comment.Success)
                {
                    if (line.StartsWith("# HELP", StringComparison.Ordinal) || line.StartsWith("# TYPE", StringComparison.Ordinal))
                    {
                        errors.Add($"line {number}: malformed {line[2..6]} line: {line}");
                    }

                    continue;
                }

                var family = comment.Groups["name"].Value;
                if (comment.Groups["kind"].Value == "TYPE")
                {
                    var type = comment.Groups["rest"].Value;
                    if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        errors.Add($"line {number}: unknown type '{type}'");
                    }

                    if (!types.TryAdd(family, type))
                    {
                        errors.Add($"line {number}: a second TYPE for {family}");
                    }
                }
                else if (!helps.Add(family))
                {
                    errors.Add($"line {number}: a second HELP for {family}");
                }
                else if (HasBadHelpEscape(comment.Groups["rest"].Value))
                {
                    errors.Add($"line {number}: HELP has an escape other than \\\\ and \\n");
                }

                SwitchFamily(family, number);
                continue;
            }

            var sample = SampleLine().Match(line);
            if (!sample.Success)
            {
                errors.Add($"line {number}: not a sample line: {line}");
                continue;
            }

            var name = sample.Groups["metric"].Value;
            var labels = ParseLabels(sample.Groups["labels"].Value, number, errors);
            var (familyName, suffix) = FamilyOf(name, types);
            if (!types.TryGetValue(familyName, out var familyType))
            {
                errors.Add($"line {number}: sample {name} has no TYPE line before it");
                continue;
            }

            SwitchFamily(familyName, number);
            if (!seenSamples.Add(name + "{" + string.Join(",", labels.Order(StringComparer.Ordinal)) + "}"))
            {
                errors.Add($"line {number}: duplicate sample {line}");
            }

            var value = ParseValue(sample.Groups["value"].Value);
            if (familyType == "counter" && (suffix != "" || !(value >= 0)))
            {
                errors.Add($"line {number}: counter sample must be the family name with a value >= 0: {line}");
            }

            if (familyType == "histogram")
            {
                CheckHistogramSample(familyName, suffix, labels, value, number);
            }
        }

        foreach (var (key, series) in histograms)
        {
            if (series.InfBucket is null)
            {
                errors.Add($"histogram series {key} has no le=\"+Inf\" bucket");
            }

            if (series.Count is null || series.Sum is null)
            {
                errors.Add($"histogram series {key} lacks _count or _sum");
            }
        }

        return errors;

        void SwitchFamily(string family, int number)
        {
            if (family == currentFamily)
            {
                return;
            }

            if (currentFamily is not null)
            {
                finishedFamilies.Add(currentFamily);
            }

            if (finishedFamilies.Contains(family))
            {
                errors.Add($"line {number}: family {family} continues after another family");
            }

            currentFamily = family;
        }

        void CheckHistogramSample(string family, string suffix, List<string> labels, double value, int number)
        {
            var le = labels.FirstOrDefault(l => l.StartsWith("le=", StringComparison.Ordinal));
            var key = family + "{" + string.Join(",", labels.Where(l => l != le)) + "}";
            if (!histograms.TryGetValue(key, out var series))
            {
                series = new HistogramSeries();
                histograms[key] = series;
            }

            switch (suffix)
            {
                case "_bucket" when le is null:
                    errors.Add($"line {number}: bucket without le");
                    break;
                case "_bucket":
                    var bound = ParseValue(le[4..^1]);
                    if (series.Count is not null)
                    {
                        errors.Add($"line {number}: bucket after _count");
                    }

                    if (series.InfBucket is not null || !(bound > series.LastBound))
                    {
                        errors.Add($"line {number}: bucket bounds must increase and end with +Inf");
                    }

                    if (value < series.LastBucket)
                    {
                        errors.Add($"line {number}: bucket counts decrease ({series.LastBucket} then {value})");
                    }

                    series.LastBound = bound;
                    series.LastBucket = value;
                    if (double.IsPositiveInfinity(bound))
                    {
                        series.InfBucket = value;
                    }

                    break;
                case "_sum":
                    series.Sum = value;
                    break;
                case "_count":
                    series.Count = value;
                    if (series.InfBucket != value)
                    {
                        errors.Add($"line {number}: _count {value} differs from the +Inf bucket {series.InfBucket}");
                    }

                    break;
                default:
                    errors.Add($"line {number}: a histogram family holds only _bucket, _sum and _count samples");
                    break;
            }
        }
    }

    /// <summary>Throws with every problem listed unless <paramref name="text"/> is valid.</summary>
    public static void AssertValid(string text)
    {
        var errors = Validate(text);
        Assert.True(errors.Count == 0, "Invalid exposition format:\n" + string.Join("\n", errors) + "\n---\n" + text);
    }

    private static (string Family, string Suffix) FamilyOf(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                var family = name[..^suffix.Length];
                if (types.TryGetValue(family, out var type) && type is "histogram" or "summary")
                {
                    return (family, suffix);
                }
            }
        }

        return (name, "");
    }

    private static List<string> ParseLabels(string block, int number, List<string> errors)
    {
        var labels = new List<string>();
        if (block.Length == 0)
        {
            return labels;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match label in Label().Matches(block[1..^1]))
        {
            labels.Add(label.Value);
            if (!names.Add(label.Groups["name"].Value))
            {
                errors.Add($"line {number}: label {label.Groups["name"].Value} appears twice");
            }
        }

        return labels;
    }

    private static bool HasBadHelpEscape(string help)
    {
        for (var i = 0; i < help.Length; i++)
        {
            if (help[i] == '\\')
            {
                if (i + 1 >= help.Length || help[i + 1] is not ('\\' or 'n'))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private sealed class HistogramSeries
    {
        public double LastBound { get; set; } = double.NegativeInfinity;

        public double LastBucket { get; set; }

        public double? InfBucket { get; set; }

        public double? Sum { get; set; }

        public double? Count { get; set; }
    }

    // name="value", the value's only escapes being \\, \" and \n.
    private const string LabelPattern = "(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private const string NumberPattern = """[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN""";

    [GeneratedRegex("^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex CommentLine();

    // Empty braces are what OpenTelemetry's exporter writes for a series without labels; Prometheus parses them.
    [GeneratedRegex("^(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\\{(?:(?:" + LabelPattern + ")(?:," + LabelPattern + ")*)?\\})? (?<value>" + NumberPattern + ")$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(LabelPattern)]
    private static partial Regex Label();
}
