using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Mocks.VenueBackend.Faults;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Mocks.VenueBackend.Tests.Faults;

public sealed class FaultInjectorTests : IAsyncLifetime
{
    // The mock's clock is frozen: injected delays must still run on real time.
    private readonly FakeTimeProvider _time = new(TestInventory.Start);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MockBackendHost _host = null!;
    private SoapTestClient _soap = null!;
    private XmlRpcTestClient _rpc = null!;

    public async Task InitializeAsync()
    {
        _host = await MockBackendHost.StartAsync(_time);
        _soap = new SoapTestClient(_http, _host.SoapUrl);
        _rpc = new XmlRpcTestClient(_http, _host.XmlRpcUrl);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private Task<SoapAnswer> Availability() => _soap.CallAsync("GetAvailability", ("performanceId", 1001));

    [Fact]
    public async Task EnterAsync_Outage_SoapCallsGetAServer503Fault()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        var answer = await Availability();

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("soap:Server", answer.Fault!.Element("faultcode")!.Value);
        Assert.Equal(503, answer.FaultCode);
        Assert.Empty(Wsdl.ValidateBodyContent(answer.Document!));
        var stats = await _host.Control.GetStatsAsync();
        Assert.Equal(1, stats.FaultsInjected);
        Assert.Equal(1, stats.Calls["GetAvailability"]);
    }

