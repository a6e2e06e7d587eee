using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OnSale.LegacyAdapters.Resilience;
using OnSale.LegacyAdapters.Soap;
using OnSale.LegacyAdapters.Tests.Hostile;
using OnSale.LegacyAdapters.XmlRpc;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;
using Polly;
using Polly.Retry;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OnSale.LegacyAdapters.Tests.DependencyInjection;

public sealed class VenueBackendServiceCollectionExtensionsTests
{
    [Theory]
    [InlineData("Soap", typeof(SoapVenueBackend))]
    [InlineData("XmlRpc", typeof(XmlRpcVenueBackend))]
    [InlineData(null, typeof(SoapVenueBackend))]
    public void AddVenueBackend_ProtocolFromConfiguration_PicksTheBinding(string? protocol, Type expected)
    {
        var services = new ServiceCollection();
        services.AddVenueBackend(Configuration(("Gateway:Backend:Protocol", protocol), ("Gateway:Backend:Url", "http://127.0.0.1:5090/endpoint")));
        using var provider = services.BuildServiceProvider();

        Assert.IsType(expected, provider.GetRequiredService<IVenueBackend>());
    }

    [Fact]
    public void AddVenueBackend_SoapOverHttps_ResolvesTheBinding()
    {
        // WCF refuses an https address on a binding without transport security; the URL's scheme picks it.
        var services = new ServiceCollection();
        services.AddVenueBackend(Configuration(("Gateway:Backend:Url", "https://venue-box.invalid/VenueService.svc")));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<SoapVenueBackend>(provider.GetRequiredService<IVenueBackend>());
    }

    [Theory]
    [InlineData(VenueBackendProtocol.Soap)]
    [InlineData(VenueBackendProtocol.XmlRpc)]
    public async Task HttpClient_HandlerAddedByTheHost_SeesEveryCall(VenueBackendProtocol protocol)
    {
        await using var mock = await MockBackendHost.StartAsync();
        var seen = new ConcurrentQueue<HttpRequestMessage>();
        var services = new ServiceCollection();
        services.AddVenueBackend(o =>
        {
            o.Protocol = protocol;
            o.Url = protocol == VenueBackendProtocol.Soap ? mock.SoapUrl : mock.XmlRpcUrl;
        }).HttpClient.AddHttpMessageHandler(() => new RecordingHandler(seen));
        await using var provider = services.BuildServiceProvider();
        var backend = provider.GetRequiredService<IVenueBackend>();

        await backend.GetAvailabilityAsync(1001);
        await backend.GetNewSessionKeyAsync();

        Assert.Equal(2, seen.Count);
        Assert.All(seen, request => Assert.Equal(mock.BaseAddress.Authority, request.RequestUri!.Authority));
        if (protocol == VenueBackendProtocol.Soap)
        {
            Assert.Equal(
                ["\"urn:venue-backend:v1/IVenueService/GetAvailability\"", "\"urn:venue-backend:v1/IVenueService/GetNewSessionKey\""],
                seen.Select(request => request.Headers.GetValues("SOAPAction").Single()));
        }

        var calls = (await mock.Control.GetStatsAsync()).Calls;
        Assert.Equal((1, 1), (calls["GetAvailability"], calls["GetNewSessionKey"]));
    }

    [Fact]
    public void AddVenueBackend_CustomSection_BindsIt()
    {
        var services = new ServiceCollection();
        services.AddVenueBackend(Configuration(("Box:Protocol", "XmlRpc"), ("Box:Url", "http://127.0.0.1:1/RPC2"), ("Box:Timeout", "00:00:03")), "Box");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<VenueBackendOptions>>().Value;
        Assert.Equal((VenueBackendProtocol.XmlRpc, TimeSpan.FromSeconds(3)), (options.Protocol, options.Timeout));
    }

    [Fact]
    public async Task HostStart_UrlMissing_FailsFastNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddVenueBackend(Configuration(("Gateway:Backend:Protocol", "Soap")));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Gateway:Backend:Url is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/VenueService.svc")]
    [InlineData("ftp://venue-box/VenueService.svc")]
    public async Task HostStart_UrlNotAbsoluteHttp_FailsFast(string url)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddVenueBackend(Configuration(("Gateway:Backend:Url", url)));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("absolute http or https URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddResiliencePipeline_RetryForSafeOperationsOnly_RetriesReadsNeverReservations()
    {
        using var stub = WireMockLoopback.Start();
        // The first call of a turn is answered busy, every later one with zones.
        stub.Given(Request.Create().UsingPost()).InScenario("turn").WillSetStateTo("busy answered").RespondWith(Xml(WireSamples.XmlRpcFault(503, "busy")));
        stub.Given(Request.Create().UsingPost()).InScenario("turn").WhenStateIs("busy answered").RespondWith(Xml(WireSamples.XmlRpcAvailability));
        var seen = new List<VenueOperation>();
        var services = new ServiceCollection();
        services.AddVenueBackend(o =>
        {
            o.Protocol = VenueBackendProtocol.XmlRpc;
            o.Url = new Uri(stub.Url + "/RPC2");
        }).AddResiliencePipeline((_, operation) =>
        {
            var builder = new ResiliencePipelineBuilder().AddStrategy(
                _ => new RecordingStrategy(seen), new RecordingStrategyOptions());
            return operation.IsSafeToRetry()
                ? builder.AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.Zero,
                    ShouldHandle = new PredicateBuilder().Handle<BackendUnavailableException>(),
                }).Build()
                : builder.Build();
        });
        await using var provider = services.BuildServiceProvider();
        var backend = provider.GetRequiredService<IVenueBackend>();

        var zones = await backend.GetAvailabilityAsync(1001);
        var readCalls = stub.LogEntries.Count();

        stub.ResetScenario("turn");
        await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.ReserveTicketsAsync("key", 1001, 1, 2));

        Assert.Equal(2, zones.Count);
        Assert.Equal(2, readCalls);
        Assert.Equal(3, stub.LogEntries.Count());
        Assert.Equal([VenueOperation.GetAvailability, VenueOperation.ReserveTickets], seen);
    }

    private static IResponseBuilder Xml(string body) =>
        Response.Create().WithHeader("Content-Type", "text/xml; charset=utf-8").WithBody(body);

    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    private sealed class RecordingStrategyOptions : ResilienceStrategyOptions;

    private sealed class RecordingHandler(ConcurrentQueue<HttpRequestMessage> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Enqueue(request);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Records which operation each pipeline run was for, read from the context as a custom strategy would.</summary>
    private sealed class RecordingStrategy(List<VenueOperation> seen) : ResilienceStrategy
    {
        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            seen.Add(context.Properties.GetValue(VenueResilienceKeys.Operation, default));
            Assert.Equal("venue." + seen[^1], context.OperationKey);
            return callback(context, state);
        }
    }
}
