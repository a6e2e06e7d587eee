using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Admin;

/// <summary>Named operators with roles, the audit naming them, and a degraded mode that ends by itself (CONTRACT.md §3).</summary>
public sealed class OperatorTests
{
    private const string AnaKey = "ana-operator-key-0123456789abcdefghij";
    private const string VicKey = "vic-viewer-key-0123456789abcdefghijkl";

    private static Dictionary<string, string?> Operators(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Admin:Operators:ana:Key"] = AnaKey,
            ["Gateway:Admin:Operators:ana:Role"] = "operator",
            ["Gateway:Admin:Operators:vic:Key"] = VicKey,
            ["Gateway:Admin:Operators:vic:Role"] = "viewer",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    private static HttpClient As(GatewayHost gateway, string key)
    {
        var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task Operator_ChangesTheMode_TheAuditNamesThemWithTheReason()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: Operators());
        using var ana = As(gateway, AnaKey);

        using var response = await ana.PutAsJsonAsync("/admin/api/mode", new { mode = "degraded", reason = "box office patching" });
        var audit = await ana.GetFromJsonAsync<JsonElement>("/admin/api/audit");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mode.degraded", audit[0].GetProperty("action").GetString());
        Assert.Equal("ana", audit[0].GetProperty("operator").GetString());
        Assert.Equal("box office patching", audit[0].GetProperty("reason").GetString());
        Assert.Equal("ana", (await GatewayHost.JsonAsync(await ana.GetAsync("/admin/api/status"))).GetProperty("modeSetBy").GetString());
    }

    [Theory]
    [InlineData("/admin/api/mode", """{"mode":"degraded","reason":"x"}""")]
    [InlineData("/admin/api/banner", """{"message":"hello","level":"info"}""")]
    [InlineData("/admin/api/performances/1001/hot", """{"hot":true,"reason":"x"}""")]
    [InlineData("/admin/api/performances/1001/admission", """{"paused":true,"reason":"x"}""")]
    public async Task Viewer_MayLookButNotChange_403Forbidden(string path, string body)
    {
        await using var gateway = await GatewayHost.StartAsync(settings: Operators());
        using var vic = As(gateway, VicKey);

        using var status = await vic.GetAsync("/admin/api/status");
        using var audit = await vic.GetAsync("/admin/api/audit");
        using var refused = await vic.PutAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var after = await GatewayHost.JsonAsync(await vic.GetAsync("/admin/api/status"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status.StatusCode, audit.StatusCode));
        await Problems.AssertAsync(refused, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("normal", after.GetProperty("mode").GetString());
        Assert.False(after.TryGetProperty("banner", out _));
        Assert.Equal(0, (await vic.GetFromJsonAsync<JsonElement>("/admin/api/audit")).GetArrayLength());
    }

    [Fact]
    public async Task Me_SaysWhoSignedInAndWhetherTheyMayAct()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: Operators());
        using var ana = As(gateway, AnaKey);
        using var vic = As(gateway, VicKey);

        var anaMe = await ana.GetFromJsonAsync<JsonElement>("/admin/api/me");
        var vicMe = await vic.GetFromJsonAsync<JsonElement>("/admin/api/me");
        var adminMe = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/me");