    [Fact]
    public async Task EnterAsync_Outage_XmlRpcCallsGetA503FaultResponse()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        var answer = await _rpc.CallAsync("venue.getPerformances");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(503, answer.FaultCode);
    }

    [Fact]
    public async Task EnterAsync_Outage_LeavesWsdlAndControlApiAlone()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true, MaxConcurrentCalls = 0 });

        using var wsdl = await _http.GetAsync(new Uri(_host.SoapUrl + "?wsdl"));
        var stats = await _host.Control.GetStatsAsync();

        Assert.Equal(HttpStatusCode.OK, wsdl.StatusCode);
        Assert.Equal(0, stats.FaultsInjected);
    }

    [Fact]
    public async Task EnterAsync_ErrorRateOne_EveryCallFails503()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { ErrorRate = 1.0 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Availability()));

        Assert.All(answers, a => Assert.Equal(503, a.FaultCode));
        Assert.Equal(5, (await _host.Control.GetStatsAsync()).FaultsInjected);
    }

    [Fact]
    public async Task EnterAsync_ErrorRateZero_NoCallFails()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { ErrorRate = 0 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Availability()));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
    }

    [Fact]
    public async Task EnterAsync_Latency_DelaysTheAnswerInRealTimeWhileTheMockClockIsFrozen()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 400 });
        var watch = Stopwatch.StartNew();

        var answer = await Availability();

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(watch.ElapsedMilliseconds >= 380, $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task EnterAsync_Hang_NoAnswerUntilTheCallerGivesUp()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Hang = true });
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(400) };
        var soap = new SoapTestClient(impatient, _host.SoapUrl);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => soap.CallAsync("GetPerformances"));

        var stats = await WaitForStatsAsync(s => s.CurrentConcurrency == 0);
        Assert.Equal(1, stats.FaultsInjected);
        Assert.Equal(1, stats.Calls["GetPerformances"]);
        Assert.Equal(1, stats.MaxConcurrency);
    }

    [Fact]
    public async Task EnterAsync_HangWhileTheHostStops_AnswersA503()
    {
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        using var stopping = new CancellationTokenSource();
        lifetime.ApplicationStopping.Returns(stopping.Token);
        var injector = new FaultInjector(new BackendStats(), lifetime, NullLogger<FaultInjector>.Instance)
        {
            Settings = new FaultSettings { Hang = true },
        };

        var call = injector.EnterAsync(VenueOperations.Checkout, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(call.IsCompleted);
        await stopping.CancelAsync();

        var fault = await Assert.ThrowsAsync<VenueFaultException>(() => call);
        Assert.Equal(503, fault.Code);
        Assert.Equal(0, injector.CurrentConcurrency);
    }

    [Fact]
    public async Task EnterAsync_MaxConcurrentCalls_RefusesTheExcessAtOnce()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { MaxConcurrentCalls = 2, LatencyMs = 1500 });
        var watch = Stopwatch.StartNew();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Availability()));

        Assert.Equal(2, answers.Count(a => a.Status == HttpStatusCode.OK));
        var refused = answers.Where(a => a.Status != HttpStatusCode.OK).ToList();
        Assert.Equal(4, refused.Count);
        Assert.All(refused, a => Assert.Equal((503, "soap:Server"), (a.FaultCode, a.Fault!.Element("faultcode")!.Value)));
        var stats = await _host.Control.GetStatsAsync();
        Assert.Equal(4, stats.Rejected);
        Assert.Equal(2, stats.MaxConcurrency);
        Assert.Equal(6, stats.Calls["GetAvailability"]);
        Assert.Equal(0, stats.FaultsInjected);
    }

    [Fact]
    public async Task EnterAsync_MaxCallsPerSecond_RefusesCallsBeyondTheWindow()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { MaxCallsPerSecond = 3 });

        var answers = new List<XmlRpcAnswer>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add(await _rpc.CallAsync("venue.getAvailability", 1001));
        }

        // Ten quick calls span at most two one-second windows, so at most six get through.
        var refused = answers.Count(a => a.FaultCode == 503);
        Assert.True(refused >= 4, $"only {refused} refused");
        Assert.Equal(10, answers.Count(a => a.FaultCode is null or 503));
        Assert.Equal(refused, (await _host.Control.GetStatsAsync()).Rejected);
    }

    [Fact]
    public async Task EnterAsync_OperationsFilter_FaultsOnlyTheNamedOperations()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true, Operations = ["Checkout"] });
        var key = await _soap.NewSessionKeyAsync();
        var hold = await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 1));

        var checkout = await _soap.CallAsync("Checkout", ("sessionKey", key), ("paymentToken", "tok_visa"), ("clientReference", "f-1"));
        var rpcCheckout = await _rpc.CallAsync("venue.checkout", key, "tok_visa", "f-1");

        Assert.Equal(HttpStatusCode.OK, hold.Status);
        Assert.Equal(503, checkout.FaultCode);
        Assert.Equal(503, rpcCheckout.FaultCode);
        Assert.Equal(2, (await _host.Control.GetStatsAsync()).FaultsInjected);
    }

    [Fact]
    public async Task EnterAsync_OperationsFilter_CapacityLimitsStillApplyToEveryOperation()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { MaxConcurrentCalls = 0, Operations = ["Checkout"] });

        var answer = await Availability();

        Assert.Equal(503, answer.FaultCode);
        Assert.Equal(1, (await _host.Control.GetStatsAsync()).Rejected);
    }

    [Fact]
    public async Task EnterAsync_CapacityAndOutage_CapacityIsCheckedFirst()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { MaxConcurrentCalls = 0, Outage = true });

        await Availability();

        var stats = await _host.Control.GetStatsAsync();
        Assert.Equal((1L, 0L), (stats.Rejected, stats.FaultsInjected));
    }

    [Fact]
    public async Task EnterAsync_OutageAndLatency_OutageAnswersFast()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true, LatencyMs = 5000 });
        var watch = Stopwatch.StartNew();

        var answer = await Availability();

        Assert.Equal(503, answer.FaultCode);
        Assert.True(watch.ElapsedMilliseconds < 3000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task EnterAsync_UnparsableRequests_AreNotCountedAsCalls()
    {
        await _host.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        var rpc = await _rpc.SendAsync("garbage");
        var unknown = await _rpc.CallAsync("venue.unknown");

        Assert.Equal((-32700, -32601), (rpc.FaultCode!.Value, unknown.FaultCode!.Value));
        var stats = await _host.Control.GetStatsAsync();
        Assert.All(stats.Calls.Values, n => Assert.Equal(0, n));
    }

    private async Task<MockStats> WaitForStatsAsync(Func<MockStats, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var stats = await _host.Control.GetStatsAsync();
            if (condition(stats) || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                return stats;
            }

            await Task.Delay(20);
        }
    }
}
