using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure.Metrics;
using static OnSale.Gateway.Tests.Infrastructure.Metrics.MetricsTestContext;

namespace OnSale.Gateway.Tests.Infrastructure.Metrics;

public sealed class PrometheusMetricsCollectorTests
{
    [Fact]
    public void Collect_Counter_WritesSumPerTagSetWithTotalSuffix()
    {
        using var context = new MetricsTestContext();
        var counter = context.Meter.CreateCounter<long>("test.requests", "{request}", "Requests handled.");

        counter.Add(2, new KeyValuePair<string, object?>("method", "GET"));
        counter.Add(3, new KeyValuePair<string, object?>("method", "GET"));
        counter.Add(1, new KeyValuePair<string, object?>("method", "POST"));

        Assert.Equal(
            Lines(
                "# HELP test_requests_total Requests handled.",
                "# TYPE test_requests_total counter",
                "test_requests_total{method=\"GET\"} 5",
                "test_requests_total{method=\"POST\"} 1"),
            context.Scrape());
    }

    [Fact]
    public void Collect_CounterCreatedBeforeCollector_IsExported()
    {
        using var context = new MetricsTestContext(createCollector: false);
        var counter = context.Meter.CreateCounter<int>("test.early");
        context.CreateCollector();

        counter.Add(4);

        Assert.Equal(Lines("# TYPE test_early_total counter", "test_early_total 4"), context.Scrape());
    }

    [Fact]
    public void Collect_CounterGivenNegativeValue_IgnoresIt()
    {
        using var context = new MetricsTestContext();
        var counter = context.Meter.CreateCounter<double>("test.monotonic");

        counter.Add(2.5);
        counter.Add(-1);
        counter.Add(double.NaN);

        Assert.Equal(Lines("# TYPE test_monotonic_total counter", "test_monotonic_total 2.5"), context.Scrape());
    }

    [Fact]
    public void Collect_TagsInAnyOrder_AreOneSeriesWithSortedLabels()
    {
        using var context = new MetricsTestContext();
        var counter = context.Meter.CreateCounter<long>("test.calls");

        counter.Add(1, new TagList { { "zone", "b" }, { "operation", "hold" } });
        counter.Add(1, new TagList { { "operation", "hold" }, { "zone", "b" } });
        counter.Add(1, new TagList { { "zone", "b" }, { "operation", "hold" }, { "attempt", 2 } });

        Assert.Equal(
            Lines(
                "# TYPE test_calls_total counter",
                "test_calls_total{attempt=\"2\",operation=\"hold\",zone=\"b\"} 1",
                "test_calls_total{operation=\"hold\",zone=\"b\"} 2"),
            context.Scrape());
    }

    [Fact]
    public void Collect_SameValueBoxedAndAsString_IsOneSeries()
    {
        using var context = new MetricsTestContext();
        var counter = context.Meter.CreateCounter<long>("test.responses");

        counter.Add(1, new KeyValuePair<string, object?>("status", 200));
        counter.Add(1, new KeyValuePair<string, object?>("status", "200"));
        counter.Add(1, new KeyValuePair<string, object?>("secure", true));
        counter.Add(1, new KeyValuePair<string, object?>("status", null));

        Assert.Equal(
            Lines(
                "# TYPE test_responses_total counter",
                "test_responses_total{secure=\"true\"} 1",
                "test_responses_total{status=\"\"} 1",
                "test_responses_total{status=\"200\"} 2"),
            context.Scrape());
    }

    [Fact]
    public void Collect_UpDownCounter_WritesSumAsGauge()
    {
        using var context = new MetricsTestContext();
        var active = context.Meter.CreateUpDownCounter<int>("test.active", "{connection}", "Open connections.");

        active.Add(5);
        active.Add(-2);

        Assert.Equal(
            Lines("# HELP test_active Open connections.", "# TYPE test_active gauge", "test_active 3"),
            context.Scrape());
    }