        Assert.Equal(("ana", "operator", true), (anaMe.GetProperty("name").GetString(), anaMe.GetProperty("role").GetString(), anaMe.GetProperty("mayAct").GetBoolean()));
        Assert.Equal(("vic", "viewer", false), (vicMe.GetProperty("name").GetString(), vicMe.GetProperty("role").GetString(), vicMe.GetProperty("mayAct").GetBoolean()));
        Assert.Equal(("admin", "operator"), (adminMe.GetProperty("name").GetString(), adminMe.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task OperatorsWithoutApiKey_TheApiExists_ShortKeysAndUnknownRolesGetTheLeastMeaning()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: Operators(new()
        {
            ["Gateway:Admin:ApiKey"] = string.Empty,
            ["Gateway:Admin:Operators:shorty:Key"] = "too-short-a-key",
            ["Gateway:Admin:Operators:odd:Key"] = "odd-role-key-0123456789abcdefghijklmn",
            ["Gateway:Admin:Operators:odd:Role"] = "superuser",
        }));
        using var ana = As(gateway, AnaKey);
        using var shorty = As(gateway, "too-short-a-key");
        using var odd = As(gateway, "odd-role-key-0123456789abcdefghijklmn");

        using var anaStatus = await ana.GetAsync("/admin/api/status");
        using var shortyStatus = await shorty.GetAsync("/admin/api/status");
        using var adminStatus = await gateway.Admin.GetAsync("/admin/api/status");
        using var oddChange = await odd.PutAsJsonAsync("/admin/api/mode", new { mode = "degraded", reason = "x" });

        Assert.Equal(HttpStatusCode.OK, anaStatus.StatusCode);
        await Problems.AssertAsync(shortyStatus, HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertAsync(adminStatus, HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertAsync(oddChange, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Metrics_AViewerMayScrape()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: Operators());
        using var vic = As(gateway, VicKey);

        using var metrics = await vic.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task DegradedUntil_RevertsByItselfOnTheClock_AndSaysSoInTheAudit()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, settings: Operators());
        using var ana = As(gateway, AnaKey);
        var until = time.GetUtcNow().AddMinutes(30);

        var set = await GatewayHost.JsonAsync(await ana.PutAsJsonAsync("/admin/api/mode", new { mode = "degraded", reason = "box office patching", until = until.ToString("O") }));
        time.Advance(TimeSpan.FromMinutes(29));
        var before = await WaitForModeAsync(ana, "degraded");
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var after = await WaitForModeAsync(ana, "normal");
        var audit = await ana.GetFromJsonAsync<JsonElement>("/admin/api/audit");

        Assert.Equal(until.UtcDateTime, set.GetProperty("modeUntil").GetDateTimeOffset().UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal("isolated", before.GetProperty("breaker").GetString());
        Assert.Equal("closed", after.GetProperty("breaker").GetString());
        Assert.Equal(("mode.reverted", "gateway"), (audit[0].GetProperty("action").GetString(), audit[0].GetProperty("operator").GetString()));
        Assert.Contains("set by ana: box office patching", audit[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("normal", (await gateway.GetJsonAsync("/api/v1/notice")).GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("""{"mode":"normal","reason":"x","until":"2099-01-01T00:00:00Z"}""", "degraded mode only")]
    [InlineData("""{"mode":"degraded","reason":"x","until":"tomorrow"}""", "ISO 8601")]
    [InlineData("""{"mode":"degraded","reason":"x","until":"2000-01-01T00:00:00Z"}""", "in the future")]
    [InlineData("""{"mode":"degraded","reason":"x","until":"2999-01-01T00:00:00Z"}""", "days ahead")]
    public async Task DegradedUntil_Meaningless_Returns400AndChangesNothing(string body, string says)
    {
        await using var gateway = await GatewayHost.StartAsync(settings: Operators());
        using var ana = As(gateway, AnaKey);

        using var response = await ana.PutAsync("/admin/api/mode", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var status = await ana.GetFromJsonAsync<JsonElement>("/admin/api/status");

        Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("normal", status.GetProperty("mode").GetString());
    }

    private static async Task<JsonElement> WaitForModeAsync(HttpClient client, string mode)
    {
        // The expiry loop runs on the fake clock's timer; its round after the advance may still be on its way.
        JsonElement status = default;
        for (var i = 0; i < 200; i++)
        {
            status = await client.GetFromJsonAsync<JsonElement>("/admin/api/status");
            if (status.GetProperty("mode").GetString() == mode)
            {
                return status;
            }

            await Task.Delay(25);
        }

        return status;
    }
}
