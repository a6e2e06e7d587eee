using System.Diagnostics;
using System.Net;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OnSale.Gateway.Tests.Infrastructure.Telemetry;

/// <summary>
/// The spans of backend calls, in the gateway's own tracing pipeline (switched on by an OTLP endpoint, here a receiver
/// on loopback) with a collector beside its exporter: each call nests under the request or the replay that made it,
/// HttpClient's span nests under the call's, and a parked purchase's replay is told in the trace of the request that
/// made it.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task BackendCall_DuringARequest_NestsUnderTheRequestWithHttpClientsSpanUnderIt()
    {
        using var receiver = OtlpReceiver.Start();
        var spans = new SpanCollector();
        await using var gateway = await GatewayHost.StartAsync(settings: OtlpReceiver.Settings(receiver), services: spans.AddTo);
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpanId = ActivitySpanId.CreateRandom();
        using var request = TracedPurchase(traceId, callerSpanId);

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var trace = await Eventually.HoldsAsync(
            () => Task.FromResult(spans.Ended.Where(s => s.TraceId == traceId).ToList()),
            all => all.Exists(s => s.Source.Name == "Microsoft.AspNetCore" && s.ParentSpanId == callerSpanId),
            "the request's span ends");
        var requestSpan = Assert.Single(trace, s => s.Source.Name == "Microsoft.AspNetCore" && s.ParentSpanId == callerSpanId);
        var checkout = Assert.Single(trace, s => s.DisplayName == "backend Checkout");
        Assert.Equal("OnSale.Gateway", checkout.Source.Name);
        Assert.Equal(requestSpan.SpanId, checkout.ParentSpanId);
        Assert.Equal("Checkout", checkout.GetTagItem("onsale.backend.operation"));
        Assert.Equal("success", checkout.GetTagItem("onsale.backend.outcome"));
        Assert.Equal(1, checkout.GetTagItem("onsale.backend.attempt"));
        var http = Assert.Single(trace, s => s.Source.Name == "System.Net.Http" && s.ParentSpanId == checkout.SpanId);
        Assert.Equal(ActivityKind.Client, http.Kind);
    }

    [Fact]
    public async Task BackendRead_RetriedOnce_IsOneSpanPerAttemptEachWithItsNumberAndOutcome()
    {
        await using var mock = await MockBackendHost.StartAsync();
        using var proxy = WireMockLoopback.Start();
        proxy.Given(Request.Create().WithHeader("SOAPAction", "*/GetAvailability\"")).InScenario("first read refused").WillSetStateTo("refused")
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "text/plain").WithBody("busy"));
        proxy.Given(Request.Create().UsingAnyMethod()).AtPriority(100)
            .RespondWith(Response.Create().WithProxy(mock.BaseAddress.ToString().TrimEnd('/')));
        using var receiver = OtlpReceiver.Start();
        var spans = new SpanCollector();
        // The spans are the subject, not the deadline: this cold first read crosses WireMock's proxy and the first WCF
        // channel, which on a loaded machine has taken longer than the default 2.5 s (a 503 seen twice in full runs).
        var settings = OtlpReceiver.Settings(receiver);
        settings["Gateway:Http:RequestDeadline"] = "00:00:15";
        await using var gateway = await GatewayHost.StartAsync(
            mock: mock, backendUrl: new Uri(proxy.Url + "/VenueService.svc"), settings: settings, services: spans.AddTo);
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/availability");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await gateway.Client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var reads = await Eventually.HoldsAsync(
            () => Task.FromResult(spans.Ended.Where(s => s.TraceId == traceId && s.DisplayName == "backend GetAvailability").ToList()),
            all => all.Count == 2,
            "two attempts of the read end");
        var first = Assert.Single(reads, s => Equals(s.GetTagItem("onsale.backend.attempt"), 1));
        var second = Assert.Single(reads, s => Equals(s.GetTagItem("onsale.backend.attempt"), 2));
        Assert.Equal("unavailable", first.GetTagItem("onsale.backend.outcome"));
        Assert.Equal("unavailable", first.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, first.Status);
        Assert.Equal("success", second.GetTagItem("onsale.backend.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, second.Status);
        Assert.Equal(first.ParentSpanId, second.ParentSpanId);
    }

    [Fact]
    public async Task BackendCall_OfAParkedPurchase_NestsUnderItsReplaySpan_InTheTraceOfTheRequestThatMadeIt_LinkedToTheRound()
    {
        using var receiver = OtlpReceiver.Start();
        var spans = new SpanCollector();
        await using var gateway = await GatewayHost.StartAsync(settings: OtlpReceiver.Settings(receiver), services: spans.AddTo);
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpanId = ActivitySpanId.CreateRandom();
        using var request = TracedPurchase(traceId, callerSpanId);
        using var parked = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, parked.StatusCode);
        var id = (await GatewayHost.JsonAsync(parked)).GetProperty("purchaseId").GetString()!;

        await gateway.Mock.Control.ClearFaultsAsync();
        Assert.Equal("confirmed", (await gateway.SettledAsync(id)).GetProperty("status").GetString());

        bool IsConfirmedReplay(Activity s) =>
            s.DisplayName == "replay purchase" && (string?)s.GetTagItem("onsale.purchase.id") == id && (string?)s.GetTagItem("onsale.replay.result") == "confirmed";
        var ended = await Eventually.HoldsAsync(
            () => Task.FromResult(spans.Ended),
            all => all.Any(IsConfirmedReplay) && all.Any(s => s.SpanId == all.First(IsConfirmedReplay).Links.Single().Context.SpanId),
            "the replay span of the confirmed purchase and its round end");
        var confirmed = Assert.Single(ended, IsConfirmedReplay);
        Assert.Equal(traceId, confirmed.TraceId);
        var requestSpan = Assert.Single(ended, s => s.Source.Name == "Microsoft.AspNetCore" && s.ParentSpanId == callerSpanId);
        Assert.Equal(requestSpan.SpanId, confirmed.ParentSpanId);
        var round = Assert.Single(ended, s => s.SpanId == confirmed.Links.Single().Context.SpanId);
        Assert.Equal("replay round", round.DisplayName);
        Assert.Equal(default, round.ParentSpanId);
        var trace = ended.Where(s => s.TraceId == traceId).ToList();
        var calls = trace.Where(s => s.Source.Name == "OnSale.Gateway" && s.DisplayName.StartsWith("backend ", StringComparison.Ordinal) && s.ParentSpanId == confirmed.SpanId).ToList();
        Assert.Contains(calls, s => s.DisplayName == "backend ReserveTickets");
        var checkout = Assert.Single(calls, s => s.DisplayName == "backend Checkout");
        Assert.Equal("success", checkout.GetTagItem("onsale.backend.outcome"));
        Assert.Single(trace, s => s.Source.Name == "System.Net.Http" && s.ParentSpanId == checkout.SpanId);

        // Support finds the trace from the purchase.
        var found = await GatewayHost.JsonAsync(await gateway.Admin.GetAsync($"/admin/api/purchases?purchaseId={id}"));
        Assert.Equal(traceId.ToHexString(), found.GetProperty("purchases")[0].GetProperty("traceId").GetString());
    }

    /// <summary>A purchase as a caller that traces sends it: its span is the request's parent.</summary>
    private static HttpRequestMessage TracedPurchase(ActivityTraceId traceId, ActivitySpanId callerSpanId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/purchases") { Content = System.Net.Http.Json.JsonContent.Create(Requests.Purchase()) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpanId}-01");
        return request;
    }
}