    [Fact]
    public void Collect_Gauge_WritesLastValue()
    {
        using var context = new MetricsTestContext();
        var gauge = context.Meter.CreateGauge<double>("test.temperature", "Cel", "Hall temperature.");

        gauge.Record(20.5, new KeyValuePair<string, object?>("hall", "main"));
        gauge.Record(19.25, new KeyValuePair<string, object?>("hall", "main"));

        Assert.Equal(
            Lines(
                "# HELP test_temperature_celsius Hall temperature.",
                "# TYPE test_temperature_celsius gauge",
                "test_temperature_celsius{hall=\"main\"} 19.25"),
            context.Scrape());
    }

    [Fact]
    public void Collect_ObservableCounter_WritesLatestObservationNotTheirSum()
    {
        using var context = new MetricsTestContext();
        long total = 10;
        context.Meter.CreateObservableCounter("test.cpu.time", () => new Measurement<long>(total, new KeyValuePair<string, object?>("mode", "user")), "s");

        var first = context.Scrape();
        total = 25;
        var second = context.Scrape();

        Assert.Equal(Lines("# TYPE test_cpu_time_seconds_total counter", "test_cpu_time_seconds_total{mode=\"user\"} 10"), first);
        Assert.Equal(Lines("# TYPE test_cpu_time_seconds_total counter", "test_cpu_time_seconds_total{mode=\"user\"} 25"), second);
    }

    [Fact]
    public void Collect_ObservableGauge_WritesObservedValuesWithRatioSuffix()
    {
        using var context = new MetricsTestContext();
        context.Meter.CreateObservableGauge(
            "test.pool.utilization",
            () => new[] { new Measurement<double>(0.5, new KeyValuePair<string, object?>("pool", "a")), new Measurement<double>(1, new KeyValuePair<string, object?>("pool", "b")) },
            "1",
            "Share of the pool in use.");

        Assert.Equal(
            Lines(
                "# HELP test_pool_utilization_ratio Share of the pool in use.",
                "# TYPE test_pool_utilization_ratio gauge",
                "test_pool_utilization_ratio{pool=\"a\"} 0.5",
                "test_pool_utilization_ratio{pool=\"b\"} 1"),
            context.Scrape());
    }

    [Fact]
    public void Collect_ObservableUpDownCounter_WritesObservedValueAsGauge()
    {
        using var context = new MetricsTestContext();
        var parked = 7;
        context.Meter.CreateObservableUpDownCounter("test.parked", () => parked, "{purchase}");

        var first = context.Scrape();
        parked = 3;
        var second = context.Scrape();

        Assert.Equal(Lines("# TYPE test_parked gauge", "test_parked 7"), first);
        Assert.Equal(Lines("# TYPE test_parked gauge", "test_parked 3"), second);
    }

    [Fact]
    public void Collect_ObservableReportsOneTagSetTwice_KeepsTheLastValue()
    {
        using var context = new MetricsTestContext();
        var tag = new KeyValuePair<string, object?>("zone", "a");
        context.Meter.CreateObservableCounter("test.reported.twice", () => new[] { new Measurement<long>(5, tag), new Measurement<long>(8, tag) });

        Assert.Equal(Lines("# TYPE test_reported_twice_total counter", "test_reported_twice_total{zone=\"a\"} 8"), context.Scrape());
    }

    [Fact]
    public void Collect_ObservableSeriesNoLongerReported_IsRemoved()
    {
        using var context = new MetricsTestContext();
        var zones = new List<string> { "a", "b" };
        context.Meter.CreateObservableGauge("test.zone.free", () => zones.Select(z => new Measurement<int>(1, new KeyValuePair<string, object?>("zone", z))));

        var first = context.Scrape();
        zones.Remove("a");
        var second = context.Scrape();

        Assert.Equal(Lines("# TYPE test_zone_free gauge", "test_zone_free{zone=\"a\"} 1", "test_zone_free{zone=\"b\"} 1"), first);
        Assert.Equal(Lines("# TYPE test_zone_free gauge", "test_zone_free{zone=\"b\"} 1"), second);
    }

    [Fact]
    public void Collect_ObservableCallbackThrows_OtherInstrumentsAreStillWrittenAndTheErrorCounted()
    {
        using var context = new MetricsTestContext();
        Func<int> broken = () => throw new InvalidOperationException("boom");
        context.Meter.CreateObservableGauge("test.broken", broken);
        context.Meter.CreateObservableGauge("test.working", () => 1);

        Assert.Equal(
            Lines(
                "# TYPE test_working gauge",
                "test_working 1",
                "# HELP onsale_metrics_observation_errors_total Callbacks of observable instruments that threw during a scrape.",
                "# TYPE onsale_metrics_observation_errors_total counter",
                "onsale_metrics_observation_errors_total 1"),
            context.Scrape());
    }

