using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Tests.Storage;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Admin;

/// <summary>
/// <c>GET/PUT /admin/api/performances/{id}/admission</c>: support pauses one performance's admission ("queue-all") —
/// newcomers queue, rounds let nobody in, the admitted keep their turn — persisted, audited and shared by every node.
/// </summary>
public sealed class AdmissionAdminTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int Show = 1001;
    private const string Path = "/admin/api/performances/1001/admission";

    [Fact]
    public async Task Pause_NewcomersWaitAndNobodyIsLetIn_ResumeLetsThemIn()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        var first = await GatewayHost.JsonAsync(await JoinAsync(gateway));

        using var pause = await gateway.Admin.PutAsJsonAsync(Path, new { paused = true, reason = "payment provider down", message = "Card payments are being fixed; back in a few minutes." });
        var state = await GatewayHost.JsonAsync(pause);
        using var joined = await JoinAsync(gateway);
        var newcomer = await GatewayHost.JsonAsync(joined);
        var token = newcomer.GetProperty("queueToken").GetString()!;
        await RoundsAsync(time, 12);
        using var polled = await StatusAsync(gateway, token);
        var waiting = await GatewayHost.JsonAsync(polled);
        var stillAdmitted = await GatewayHost.JsonAsync(await StatusAsync(gateway, first.GetProperty("queueToken").GetString()!));
        var queue = await QueueOfAsync(gateway);

        Assert.Equal("admitted", first.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        Assert.Equal((true, "payment provider down", "admin"), (state.GetProperty("paused").GetBoolean(), state.GetProperty("reason").GetString(), state.GetProperty("setBy").GetString()));
        Assert.Equal("Card payments are being fixed; back in a few minutes.", state.GetProperty("message").GetString());
        Assert.Equal(time.GetUtcNow(), state.GetProperty("since").GetDateTimeOffset(), TimeSpan.FromSeconds(5));
        foreach (var answer in new[] { newcomer, waiting })
        {
            Assert.Equal("waiting", answer.GetProperty("state").GetString());
            Assert.True(answer.GetProperty("paused").GetBoolean());
            Assert.Equal("Card payments are being fixed; back in a few minutes.", answer.GetProperty("message").GetString());
            Assert.False(answer.TryGetProperty("estimatedWaitSeconds", out _));
        }

        Assert.InRange(polled.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 4, 6);
        Assert.Equal("admitted", stillAdmitted.GetProperty("state").GetString());
        Assert.True(queue.GetProperty("paused").GetBoolean());
        Assert.Equal(1, queue.GetProperty("waiting").GetInt32());
        Assert.False(queue.TryGetProperty("clearsInSeconds", out var clears) && clears.ValueKind != JsonValueKind.Null);

        using var resume = await gateway.Admin.PutAsJsonAsync(Path, new { paused = false, reason = "payments back" });
        var resumed = await GatewayHost.JsonAsync(resume);
        var admitted = await Eventually.HoldsAsync(
            async () => await GatewayHost.JsonAsync(await StatusAsync(gateway, token)),
            s => s.GetProperty("state").GetString() == "admitted",
            "the buyer who waited through the pause is let in once it ends",
            time: time);
        var audit = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit");

        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.False(resumed.TryGetProperty("message", out _));
        Assert.False(admitted.TryGetProperty("paused", out _));
        Assert.Equal(
            [("admission.resumed", "performance 1001", "payments back", "admin"), ("admission.paused", "performance 1001", "payment provider down", "admin")],
            audit.EnumerateArray().Take(2).Select(a => (
                a.GetProperty("action").GetString(), a.GetProperty("detail").GetString(), a.GetProperty("reason").GetString(), a.GetProperty("operator").GetString())));
    }

    [Fact]
    public async Task Pause_WithoutAMessage_BuyersAreToldThePlainDefault_OtherPerformancesGoOn()
    {
        await using var gateway = await GatewayHost.StartAsync();

        (await gateway.Admin.PutAsJsonAsync(Path, new { paused = true, reason = "seat map wrong" })).EnsureSuccessStatusCode();
        var waiting = await GatewayHost.JsonAsync(await JoinAsync(gateway));
        var otherShow = await GatewayHost.JsonAsync(await JoinAsync(gateway, 1002));
        var state = await gateway.Admin.GetFromJsonAsync<JsonElement>(Path);

        Assert.Equal("The venue has paused admission for a moment. You keep your place in line.", waiting.GetProperty("message").GetString());
        Assert.True(waiting.GetProperty("paused").GetBoolean());
        Assert.Equal("admitted", otherShow.GetProperty("state").GetString());
        Assert.False(otherShow.TryGetProperty("paused", out _));
        Assert.False(state.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task GetAdmission_NeverPaused_GoesOn()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var state = await gateway.Admin.GetFromJsonAsync<JsonElement>(Path);

        Assert.Equal((Show, false), (state.GetProperty("performanceId").GetInt32(), state.GetProperty("paused").GetBoolean()));
        Assert.False(state.TryGetProperty("reason", out _) || state.TryGetProperty("since", out _) || state.TryGetProperty("setBy", out _));
    }

    [Theory]
    [InlineData("""{"reason":"x"}""", "paused must be true or false")]
    [InlineData("""{"paused":true}""", "reason is required")]
    [InlineData("""{"paused":false,"reason":"  "}""", "reason is required")]
    [InlineData("""{"paused":true,"reason":"two\nlines"}""", "printable")]
    [InlineData("""{"paused":true,"reason":"x","message":"two\nlines"}""", "message is limited to 200")]
    public async Task SetAdmission_InvalidRequest_Returns400AndChangesNothing(string body, string detail)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsync(Path, new StringContent(body, Encoding.UTF8, "application/json"));
        var state = await gateway.Admin.GetFromJsonAsync<JsonElement>(Path);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(state.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task SetAdmission_MessageOver200Characters_Returns400()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.PutAsJsonAsync(Path, new { paused = true, reason = "x", message = new string('a', 201) });
        using var longest = await gateway.Admin.PutAsJsonAsync(Path, new { paused = true, reason = "x", message = new string('a', 200) });

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    public async Task SetAdmission_NotAPerformanceNumber_Returns404(string id)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var put = await gateway.Admin.PutAsJsonAsync($"/admin/api/performances/{id}/admission", new { paused = true, reason = "x" });
        using var get = await gateway.Admin.GetAsync($"/admin/api/performances/{id}/admission");

        await Problems.AssertAsync(put, HttpStatusCode.NotFound, "unknown_performance");
        await Problems.AssertAsync(get, HttpStatusCode.NotFound, "unknown_performance");
    }

    [Fact]
    public async Task SetAdmission_WithoutTheAdminKey_Returns401AndChangesNothing()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Client.PutAsJsonAsync(Path, new { paused = true, reason = "x" });
        var join = await GatewayHost.JsonAsync(await JoinAsync(gateway));

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("admitted", join.GetProperty("state").GetString());
    }

    [Fact]
    public async Task SetAdmission_SurvivesARestart()
    {
        var dataPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await GatewayHost.StartAsync(dataPath: dataPath))
            {
                (await first.Admin.PutAsJsonAsync(Path, new { paused = true, reason = "fire drill", message = "Back in ten minutes." })).EnsureSuccessStatusCode();
            }

            await using var second = await GatewayHost.StartAsync(dataPath: dataPath);
            var state = await second.Admin.GetFromJsonAsync<JsonElement>(Path);
            var join = await GatewayHost.JsonAsync(await JoinAsync(second));

            Assert.Equal((true, "fire drill", "Back in ten minutes."), (state.GetProperty("paused").GetBoolean(), state.GetProperty("reason").GetString(), state.GetProperty("message").GetString()));
            Assert.Equal(("waiting", true), (join.GetProperty("state").GetString(), join.GetProperty("paused").GetBoolean()));
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public async Task TwoGateways_OneRedis_ThePauseSetOnOneHoldsOnTheOther()
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Store"] = "Redis", ["Gateway:Redis:Configuration"] = redis.Server.Configuration };
        await using var one = await GatewayHost.StartAsync(settings: settings);
        await using var two = await GatewayHost.StartAsync(settings: settings, mock: one.Mock);

        (await one.Admin.PutAsJsonAsync(Path, new { paused = true, reason = "backend patch", message = "Short pause." })).EnsureSuccessStatusCode();
        var seen = await Eventually.HoldsAsync(
            () => two.Admin.GetFromJsonAsync<JsonElement>(Path),
            s => s.GetProperty("paused").GetBoolean(),
            "the other gateway follows the pause");
        var join = await GatewayHost.JsonAsync(await JoinAsync(two));
        (await two.Admin.PutAsJsonAsync(Path, new { paused = false, reason = "patched" })).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(
            () => one.Admin.GetFromJsonAsync<JsonElement>(Path),
            s => !s.GetProperty("paused").GetBoolean(),
            "the first gateway follows the resume");
        var after = await GatewayHost.JsonAsync(await StatusAsync(one, join.GetProperty("queueToken").GetString()!));

        Assert.Equal("Short pause.", seen.GetProperty("message").GetString());
        Assert.Equal(("waiting", true), (join.GetProperty("state").GetString(), join.GetProperty("paused").GetBoolean()));
        Assert.False(after.TryGetProperty("paused", out _));
    }

    /// <summary>Moves the clock on by admission intervals, leaving the worker time to run each round.</summary>
    private static async Task RoundsAsync(FakeTimeProvider time, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(25);
        }
    }

    private static async Task<JsonElement> QueueOfAsync(GatewayHost gateway)
    {
        var status = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status");
        return status.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("performanceId").GetInt32() == Show);
    }

    private static Task<HttpResponseMessage> JoinAsync(GatewayHost gateway, int performanceId = Show) =>
        gateway.Client.PostAsync($"/api/v1/performances/{performanceId}/queue", null);

    private static Task<HttpResponseMessage> StatusAsync(GatewayHost gateway, string queueToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/performances/{Show}/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        return gateway.Client.SendAsync(request);
    }
}
