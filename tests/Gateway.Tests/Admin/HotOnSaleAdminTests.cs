using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OnSale.Gateway.Tests.Admin;

/// <summary><c>GET/PUT /admin/api/performances/{id}/hot</c>: support's switch, persisted and audited like mode and banner.</summary>
public sealed class HotOnSaleAdminTests
{
    [Fact]
    public async Task SetHot_OnAPerformanceNotConfigured_JoinsNeedAChallengeAndTheChangeIsAudited()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var before = await JoinAsync(gateway, 1002);

        using var set = await gateway.Admin.PutAsJsonAsync("/admin/api/performances/1002/hot", new { hot = true, reason = "presale sold out in 3 minutes" });
        var state = await GatewayHost.JsonAsync(set);
        using var after = await JoinAsync(gateway, 1002);
        using var otherShow = await JoinAsync(gateway, 1001);
        var audit = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit");

        Assert.Equal(HttpStatusCode.Created, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.True(state.GetProperty("hot").GetBoolean());
        Assert.Equal("admin", state.GetProperty("source").GetString());
        Assert.Equal("admin", state.GetProperty("setBy").GetString());
        await Problems.AssertAsync(after, (HttpStatusCode)428, "proof_of_work_required");
        Assert.Equal(HttpStatusCode.Created, otherShow.StatusCode);
        Assert.Equal("hot.on", audit[0].GetProperty("action").GetString());
        Assert.Equal(("performance 1002", "presale sold out in 3 minutes"), (audit[0].GetProperty("detail").GetString(), audit[0].GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task SetHot_OffForAConfiguredPerformance_PlainJoinsWorkAgain()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:WaitingRoom:Hot:Performances:0"] = "1002" });
        var configured = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/performances/1002/hot");
        using var refused = await JoinAsync(gateway, 1002);

        using var set = await gateway.Admin.PutAsJsonAsync("/admin/api/performances/1002/hot", new { hot = false, reason = "false alarm" });
        using var accepted = await JoinAsync(gateway, 1002);

        Assert.Equal(("configuration", true), (configured.GetProperty("source").GetString(), configured.GetProperty("hot").GetBoolean()));
        await Problems.AssertAsync(refused, (HttpStatusCode)428, "proof_of_work_required");
        Assert.False((await GatewayHost.JsonAsync(set)).GetProperty("hot").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task SetHot_SurvivesARestart()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await GatewayHost.StartAsync(dataPath: dataPath))
            {
                (await first.Admin.PutAsJsonAsync("/admin/api/performances/1003/hot", new { hot = true, reason = "tour announced" })).EnsureSuccessStatusCode();
            }

            await using var second = await GatewayHost.StartAsync(dataPath: dataPath);
            var state = await second.Admin.GetFromJsonAsync<JsonElement>("/admin/api/performances/1003/hot");
            using var join = await JoinAsync(second, 1003);

            Assert.True(state.GetProperty("hot").GetBoolean());
            Assert.Equal("tour announced", state.GetProperty("reason").GetString());
            await Problems.AssertAsync(join, (HttpStatusCode)428, "proof_of_work_required");
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public async Task GetHot_NeverSwitched_IsNotHotByDefault()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var state = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/performances/1001/hot");

        Assert.Equal(("default", false), (state.GetProperty("source").GetString(), state.GetProperty("hot").GetBoolean()));
    }

    [Theory]
    [InlineData("""{"reason":"x"}""", "hot must be true or false")]
    [InlineData("""{"hot":true}""", "reason is required")]
    [InlineData("""{"hot":true,"reason":"  "}""", "reason is required")]
    [InlineData("""{"hot":true,"reason":"two\nlines"}""", "printable")]
    public async Task SetHot_InvalidRequest_Returns400(string body, string detail)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsync("/admin/api/performances/1001/hot", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetHot_NotAPerformanceNumber_Returns404()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsJsonAsync("/admin/api/performances/abc/hot", new { hot = true, reason = "x" });

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "unknown_performance");
    }

    [Fact]
    public async Task SetHot_WithoutTheAdminKey_Returns401AndChangesNothing()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Client.PutAsJsonAsync("/admin/api/performances/1001/hot", new { hot = true, reason = "x" });
        using var join = await JoinAsync(gateway, 1001);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.Created, join.StatusCode);
    }

    private static Task<HttpResponseMessage> JoinAsync(GatewayHost gateway, int performanceId) =>
        gateway.Client.PostAsync($"/api/v1/performances/{performanceId}/queue", null);
}
