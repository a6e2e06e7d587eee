using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Infrastructure;

/// <summary>
/// A backend that takes 10 s to answer never makes a buyer wait for it: every request gets its best honest answer
/// within the gateway's deadline (1 s here). The client gives up after 5 s, so waiting for the backend would fail.
/// </summary>
public sealed class RequestDeadlineTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Gateway:Http:RequestDeadline"] = "00:00:01",
            ["Gateway:Resilience:AttemptTimeout"] = "00:00:30",
            ["Gateway:Availability:FreshFor"] = "00:00:00.100",
            ["Gateway:Availability:StaleTolerance"] = "00:00:00",
        });
        _gateway.Client.Timeout = TimeSpan.FromSeconds(5);
        await _gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        await _gateway.Mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 10_000 });
        await Task.Delay(200); // let the 100 ms fresh period pass (no assertion depends on timing)
    }

    public async Task DisposeAsync()
    {
        await _gateway.Mock.Control.ClearFaultsAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Availability_SlowBackend_AnswersStaleInTime()
    {
        var body = await _gateway.GetJsonAsync("/api/v1/performances/1001/availability");

        Assert.True(body.GetProperty("stale").GetBoolean());
    }

    [Fact]
    public async Task Availability_SlowBackendAndNeverKnown_Answers503InTime()
    {
        using var response = await _gateway.Client.GetAsync("/api/v1/performances/1003/availability");

        await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "availability_unknown");
    }

    [Fact]
    public async Task Purchase_SlowBackend_IsParkedInTime()
    {
        using var response = await _gateway.PurchaseAsync(Requests.Purchase());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains((await GatewayHost.JsonAsync(response)).GetProperty("status").GetString(), new[] { "parked", "processing" });
    }

    [Fact]
    public async Task Hold_SlowBackend_Answers503InTime()
    {
        using var response = await _gateway.PostAsync("/api/v1/holds", Requests.Hold());

        await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "backend_unavailable");
    }

    [Fact]
    public async Task Deadline_HandlerHadBegunItsAnswer_TheProblemReplacesIt()
    {
        var time = TestClock.Create();
        var started = new TaskCompletionSource();
        var middleware = new RequestDeadline(
            async context =>
            {
                context.Response.Headers["X-Half"] = "written";
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("{\"partial\":"));
                started.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, time, context.RequestAborted);
            },
            Options.Create(new GatewayHttpOptions { RequestDeadline = TimeSpan.FromSeconds(1) }),
            time,
            NullLogger<RequestDeadline>.Instance);
        var context = new DefaultHttpContext { Request = { Path = "/api/v1/purchases" }, Response = { Body = new MemoryStream() } };

        var running = middleware.InvokeAsync(context);
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(1));
        await running;

        Assert.Equal(503, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("X-Half"));
        var body = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray()).RootElement;
        Assert.Equal("deadline_exceeded", body.GetProperty("code").GetString());
    }
}
