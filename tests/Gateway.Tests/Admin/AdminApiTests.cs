using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OnSale.Gateway.Tests.Admin;

public sealed class AdminApiTests
{
    [Fact]
    public async Task AdminApi_NoKeyConfigured_Returns404()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Admin:ApiKey"] = string.Empty });

        using var response = await gateway.Admin.GetAsync("/admin/api/status");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("test-admin-key-012345678")]
    [InlineData("test-admin-key-01234567890")]
    public async Task AdminApi_WithoutTheRightKey_Returns401(string? key)
    {
        await using var gateway = await GatewayHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/status");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await gateway.Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Status_Healthy_ReportsNormalClosedAndNothingParked()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var status = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status");

        Assert.Equal("normal", status.GetProperty("mode").GetString());
        Assert.Equal("closed", status.GetProperty("breaker").GetString());
        Assert.Equal(0, status.GetProperty("parked").GetInt32());
        Assert.Equal(JsonValueKind.Array, status.GetProperty("queues").ValueKind);
        Assert.Equal("Soap", status.GetProperty("backend").GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task SetMode_Degraded_IsolatesTheBreakerAndIsAudited()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.SetModeAsync("degraded", "backend patching 09:00-09:30");
        var status = await GatewayHost.JsonAsync(response);
        var audit = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit");
        var notice = await gateway.GetJsonAsync("/api/v1/notice");

        Assert.Equal("degraded", status.GetProperty("mode").GetString());
        Assert.Equal("isolated", status.GetProperty("breaker").GetString());
        Assert.Equal("backend patching 09:00-09:30", status.GetProperty("reason").GetString());
        var entry = audit[0];
        Assert.Equal("mode.degraded", entry.GetProperty("action").GetString());
        Assert.Equal(("admin", "admin"), (entry.GetProperty("operator").GetString(), entry.GetProperty("who").GetString()));
        Assert.Equal("backend patching 09:00-09:30", entry.GetProperty("reason").GetString());
        Assert.Equal("degraded", notice.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task SetMode_BackToNormal_ClosesTheBreaker()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.SetModeAsync("degraded", "x");

        var status = await GatewayHost.JsonAsync(await gateway.SetModeAsync("normal", "done"));

        Assert.Equal(("normal", "closed"), (status.GetProperty("mode").GetString(), status.GetProperty("breaker").GetString()));
    }

    [Theory]
    [InlineData("{\"mode\": \"offline\", \"reason\": \"x\"}")]
    [InlineData("{\"mode\": \"degraded\"}")]
    [InlineData("{\"mode\": \"degraded\", \"reason\": \"   \"}")]
    [InlineData("{\"mode\": \"degraded\", \"reason\": \"box\\u0000office\"}")]
    [InlineData("{\"mode\": \"degraded\", \"reason\": \"two\\nlines\"}")]
    public async Task SetMode_InvalidBody_Returns400(string body)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsync("/admin/api/mode", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task SetBanner_ShowsInEveryWidgetsNoticeAndClears()
    {
        await using var gateway = await GatewayHost.StartAsync();

        (await gateway.Admin.PutAsJsonAsync("/admin/api/banner", new { message = "Doors open at 19:00", level = "warning" })).EnsureSuccessStatusCode();
        var shown = await gateway.GetJsonAsync("/api/v1/notice");
        (await gateway.Admin.PutAsJsonAsync("/admin/api/banner", new { message = "" })).EnsureSuccessStatusCode();
        var cleared = await gateway.GetJsonAsync("/api/v1/notice");

        Assert.Equal("Doors open at 19:00", shown.GetProperty("banner").GetProperty("message").GetString());
        Assert.Equal("warning", shown.GetProperty("banner").GetProperty("level").GetString());
        Assert.False(cleared.TryGetProperty("banner", out _));
    }

    [Fact]
    public async Task SetBanner_UnknownLevel_Returns400()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsJsonAsync("/admin/api/banner", new { message = "hi", level = "shouting" });

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task SetBanner_ControlCharacters_Returns400AndKeepsTheBanner()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsync(
            "/admin/api/banner", new StringContent("{\"message\": \"Doors\\u001b[2J open\", \"level\": \"info\"}", System.Text.Encoding.UTF8, "application/json"));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.False((await gateway.GetJsonAsync("/api/v1/notice")).TryGetProperty("banner", out _));
    }
}
