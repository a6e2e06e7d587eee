using System.Net;
using OnSale.Mocks.VenueBackend.Control;

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
}
