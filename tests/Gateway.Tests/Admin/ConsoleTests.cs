using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnSale.Gateway.Admin;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Admin;

/// <summary>The support console's page and the figures only it reads (CONTRACT.md §3).</summary>
public sealed partial class ConsoleTests
{
    [Fact]
    public async Task Page_IsServedWithAStrictPolicyAndMayNotBeFramed()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var page = await gateway.CreateClient().GetAsync("/admin");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_LinksOnlyTheGatewaysOwnAssets_AndEachIsServed()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var client = gateway.CreateClient();
        var html = await client.GetStringAsync("/admin");

        var links = AssetLink().Matches(html).Select(m => m.Groups["url"].Value).ToList();

        Assert.Equal(2, links.Count);
        foreach (var link in links)
        {
            using var asset = await client.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Contains("frame-ancestors 'none'", string.Join(";", asset.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.True((await asset.Content.ReadAsByteArrayAsync()).Length > 100);
        }

        using var unknown = await client.GetAsync("/admin/assets/secrets.json");
        await Problems.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Page_WithNoOperatorConfigured_IsNotThere()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Admin:ApiKey"] = null });

        using var page = await gateway.CreateClient().GetAsync("/admin");

        await Problems.AssertAsync(page, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Series_WithoutAKey_Is401()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.CreateClient().GetAsync("/admin/api/series");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Series_KeepsOneSampleASecond_WithTheParkedAndTheMode()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        var sampler = gateway.Get<ConsoleSeriesSampler>();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        await sampler.SampleAsync(default);
        time.Advance(TimeSpan.FromSeconds(1));
        (await gateway.SetModeAsync("degraded", "box office patching")).EnsureSuccessStatusCode();
        (await gateway.PurchaseAsync(Requests.Purchase())).EnsureSuccessStatusCode();
        await sampler.SampleAsync(default);

        var series = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/series");
        var samples = series.GetProperty("samples").EnumerateArray().ToList();

        Assert.Equal(1, series.GetProperty("periodSeconds").GetInt32());
        Assert.True(samples.Count >= 2);
        var (before, after) = (samples[0], samples[^1]);
        Assert.Equal((0, false), (before.GetProperty("parked").GetInt32(), before.GetProperty("degraded").GetBoolean()));
        Assert.Equal((1, true), (after.GetProperty("parked").GetInt32(), after.GetProperty("degraded").GetBoolean()));
        Assert.True(after.GetProperty("at").GetDateTimeOffset() > before.GetProperty("at").GetDateTimeOffset());
        Assert.True(before.GetProperty("p99Ms").GetDouble() >= before.GetProperty("p50Ms").GetDouble());
    }

    [Fact]
    public async Task Status_SaysHowManyAreParkedSinceWhen_AndTheDrainOverAMinute()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        var sampler = gateway.Get<ConsoleSeriesSampler>();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded", "box office patching")).EnsureSuccessStatusCode();
        var parkedAt = time.GetUtcNow();
        (await gateway.PurchaseAsync(Requests.Purchase())).EnsureSuccessStatusCode();
        (await gateway.PurchaseAsync(Requests.Purchase(), idempotencyKey: "k-second")).EnsureSuccessStatusCode();

        var early = (await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status")).GetProperty("parking");
        for (var second = 0; second <= 60; second++)
        {
            await sampler.SampleAsync(default);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var later = (await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status")).GetProperty("parking");

        Assert.Equal(2, early.GetProperty("count").GetInt32());
        Assert.Equal(parkedAt, early.GetProperty("oldestSince").GetDateTimeOffset());
        Assert.False(early.TryGetProperty("drainedLastMinute", out _));
        Assert.Equal(0, later.GetProperty("drainedLastMinute").GetInt32());
    }

    [Fact]
    public async Task Status_TellsSeatsSoldPerPerformance_AndTheFailedPurchasesWithTheirReasons()
    {
        await using var gateway = await GatewayHost.StartAsync();
        (await gateway.PostAsync("/api/v1/performances/1001/queue", new { })).EnsureSuccessStatusCode();
        (await gateway.PostAsync("/api/v1/performances/1002/queue", new { })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await gateway.PurchaseAsync(Requests.Purchase(1001, 1, 2))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await gateway.PurchaseAsync(Requests.Purchase(1001, 2, 3))).StatusCode);
        using var declined = await gateway.PurchaseAsync(Requests.Purchase(1002, 1, 1, paymentToken: "tok_declined"));
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        var parked = await GatewayHost.JsonAsync(await gateway.PurchaseAsync(Requests.Purchase(1002, 1, 1, paymentToken: "tok_declined_later")));
        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();
        var id = parked.GetProperty("purchaseId").GetString()!;
        Assert.Equal("failed", (await gateway.SettledAsync(id)).GetProperty("status").GetString());

        var status = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status");

        var sold = status.GetProperty("queues").EnumerateArray().ToDictionary(q => q.GetProperty("performanceId").GetInt32(), q => q.GetProperty("seatsSold").GetInt32());
        Assert.Equal(new Dictionary<int, int> { [1001] = 5, [1002] = 0 }, sold);
        var failed = Assert.Single(status.GetProperty("parking").GetProperty("failed").EnumerateArray());
        Assert.Equal(id, failed.GetProperty("purchaseId").GetString());
        Assert.Equal(1002, failed.GetProperty("performanceId").GetInt32());
        Assert.Equal("payment_declined", failed.GetProperty("failureCode").GetString());
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("message").GetString()));
    }

    [GeneratedRegex("""(?:src|href)="(?<url>/admin/assets/[^"]+)""")]
    private static partial Regex AssetLink();
}
