using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using OnSale.Mocks.VenueBackend.Control;

namespace OnSale.Gateway.Tests.Infrastructure.Telemetry;

/// <summary><c>/metrics</c> of a running gateway, scraped for the first time after real traffic.</summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AfterRealTraffic_ExportsTheReadmesMetricsWithTheirTypesAndLabels()
    {
        await using var gateway = await GatewayHost.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            (await gateway.Client.GetAsync(new Uri("/api/v1/performances/1001/availability", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        (await gateway.Client.PostAsync(new Uri("/api/v1/performances/1001/queue", UriKind.Relative), null)).EnsureSuccessStatusCode();
        using (var live = await gateway.PurchaseAsync(Requests.Purchase()))
        {
            Assert.Equal(HttpStatusCode.Created, live.StatusCode);
        }

        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        string parkedId;
        using (var parked = await gateway.PurchaseAsync(Requests.Purchase()))
        {
            Assert.Equal(HttpStatusCode.Accepted, parked.StatusCode);
            parkedId = (await GatewayHost.JsonAsync(parked)).GetProperty("purchaseId").GetString()!;
        }

        await gateway.Mock.Control.ClearFaultsAsync();
        Assert.Equal("confirmed", (await gateway.SettledAsync(parkedId)).GetProperty("status").GetString());

        using var response = await gateway.Admin.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        ExpositionFormatValidator.AssertValid(text);
        var families = Families(text);
        AssertFamily(families, "onsale_backend_call_duration_seconds", "histogram", "operation", "outcome");
        AssertFamily(families, "onsale_backend_errors_total", "counter", "operation", "outcome");
        AssertFamily(families, "onsale_breaker_state", "gauge");
        AssertFamily(families, "onsale_purchases_pending", "gauge");
        AssertFamily(families, "onsale_purchases_total", "counter", "outcome");
        AssertFamily(families, "onsale_availability_reads_total", "counter", "result");
        AssertFamily(families, "onsale_waitingroom_waiting", "gauge", "performance");
        AssertFamily(families, "onsale_waitingroom_active_buyers", "gauge", "performance");
        AssertFamily(families, "onsale_waitingroom_admission_limit", "gauge", "performance");
        AssertFamily(families, "http_server_request_duration_seconds", "histogram", "http_request_method", "http_response_status_code", "http_route");
        AssertFamily(families, "http_client_request_duration_seconds", "histogram", "http_request_method", "server_address");
        AssertFamily(families, "dotnet_gc_collections_total", "counter");
        Assert.Contains(families.Keys, name => name.StartsWith("onsale_cache_", StringComparison.Ordinal));

        // The instrument's advice, not the SDK's default buckets.
        Assert.Equal(
            ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2", "5", "10", "+Inf"],
            Bounds(text, "onsale_backend_call_duration_seconds_bucket{operation=\"Checkout\",outcome=\"success\""));

        // Nothing recorded before this first scrape is missing, and nothing of the mock backend's host (another container
        // in this process, with meters of the same names) is in it.
        // The cached availability read is counted by its own counter (its result), not by ASP.NET Core's histogram: at
        // least the five answers (the purchases and the background refresh read it too).
        Assert.True(Sum(text, "onsale_availability_reads_total") >= 5, "the five availability answers are counted");
        Assert.Equal(1, Value(text, "http_server_request_duration_seconds_count", "http_route=\"/api/v1/performances/{performanceId}/queue/\""));
        Assert.DoesNotContain("http_route=\"/api/v1/performances/{performanceId}/availability\"", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "onsale_purchases_total", "outcome=\"parked\""));
        Assert.Equal(2, Value(text, "onsale_purchases_total", "outcome=\"confirmed\""));
        Assert.Equal(0, Value(text, "onsale_purchases_pending", ""));
        Assert.DoesNotContain("http_route=\"/control/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_MeterNamesConfigured_ExportsThoseMetersOnly()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Metrics:MeterNames:0"] = "OnSale.Gateway" });
        (await gateway.Client.GetAsync(new Uri("/api/v1/performances/1001/availability", UriKind.Relative))).EnsureSuccessStatusCode();

        var families = Families(await gateway.Admin.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        Assert.Contains("onsale_availability_reads_total", families.Keys);
        Assert.DoesNotContain(families.Keys, name => name.StartsWith("http_", StringComparison.Ordinal) || name.StartsWith("onsale_cache_", StringComparison.Ordinal));
    }

    private static void AssertFamily(Dictionary<string, (string Type, HashSet<string> Labels)> families, string name, string type, params string[] labels)
    {
        Assert.True(families.TryGetValue(name, out var family), $"{name} is not exported; exported: {string.Join(", ", families.Keys)}");
        Assert.Equal(type, family.Type);
        Assert.All(labels, label => Assert.Contains(label, family.Labels));
    }

    /// <summary>Each family's TYPE and the label names its samples carry.</summary>
    private static Dictionary<string, (string Type, HashSet<string> Labels)> Families(string text)
    {
        var families = new Dictionary<string, (string Type, HashSet<string> Labels)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                families[type.Groups[1].Value] = (type.Groups[2].Value, []);
            }
            else if (SampleLine().Match(line) is { Success: true } sample)
            {
                var family = families.Keys.Where(f => sample.Groups[1].Value.StartsWith(f, StringComparison.Ordinal)).MaxBy(f => f.Length);
                if (family is not null)
                {
                    families[family].Labels.UnionWith(LabelName().Matches(sample.Groups[2].Value).Select(m => m.Groups[1].Value));
                }
            }
        }

        return families;
    }

    private static List<string> Bounds(string text, string seriesStart) =>
        [.. text.Split('\n').Where(l => l.StartsWith(seriesStart, StringComparison.Ordinal)).Select(l => BucketBound().Match(l).Groups[1].Value)];

    private static double Value(string text, string name, string label)
    {
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static double Sum(string text, string name) =>
        text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [GeneratedRegex("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ([a-z]+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? ")]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"")]
    private static partial Regex LabelName();

    [GeneratedRegex("le=\"([^\"]+)\"")]
    private static partial Regex BucketBound();
}