    [Fact]
    public void Collect_HistogramWithAdvisedBuckets_WritesCumulativeBucketsSumAndCount()
    {
        using var context = new MetricsTestContext();
        var histogram = context.Meter.CreateHistogram(
            "test.latency", "s", "Call latency.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5] });
        var tag = new KeyValuePair<string, object?>("op", "hold");

        histogram.Record(0.5, tag);
        histogram.Record(1, tag); // on a bound: counted in that bucket (le means "less than or equal")
        histogram.Record(3, tag);
        histogram.Record(7, tag);

        Assert.Equal(
            Lines(
                "# HELP test_latency_seconds Call latency.",
                "# TYPE test_latency_seconds histogram",
                "test_latency_seconds_bucket{op=\"hold\",le=\"1\"} 2",
                "test_latency_seconds_bucket{op=\"hold\",le=\"2\"} 2",
                "test_latency_seconds_bucket{op=\"hold\",le=\"5\"} 3",
                "test_latency_seconds_bucket{op=\"hold\",le=\"+Inf\"} 4",
                "test_latency_seconds_sum{op=\"hold\"} 11.5",
                "test_latency_seconds_count{op=\"hold\"} 4"),
            context.Scrape());
    }

    [Fact]
    public void Collect_HistogramInSecondsWithoutAdvice_UsesDefaultSecondsBuckets()
    {
        using var context = new MetricsTestContext();
        var histogram = context.Meter.CreateHistogram<double>("test.wait", "s");

        histogram.Record(0.003);
        histogram.Record(0.2);
        histogram.Record(12);

        Assert.Equal(
            Lines(
                "# TYPE test_wait_seconds histogram",
                "test_wait_seconds_bucket{le=\"0.005\"} 1",
                "test_wait_seconds_bucket{le=\"0.01\"} 1",
                "test_wait_seconds_bucket{le=\"0.025\"} 1",
                "test_wait_seconds_bucket{le=\"0.05\"} 1",
                "test_wait_seconds_bucket{le=\"0.075\"} 1",
                "test_wait_seconds_bucket{le=\"0.1\"} 1",
                "test_wait_seconds_bucket{le=\"0.25\"} 2",
                "test_wait_seconds_bucket{le=\"0.5\"} 2",
                "test_wait_seconds_bucket{le=\"0.75\"} 2",
                "test_wait_seconds_bucket{le=\"1\"} 2",
                "test_wait_seconds_bucket{le=\"2.5\"} 2",
                "test_wait_seconds_bucket{le=\"5\"} 2",
                "test_wait_seconds_bucket{le=\"7.5\"} 2",
                "test_wait_seconds_bucket{le=\"10\"} 2",
                "test_wait_seconds_bucket{le=\"+Inf\"} 3",
                "test_wait_seconds_sum 12.203",
                "test_wait_seconds_count 3"),
            context.Scrape());
    }

    [Theory]
    [InlineData("ms", "test_size_milliseconds", "5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000")]
    [InlineData("By", "test_size_bytes", "0,5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000")]
    [InlineData(null, "test_size", "0,5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000")]
    public void Collect_HistogramWithoutAdvice_UsesDefaultBucketsForItsUnit(string? unit, string name, string bounds)
    {
        using var context = new MetricsTestContext();
        var histogram = context.Meter.CreateHistogram<long>("test.size", unit);

        histogram.Record(42);

        var written = context.Scrape().Split('\n')
            .Where(l => l.StartsWith(name + "_bucket{le=\"", StringComparison.Ordinal))
            .Select(l => l[(name.Length + 12)..l.IndexOf('"', name.Length + 12)]);
        Assert.Equal(bounds + ",+Inf", string.Join(",", written));
    }

    [Fact]
    public void Collect_HistogramGivenNaNOrInfinity_IgnoresThem()
    {
        using var context = new MetricsTestContext();
        var histogram = context.Meter.CreateHistogram("test.odd", null, null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });

        histogram.Record(double.NaN);
        histogram.Record(double.PositiveInfinity);
        histogram.Record(0.5);

        Assert.Equal(
            Lines(
                "# TYPE test_odd histogram",
                "test_odd_bucket{le=\"1\"} 1",
                "test_odd_bucket{le=\"+Inf\"} 1",
                "test_odd_sum 0.5",
                "test_odd_count 1"),
            context.Scrape());
    }

