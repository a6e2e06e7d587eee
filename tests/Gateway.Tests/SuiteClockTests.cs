using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests;

/// <summary>
/// The suite's fixtures at a clock far from today: a gateway and its mock sharing a clock a year ahead of the machine's
/// behave as they do on any other day. Nothing here may depend on the wall-clock date.
/// </summary>
public sealed class SuiteClockTests
{
    [Fact]
    public async Task Fixtures_AtAClockAYearAhead_SellQueueParkAndReplayAsOnAnyDay()
    {
        var start = TimeProvider.System.GetUtcNow().AddYears(1);
        var time = TestClock.Create(start);
        await using var gateway = await GatewayHost.StartAsync(time: time, settings: new Dictionary<string, string?>
        {
            ["Gateway:WaitingRoom:AdmissionInterval"] = "00:00:00.100",
        });

        // The seed's "on sale a day ago" is a day before the shared clock's now.
        var performances = await gateway.GetJsonAsync("/api/v1/performances");
        var hamlet = performances.EnumerateArray().Single(p => p.GetProperty("id").GetInt32() == 1001);
        Assert.Equal(start.AddDays(-1), hamlet.GetProperty("onSaleAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        var availability = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        Assert.Equal(time.GetUtcNow(), availability.GetProperty("asOf").GetDateTimeOffset());
        Assert.False(availability.GetProperty("stale").GetBoolean());

        using (var bought = await gateway.PurchaseAsync(Requests.Purchase(1001, 1, 2)))
        {
            Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        }

        // The stadium show opens two minutes after the clock's start: joiners wait in its lobby, then get a place.
        var lobby = await GatewayHost.JsonAsync(await gateway.PostAsync("/api/v1/performances/2001/queue", new { }));
        Assert.Equal("lobby", lobby.GetProperty("state").GetString());
        Assert.Equal(start.AddMinutes(2), lobby.GetProperty("opensAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMinutes(2));
        var admitted = await Eventually.HoldsAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/2001/queue");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", lobby.GetProperty("queueToken").GetString());
                return await GatewayHost.JsonAsync(await gateway.Client.SendAsync(request));
            },
            status => status.GetProperty("state").GetString() == "admitted",
            "the lobby opens on the shared clock and its only buyer is admitted",
            time: time);
        Assert.True(admitted.GetProperty("accessExpiresAt").GetDateTimeOffset() > time.GetUtcNow());

        // Degraded: the purchase parks (against availability known before), and is confirmed once the mode is lifted.
        await gateway.GetJsonAsync("/api/v1/performances/1003/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var parked = await gateway.PurchaseAsync(Requests.Purchase(1003, 1, 1));
        Assert.Equal(HttpStatusCode.Accepted, parked.StatusCode);
        var purchaseId = (await parked.Content.ReadFromJsonAsync<Parked>())!.PurchaseId;
        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();

        var settled = await gateway.SettledAsync(purchaseId);
        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        Assert.Equal(2, (await gateway.Mock.Control.GetOrdersAsync()).Count);
    }

    private sealed record Parked(string PurchaseId);
}
