using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Mocks.VenueBackend.Tests.Control;

public sealed class ControlApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestInventory.Start);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MockBackendHost _host = null!;
    private SoapTestClient _soap = null!;

    public async Task InitializeAsync()
    {
        _host = await MockBackendHost.StartAsync(_time);
        _http.BaseAddress = _host.BaseAddress;
        _soap = new SoapTestClient(_http, _host.SoapUrl);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<SoapAnswer> BuyAsync(int performanceId, int zoneId, int quantity, string reference)
    {
        var key = await _soap.NewSessionKeyAsync();
        await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", performanceId), ("zoneId", zoneId), ("quantity", quantity));
        return await _soap.CallAsync("Checkout", ("sessionKey", key), ("paymentToken", "tok_visa"), ("clientReference", reference));
    }

    private async Task<int> AvailableAsync(int performanceId, int zoneId) =>
        int.Parse(
            (await _soap.CallAsync("GetAvailability", ("performanceId", performanceId))).Result("GetAvailability")
                .Elements().Single(z => z.Element(XName("ZoneId"))!.Value == zoneId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Element(XName("Available"))!.Value,
            System.Globalization.CultureInfo.InvariantCulture);

    private static System.Xml.Linq.XName XName(string local) => System.Xml.Linq.XName.Get(local, Wsdl.Tns);

    [Fact]
    public async Task GetFaults_Default_EverythingOff()
    {
        var settings = await _host.Control.GetFaultsAsync();

        Assert.Equal((0, 0.0, false, false), (settings.LatencyMs, settings.ErrorRate, settings.Outage, settings.Hang));
        Assert.Null(settings.MaxConcurrentCalls);
        Assert.Null(settings.MaxCallsPerSecond);
        Assert.Null(settings.Operations);
    }

    [Fact]
    public async Task PutFaults_ValidSettings_AreReturnedByGetInCamelCase()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 5, ErrorRate = 0.25, MaxCallsPerSecond = 7, Operations = ["checkout"] });

        var json = await _http.GetStringAsync(new Uri("control/faults", UriKind.Relative));
        var settings = await _host.Control.GetFaultsAsync();

        Assert.Contains("\"latencyMs\":5", json, StringComparison.Ordinal);
        Assert.Contains("\"maxCallsPerSecond\":7", json, StringComparison.Ordinal);
        Assert.Equal(0.25, settings.ErrorRate);
        Assert.Equal(["Checkout"], settings.Operations!);
    }

    [Theory]
    [InlineData("{\"errorRate\":1.5}", "errorRate")]
    [InlineData("{\"latencyMs\":-1}", "latencyMs")]
    [InlineData("{\"maxConcurrentCalls\":-2}", "maxConcurrentCalls")]
    [InlineData("{\"maxCallsPerSecond\":-3}", "maxCallsPerSecond")]
    [InlineData("{\"operations\":[\"Nope\"]}", "operations")]
    public async Task PutFaults_InvalidSettings_Answers400ProblemAndKeepsTheOldSettings(string body, string field)
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 1 });

        using var response = await _http.PutAsync(new Uri("control/faults", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(1, (await _host.Control.GetFaultsAsync()).LatencyMs);
    }

    [Fact]
    public async Task PutFaults_MalformedJson_Answers400Problem()
    {
        using var response = await _http.PutAsync(new Uri("control/faults", UriKind.Relative), new StringContent("{not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PutFaults_FullReplace_DropsSettingsNotRepeated()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true, LatencyMs = 10 });

        await _host.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 20 });

        var settings = await _host.Control.GetFaultsAsync();
        Assert.False(settings.Outage);
        Assert.Equal(20, settings.LatencyMs);
    }

    [Fact]
    public async Task FaultSchedule_StepsComeDueInOrder_ChangeTheCapacityByThemselves()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { MaxCallsPerSecond = 50 });

        var pending = await _host.Control.ScheduleFaultsAsync(
        [
            new FaultScheduleStep(0.6, new FaultSettings { MaxCallsPerSecond = 100 }),
            new FaultScheduleStep(0.2, new FaultSettings { MaxCallsPerSecond = 25 }),
        ]);

        // Given out of order, kept in order; once none is pending, the later one is in force. Nothing here depends on how
        // quickly this machine answers.
        Assert.Equal([25, 100], pending.Select(s => s.Faults!.MaxCallsPerSecond));
        await Eventually.HoldsAsync(async () => (await _host.Control.GetFaultScheduleAsync()).Count, count => count == 0, "both steps come due");
        Assert.Equal(100, (await _host.Control.GetFaultsAsync()).MaxCallsPerSecond);
    }

    [Fact]
    public async Task FaultSchedule_AnExplicitSettingAfterIt_CancelsTheStepsStillPending()
    {
        await _host.Control.ScheduleFaultsAsync([new FaultScheduleStep(0.3, new FaultSettings { Outage = true })]);

        await _host.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 1 });
        await Task.Delay(600); // past the step's moment; no assertion on how long anything took

        Assert.False((await _host.Control.GetFaultsAsync()).Outage);
        Assert.Empty(await _host.Control.GetFaultScheduleAsync());
    }

    [Theory]
    [InlineData("""{"steps": []}""", "steps")]
    [InlineData("""{"steps": [{"faults": {}}]}""", "steps[0].afterSeconds")]
    [InlineData("""{"steps": [{"afterSeconds": 1}]}""", "steps[0].faults")]
    [InlineData("""{"steps": [{"afterSeconds": 1, "faults": {"maxCallsPerSecond": -1}}]}""", "steps[0].faults.maxCallsPerSecond")]
    public async Task FaultSchedule_Invalid_Answers400NamingTheStep(string body, string field)
    {
        using var response = await _http.PutAsync("control/faults/schedule", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteFaults_AfterAnOutage_BackendAnswersAgain()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true, MaxConcurrentCalls = 0 });

        await _host.Control.ClearFaultsAsync();

        Assert.Equal(FaultSettings.Off with { }, (await _host.Control.GetFaultsAsync()) with { });
        Assert.Equal(HttpStatusCode.OK, (await _soap.CallAsync("GetPerformances")).Status);
    }

    [Fact]
    public async Task GetStats_AfterCallsOverBothBindings_CountsEveryOperation()
    {
        await BuyAsync(1001, 1, 2, "s-1");
        var rpc = new XmlRpcTestClient(_http, _host.XmlRpcUrl);
        await rpc.CallAsync("venue.getAvailability", 1001);

        var stats = await _host.Control.GetStatsAsync();

        Assert.Equal(1, stats.Calls["GetNewSessionKey"]);
        Assert.Equal(1, stats.Calls["ReserveTickets"]);
        Assert.Equal(1, stats.Calls["Checkout"]);
        Assert.Equal(1, stats.Calls["GetAvailability"]);
        Assert.Equal(0, stats.Calls["FindOrder"]);
        Assert.Equal(2, stats.SeatsSold["1001"]["1"]);
        Assert.Equal(0, stats.SeatsSold["2001"]["3"]);
        Assert.Equal(1, stats.Orders);
        Assert.Equal(0, stats.Oversold);
        Assert.Equal(0, stats.CurrentConcurrency);
        Assert.True(stats.MaxConcurrency >= 1);
    }

    [Fact]
    public async Task GetStats_Json_HasTheDocumentedShape()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri("control/stats", UriKind.Relative)));

        Assert.Equal(
            ["calls", "rejected", "faultsInjected", "maxConcurrency", "currentConcurrency", "seatsSold", "orders", "oversold"],
            document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, document.RootElement.GetProperty("calls").GetProperty("GetAvailability").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("seatsSold").GetProperty("1001").GetProperty("1").GetInt32());
    }

    [Fact]
    public async Task Reset_AfterSalesFaultsAndChanges_RestoresTheSeed()
    {
        var key = await _soap.NewSessionKeyAsync();
        await BuyAsync(1001, 1, 3, "r-1");
        await _host.Control.SetOnSaleAtAsync(2001, TestInventory.Start.AddDays(3));
        await _host.Control.SetAvailableAsync(1002, 1, 5);
        await _host.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 1 });

        await _host.Control.ResetAsync();

        var stats = await _host.Control.GetStatsAsync();
        Assert.Equal(0, stats.Orders);
        Assert.Equal(0, stats.SeatsSold["1001"]["1"]);
        Assert.Equal(FaultSettings.Off.LatencyMs, (await _host.Control.GetFaultsAsync()).LatencyMs);
        Assert.Empty(await _host.Control.GetOrdersAsync());
        Assert.Equal(400, await AvailableAsync(1001, 1));
        Assert.Equal(400, await AvailableAsync(1002, 1));
        var onSale = (await _soap.CallAsync("GetPerformances")).Result("GetPerformances").Elements().Last().Element(XName("OnSaleAt"))!.Value;
        Assert.Equal("2026-11-22T09:02:00Z", onSale);
        var stale = await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 1));
        Assert.Equal(101, stale.FaultCode);
        var statsAfter = await _host.Control.GetStatsAsync();
        Assert.Equal(0, statsAfter.Calls["Checkout"]);
    }

    [Fact]
    public async Task PutPerformance_OnSaleAt_ChangesWhatTheBackendReports()
    {
        await _host.Control.SetOnSaleAtAsync(2001, new DateTimeOffset(2026, 11, 22, 10, 30, 0, TimeSpan.FromHours(1)));

        var onSale = (await _soap.CallAsync("GetPerformances")).Result("GetPerformances").Elements().Last().Element(XName("OnSaleAt"))!.Value;
        Assert.Equal("2026-11-22T09:30:00Z", onSale);
    }

    [Fact]
    public async Task PutPerformance_Unknown_Answers404Problem()
    {
        using var response = await _http.PutAsJsonAsync("control/performances/4242", new { onSaleAt = "2026-11-22T09:00:00Z" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task PutPerformance_NoOnSaleAt_Answers400()
    {
        using var response = await _http.PutAsJsonAsync("control/performances/1001", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PutZone_Available_LeavesExactlyThatManyToBuy()
    {
        using var response = await _http.PutAsJsonAsync("control/performances/1003/zones/1", new { available = 10 });
        using var zone = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10, zone.RootElement.GetProperty("available").GetInt32());
        Assert.Equal(10, await AvailableAsync(1003, 1));
    }

    [Fact]
    public async Task PutZone_MoreThanHeldAndSoldAllow_Answers409()
    {
        await BuyAsync(1003, 1, 5, "z-1");

        using var response = await _http.PutAsJsonAsync("control/performances/1003/zones/1", new { available = 116 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(115, await AvailableAsync(1003, 1));
    }

    [Theory]
    [InlineData("control/performances/1003/zones/9", "{\"available\":1}", HttpStatusCode.NotFound)]
    [InlineData("control/performances/9999/zones/1", "{\"available\":1}", HttpStatusCode.NotFound)]
    [InlineData("control/performances/1003/zones/1", "{\"available\":-1}", HttpStatusCode.BadRequest)]
    [InlineData("control/performances/1003/zones/1", "{}", HttpStatusCode.BadRequest)]
    public async Task PutZone_BadRequest_AnswersAProblem(string path, string body, HttpStatusCode status)
    {
        using var response = await _http.PutAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task GetOrders_AfterTwoPurchases_ListsBoth()
    {
        await BuyAsync(1001, 2, 2, "o-1");
        await BuyAsync(1002, 3, 1, "o-2");

        var orders = await _host.Control.GetOrdersAsync();

        Assert.Equal(
            [new MockOrder(50001, "o-1", 1001, 2, ["A-1", "A-2"], 9000), new MockOrder(50002, "o-2", 1002, 3, ["A-1"], 3500)],
            orders.Select(o => o with { Seats = [.. o.Seats] }).ToList(),
            new MockOrderComparer());
    }

    private sealed class MockOrderComparer : IEqualityComparer<MockOrder>
    {
        public bool Equals(MockOrder? x, MockOrder? y) =>
            x is not null && y is not null && x with { Seats = [] } == y with { Seats = [] } && x.Seats.SequenceEqual(y.Seats);

        public int GetHashCode(MockOrder obj) => obj.OrderId;
    }
}
