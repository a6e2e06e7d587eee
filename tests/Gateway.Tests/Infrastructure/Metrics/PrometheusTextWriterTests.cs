using System.Globalization;
using OnSale.Gateway.Infrastructure.Metrics;
using static OnSale.Gateway.Tests.Infrastructure.Metrics.MetricsTestContext;

namespace OnSale.Gateway.Tests.Infrastructure.Metrics;

public sealed class PrometheusTextWriterTests
{
    [Theory]
    [InlineData("onsale.backend.call.duration", "s", "Histogram", "onsale_backend_call_duration_seconds")]
    [InlineData("onsale.backend.errors", "{error}", "Counter", "onsale_backend_errors_total")]
    [InlineData("http.server.request.duration", "s", "Histogram", "http_server_request_duration_seconds")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", "Counter", "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("queue.wait", "ms", "Gauge", "queue_wait_milliseconds")]
    [InlineData("pool.utilization", "1", "Gauge", "pool_utilization_ratio")]
    [InlineData("pool.utilization", "1", "Counter", "pool_utilization_total")]
    [InlineData("pool.utilization", "1", "Histogram", "pool_utilization")]
    [InlineData("requests_total", "{request}", "Counter", "requests_total")]
    [InlineData("latency_seconds", "s", "Histogram", "latency_seconds")]
    [InlineData("throughput", "{request}/s", "Gauge", "throughput_per_second")]
    [InlineData("transfer", "By/s", "Gauge", "transfer_bytes_per_second")]
    [InlineData("temperature", "Cel", "Gauge", "temperature_celsius")]
    [InlineData("custom", "widgets", "Gauge", "custom_widgets")]
    [InlineData("weird--name..é", null, "Gauge", "weird_name_")]
    [InlineData("2xx.responses", "", "Counter", "_2xx_responses_total")]
    [InlineData("ns:sub.metric", null, "Gauge", "ns:sub_metric")]
    [InlineData("trailing.", "s", "Histogram", "trailing_seconds")]
    public void GetMetricName_InstrumentNameUnitAndType_FollowsOpenTelemetryConversion(string name, string? unit, string type, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.GetMetricName(name, unit, Enum.Parse<PrometheusMetricType>(type)));
    }

    [Theory]
    [InlineData("http.route", "http_route")]
    [InlineData("a:b", "a_b")]
    [InlineData("1st", "_1st")]
    [InlineData("double__underscore", "double_underscore")]
    [InlineData("", "_")]
    public void SanitizeLabelName_InvalidCharacters_AreReplaced(string name, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.SanitizeLabelName(name));
    }

    [Fact]
    public void FormatLabels_ValueWithBackslashQuoteAndNewline_IsEscaped()
    {
        var labels = PrometheusTextWriter.FormatLabels([new("path", "C:\\dir \"x\"\nnext")]);

        Assert.Equal("path=\"C:\\\\dir \\\"x\\\"\\nnext\"", labels);
    }

    [Fact]
    public void FormatLabels_KeysThatSanitiseToOneName_AreMergedInKeyOrder()
    {
        var labels = PrometheusTextWriter.FormatLabels([new("a_b", "second"), new("z", "last"), new("a.b", "first")]);

        Assert.Equal("a_b=\"first;second\",z=\"last\"", labels);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e21, "1E+21")]
    [InlineData(3.0, "3")]
    public void FormatValue_Double_IsWhatPrometheusParses(double value, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.FormatValue(value));
    }

    [Fact]
    public void FormatValue_UnderACommaDecimalCulture_StillUsesAPoint()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            // A culture whose decimal separator is a comma, as de-DE's is (InvariantGlobalization rules out loading it).
            var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            culture.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = culture;

            Assert.Equal("1.5", PrometheusTextWriter.FormatValue(1.5));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void WriteFamilyHeader_DescriptionWithNewlineAndBackslash_IsEscapedButQuotesAreNot()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        PrometheusTextWriter.WriteFamilyHeader(writer, "m", "a\\b\n\"c\"", PrometheusMetricType.Gauge);

        Assert.Equal(Lines("# HELP m a\\\\b\\n\"c\"", "# TYPE m gauge"), writer.ToString());
    }

    [Fact]
    public void WriteFamilyHeader_NoDescription_WritesOnlyType()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        PrometheusTextWriter.WriteFamilyHeader(writer, "m_total", null, PrometheusMetricType.Counter);

        Assert.Equal(Lines("# TYPE m_total counter"), writer.ToString());
    }

    [Fact]
    public void WriteHistogram_NonCumulativeCounts_AreWrittenCumulativeWithInfBucketEqualToCount()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        PrometheusTextWriter.WriteHistogram(writer, "h", "", [0.5, 1], [3, 0, 2], 4.25);

        Assert.Equal(
            Lines(
                "h_bucket{le=\"0.5\"} 3",
                "h_bucket{le=\"1\"} 3",
                "h_bucket{le=\"+Inf\"} 5",
                "h_sum 4.25",
                "h_count 5"),
            writer.ToString());
    }

    [Fact]
    public void WriteHistogram_CountsNotOneLongerThanBounds_Throws()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        Assert.Throws<ArgumentException>(() => PrometheusTextWriter.WriteHistogram(writer, "h", "", [1], [1], 0));
    }
}