    [Fact]
    public void Collect_EveryNumericType_IsAggregated()
    {
        using var context = new MetricsTestContext();
        var tag = new KeyValuePair<string, object?>("k", "v");
        context.Meter.CreateCounter<byte>("test.n.byte").Add(200, tag);
        context.Meter.CreateCounter<short>("test.n.short").Add(short.MaxValue, tag);
        context.Meter.CreateCounter<int>("test.n.int").Add(int.MaxValue, tag);
        var longs = context.Meter.CreateCounter<long>("test.n.long");
        longs.Add(long.MaxValue - 1, tag);
        longs.Add(1, tag);
        context.Meter.CreateUpDownCounter<float>("test.n.float").Add(-1.5f, tag);
        context.Meter.CreateGauge<double>("test.n.double").Record(1e-7, tag);
        var decimals = context.Meter.CreateCounter<decimal>("test.n.decimal");
        decimals.Add(0.25m, tag);
        decimals.Add(0.5m, tag);

        Assert.Equal(
            Lines(
                "# TYPE test_n_byte_total counter",
                "test_n_byte_total{k=\"v\"} 200",
                "# TYPE test_n_decimal_total counter",
                "test_n_decimal_total{k=\"v\"} 0.75",
                "# TYPE test_n_double gauge",
                "test_n_double{k=\"v\"} 1E-07",
                "# TYPE test_n_float gauge",
                "test_n_float{k=\"v\"} -1.5",
                "# TYPE test_n_int_total counter",
                "test_n_int_total{k=\"v\"} 2147483647",
                "# TYPE test_n_long_total counter",
                "test_n_long_total{k=\"v\"} 9223372036854775807",
                "# TYPE test_n_short_total counter",
                "test_n_short_total{k=\"v\"} 32767"),
            context.Scrape());
    }

    [Fact]
    public void Collect_NamesLabelsAndHelpNeedingEscapes_AreSanitisedAndEscaped()
    {
        using var context = new MetricsTestContext();
        var counter = context.Meter.CreateCounter<long>("test.weird--name", "{thing}", "Line one\nline \"two\" C:\\temp");

        counter.Add(1, new TagList { { "http.route", "/a\"b\\c\nd" }, { "1st:key", "x" } });

        Assert.Equal(
            Lines(
                "# HELP test_weird_name_total Line one\\nline \"two\" C:\\\\temp",
                "# TYPE test_weird_name_total counter",
                "test_weird_name_total{_1st_key=\"x\",http_route=\"/a\\\"b\\\\c\\nd\"} 1"),
            context.Scrape());
    }

    [Fact]
    public void Collect_Families_AreOrderedByNameWhateverTheCreationOrder()
    {
        using var context = new MetricsTestContext();
        context.Meter.CreateCounter<long>("test.zeta").Add(1);
        context.Meter.CreateCounter<long>("test.alpha").Add(1);
        context.Meter.CreateCounter<long>("test.mid").Add(1);
        context.Meter.CreateCounter<long>("test.unused");

        var families = context.Scrape().Split('\n').Where(l => l.StartsWith("# TYPE", StringComparison.Ordinal));

        Assert.Equal(["# TYPE test_alpha_total counter", "# TYPE test_mid_total counter", "# TYPE test_zeta_total counter"], families);
    }

    [Fact]
    public void Collect_TwoInstrumentsWithOneName_WriteOneFamilyWithoutDuplicateSeries()
    {
        using var context = new MetricsTestContext();
        context.Meter.CreateCounter<long>("test.dup", null, "First.").Add(1, new KeyValuePair<string, object?>("a", "1"));
        context.Meter.CreateCounter<long>("test_dup", null, "Second.").Add(5, new KeyValuePair<string, object?>("a", "1"));
        context.Meter.CreateCounter<long>("test_dup", null, "Second.").Add(2, new KeyValuePair<string, object?>("a", "2"));

        Assert.Equal(
            Lines(
                "# HELP test_dup_total First.",
                "# TYPE test_dup_total counter",
                "test_dup_total{a=\"1\"} 1",
                "test_dup_total{a=\"2\"} 2"),
            context.Scrape());
    }

