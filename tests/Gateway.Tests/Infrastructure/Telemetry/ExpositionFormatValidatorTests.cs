namespace OnSale.Gateway.Tests.Infrastructure.Telemetry;

/// <summary>The validator the other tests lean on must reject what Prometheus rejects, or their checks prove nothing.</summary>
public sealed class ExpositionFormatValidatorTests
{
    [Fact]
    public void Validate_WellFormedText_FindsNothing()
    {
        var text = Lines(
            "# HELP a_total Things \\\\ done.\\nSecond line.",
            "# TYPE a_total counter",
            "a_total{k=\"v \\\"q\\\" \\\\ \\n\",x=\"\"} 3",
            "# TYPE h histogram",
            "h_bucket{le=\"0.5\"} 1",
            "h_bucket{le=\"+Inf\"} 2",
            "h_sum 1.5e0",
            "h_count 2",
            "# TYPE g gauge",
            "g -Inf",
            "# TYPE e gauge",
            "e{} 0");

        Assert.Empty(ExpositionFormatValidator.Validate(text));
    }

    [Theory]
    [InlineData("a_total 1\n", "no TYPE line")]
    [InlineData("# TYPE a counter\n# TYPE a counter\na 1\n", "a second TYPE")]
    [InlineData("# TYPE a gauge\na 1,5\n", "not a sample line")]
    [InlineData("# TYPE a gauge\na Infinity\n", "not a sample line")]
    [InlineData("# TYPE a.b gauge\n", "malformed TYPE")]
    [InlineData("# TYPE a gauge\na{b.c=\"x\"} 1\n", "not a sample line")]
    [InlineData("# TYPE a gauge\na{b=\"x\"y\"} 1\n", "not a sample line")]
    [InlineData("# TYPE a gauge\na{b=\"x\",b=\"y\"} 1\n", "appears twice")]
    [InlineData("# TYPE a gauge\na 1\na 2\n", "duplicate sample")]
    [InlineData("# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n", "continues after another family")]
    [InlineData("# TYPE a counter\na -1\n", "counter sample")]
    [InlineData("# HELP a bad \\q escape\n# TYPE a gauge\n", "escape")]
    [InlineData("# TYPE a gauge\na 1", "line feed")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "decrease")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "differs from the +Inf bucket")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "must increase")]
    public void Validate_MalformedText_ReportsTheProblem(string text, string expected)
    {
        var errors = ExpositionFormatValidator.Validate(text);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));
}