    [Fact]
    public void Collect_MoreTagSetsThanTheLimit_DropsTheExtraAndCountsThem()
    {
        using var context = new MetricsTestContext(maxTagSetsPerInstrument: 3);
        var counter = context.Meter.CreateCounter<long>("test.users");

        for (var user = 1; user <= 5; user++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("user", user));
        }

        counter.Add(10, new KeyValuePair<string, object?>("user", 2)); // an existing series still records
        counter.Add(1, new KeyValuePair<string, object?>("user", 99)); // a new one is still dropped

        Assert.Equal(
            Lines(
                "# TYPE test_users_total counter",
                "test_users_total{user=\"1\"} 1",
                "test_users_total{user=\"2\"} 11",
                "test_users_total{user=\"3\"} 1",
                "# HELP onsale_metrics_dropped_series_total Measurements dropped because their instrument already had Gateway:Metrics:MaxTagSetsPerInstrument tag sets, by metric.",
                "# TYPE onsale_metrics_dropped_series_total counter",
                "onsale_metrics_dropped_series_total{metric=\"test_users_total\"} 3"),
            context.Scrape());
    }

    [Fact]
    public void Collect_ObservableSeriesRemoved_FreesRoomUnderTheLimit()
    {
        using var context = new MetricsTestContext(maxTagSetsPerInstrument: 1);
        var zone = "a";
        context.Meter.CreateObservableGauge("test.one", () => new Measurement<int>(1, new KeyValuePair<string, object?>("zone", zone)));

        context.Scrape();
        zone = "b";
        var text = context.Scrape();

        Assert.Equal(Lines("# TYPE test_one gauge", "test_one{zone=\"b\"} 1"), text);
    }

    [Fact]
    public void Collect_CounterIncrementedByEightThreads_TotalIsExact()
    {
        using var context = new MetricsTestContext();
        var integers = context.Meter.CreateCounter<long>("test.concurrent.long");
        var doubles = context.Meter.CreateCounter<double>("test.concurrent.double");
        var histogram = context.Meter.CreateHistogram<int>("test.concurrent.histogram");
        var tag = new KeyValuePair<string, object?>("shared", "yes");

        RunOnThreads(8, thread =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                integers.Add(1, tag);
                doubles.Add(0.5, tag); // halves sum exactly in binary floating point
                histogram.Record(i % 2, tag);
            }
        });

        var text = context.Scrape();
        Assert.Contains("test_concurrent_long_total{shared=\"yes\"} 80000\n", text, StringComparison.Ordinal);
        Assert.Contains("test_concurrent_double_total{shared=\"yes\"} 40000\n", text, StringComparison.Ordinal);
        Assert.Contains("test_concurrent_histogram_count{shared=\"yes\"} 80000\n", text, StringComparison.Ordinal);
        Assert.Contains("test_concurrent_histogram_sum{shared=\"yes\"} 40000\n", text, StringComparison.Ordinal);
        Assert.Contains("test_concurrent_histogram_bucket{shared=\"yes\",le=\"0\"} 40000\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_ThreadsRacingToCreateTheSameSeries_LoseNoMeasurementAndStayUnderTheLimit()
    {
        using var context = new MetricsTestContext(maxTagSetsPerInstrument: 50);
        var counter = context.Meter.CreateCounter<long>("test.race");

        // Every thread walks the same 60 tag sets, so each new one is created by several threads at once.
        RunOnThreads(8, thread =>
        {
            for (var i = 0; i < 6_000; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("key", i % 60));
            }
        });

        var text = context.Scrape();
        var samples = text.Split('\n').Where(l => l.StartsWith("test_race_total{", StringComparison.Ordinal)).ToList();
        Assert.Equal(50, samples.Count);
        Assert.All(samples, s => Assert.EndsWith(" 800", s, StringComparison.Ordinal));
        Assert.Contains("onsale_metrics_dropped_series_total{metric=\"test_race_total\"} 8000\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_MeterDisposed_ItsInstrumentsAreNoLongerWritten()
    {
        using var context = new MetricsTestContext();
        using var other = new Meter(context.MeterName);
        other.CreateCounter<long>("test.gone").Add(1);
        context.Meter.CreateCounter<long>("test.stays").Add(1);

        var before = context.Scrape();
        other.Dispose();
        var after = context.Scrape();

        Assert.Contains("test_gone_total 1", before, StringComparison.Ordinal);
        Assert.Equal(Lines("# TYPE test_stays_total counter", "test_stays_total 1"), after);
    }

    [Fact]
    public void Collect_MeterNamesWithWildcard_MatchByPrefixIgnoringCase()
    {
        var prefix = UniqueMeterName(nameof(Collect_MeterNamesWithWildcard_MatchByPrefixIgnoringCase));
        using var matching = new Meter(prefix + ".Sub");
        using var exact = new Meter(prefix.ToUpperInvariant());
        using var outside = new Meter(prefix + "Other.Sub");
        using var collector = new PrometheusMetricsCollector(Options.Create(new PrometheusExporterOptions { MeterNames = [prefix.ToLowerInvariant() + ".*", prefix] }));
        matching.CreateCounter<long>("test.matching").Add(1);
        exact.CreateCounter<long>("test.exact").Add(1);
        outside.CreateCounter<long>("test.outside").Add(1);

        var text = collector.Collect();

        Assert.Equal(Lines("# TYPE test_exact_total counter", "test_exact_total 1", "# TYPE test_matching_total counter", "test_matching_total 1"), text);
    }

    [Fact]
    public void Collect_MeterFromAnotherContainersFactory_IsLeftOut()
    {
        var name = UniqueMeterName(nameof(Collect_MeterFromAnotherContainersFactory_IsLeftOut));
        using var ours = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var theirs = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var ourFactory = ours.GetRequiredService<IMeterFactory>();
        using var collector = new PrometheusMetricsCollector(Options.Create(new PrometheusExporterOptions { MeterNames = [name] }), ourFactory);
        ourFactory.Create(name).CreateCounter<long>("test.scoped", null, "Ours.").Add(1);
        theirs.GetRequiredService<IMeterFactory>().Create(name).CreateCounter<long>("test.scoped", null, "Theirs.").Add(100, new KeyValuePair<string, object?>("host", "theirs"));
        using var unscoped = new Meter(name);
        unscoped.CreateCounter<long>("test.unscoped").Add(2);

        var text = collector.Collect();

        Assert.Equal(
            Lines(
                "# HELP test_scoped_total Ours.",
                "# TYPE test_scoped_total counter",
                "test_scoped_total 1",
                "# TYPE test_unscoped_total counter",
                "test_unscoped_total 2"),
            text);
    }

    [Fact]
    public void Collect_MixedScrape_IsValidExpositionFormat()
    {
        using var context = new MetricsTestContext(maxTagSetsPerInstrument: 2);
        var counter = context.Meter.CreateCounter<double>("test.mixed.counter", "s");
        var histogram = context.Meter.CreateHistogram<double>("test.mixed.histogram", "ms");
        context.Meter.CreateObservableGauge("test.mixed.gauge", () => double.NaN);
        context.Meter.CreateObservableUpDownCounter("test.mixed.updown", () => new Measurement<double>(double.NegativeInfinity, new KeyValuePair<string, object?>("a:b", "x")));
        for (var i = 0; i < 4; i++)
        {
            counter.Add(i * 0.1, new KeyValuePair<string, object?>("i", i));
            histogram.Record(i * 1000, new TagList { { "i", i % 2 }, { "q", "\"\\\n" } });
        }

        var text = context.Collector.Collect();

        Assert.Empty(ExpositionFormatValidator.Validate(text));
        Assert.Contains("test_mixed_gauge NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("test_mixed_updown{a_b=\"x\"} -Inf\n", text, StringComparison.Ordinal);
    }

    private static void RunOnThreads(int count, Action<int> work)
    {
        using var start = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(n => new Thread(() =>
        {
            start.SignalAndWait();
            work(n);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }
}
