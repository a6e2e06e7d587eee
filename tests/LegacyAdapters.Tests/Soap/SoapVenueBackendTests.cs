using System.Xml.Linq;
using OnSale.LegacyAdapters.Soap;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.Soap;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OnSale.LegacyAdapters.Tests.Soap;

/// <summary>What WCF's client puts on the wire is what the WSDL describes, and what only the SOAP binding has to handle.</summary>
public sealed class SoapVenueBackendTests : IDisposable
{
    private readonly WireMockServer _stub = WireMockLoopback.Start();

    public static TheoryData<VenueOperation> Operations => [.. Enum.GetValues<VenueOperation>()];

    private Uri Endpoint => new(_stub.Url + "/VenueService.svc");

    public void Dispose() => _stub.Dispose();

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Request_EveryOperation_ValidatesAgainstTheWsdlSchema(VenueOperation operation)
    {
        var request = await CaptureRequestAsync(operation);

        Assert.Equal($"\"urn:venue-backend:v1/IVenueService/{operation}\"", request.Headers!["SOAPAction"].ToString());
        Assert.Empty(WsdlSchema.ValidateBody(request.Body!));
    }

    [Fact]
    public async Task Request_ParametersSwapped_FailsSchemaValidation()
    {
        // Proves the check above can fail: the WSDL's sequence fixes the order of the parameters.
        var envelope = XDocument.Parse((await CaptureRequestAsync(VenueOperation.ReleaseTickets)).Body!);
        var wrapper = envelope.Descendants(XName.Get("ReleaseTickets", "urn:venue-backend:v1")).Single();
        var first = wrapper.Elements().First();
        first.Remove();
        wrapper.Add(first);

        Assert.NotEmpty(WsdlSchema.ValidateBody(envelope.ToString()));
    }

    [Fact]
    public async Task Request_TextWithMarkup_IsEscapedNotInjected()
    {
        var request = await CaptureRequestAsync(VenueOperation.FindOrder, clientReference: "r<&>\"'</clientReference>");

        var wrapper = XDocument.Parse(request.Body!).Descendants(XName.Get("FindOrder", "urn:venue-backend:v1")).Single();
        Assert.Equal("r<&>\"'</clientReference>", Assert.Single(wrapper.Elements()).Value);
    }

    [Fact]
    public async Task Construction_WarmsUpWithoutTheNetwork()
    {
        // The warm-up call runs WCF's whole client path once, answered in process.
        var (backend, services) = TestBackends.Create(VenueBackendProtocol.Soap, Endpoint);
        await using var _ = services;

        Assert.IsType<SoapVenueBackend>(backend);
        Assert.Empty(_stub.LogEntries);
    }

    [Fact]
    public async Task GetPerformances_DatesWithAnOffset_ReturnTheSameInstantInUtc()
    {
        Answer(Xml(
            """<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetPerformancesResponse xmlns="urn:venue-backend:v1"><GetPerformancesResult><Performance><Id>7</Id><Title>Tosca</Title><Venue>Opera</Venue><StartsAt>2026-12-24T20:00:00+02:00</StartsAt><OnSaleAt>2026-12-01T09:00:00Z</OnSaleAt></Performance></GetPerformancesResult></GetPerformancesResponse></s:Body></s:Envelope>"""));
        var (backend, services) = TestBackends.Create(VenueBackendProtocol.Soap, Endpoint);
        await using var _ = services;

        var performance = Assert.Single(await backend.GetPerformancesAsync());

        Assert.Equal(new DateTimeOffset(2026, 12, 24, 18, 0, 0, TimeSpan.Zero), performance.StartsAt);
        Assert.Equal(TimeSpan.Zero, performance.StartsAt.Offset);
        Assert.Equal(TimeSpan.Zero, performance.OnSaleAt.Offset);
    }

    [Fact]
    public async Task GetAvailability_EmptyChunkedAnswer_ThrowsProtocolError()
    {
        // WCF itself fails on this one with a NullReferenceException; the caller must still get a typed error.
        Answer(Xml(string.Empty));
        var (backend, services) = TestBackends.Create(VenueBackendProtocol.Soap, Endpoint);
        await using var _ = services;

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => backend.GetAvailabilityAsync(1001));

        Assert.Equal(VenueOperation.GetAvailability, error.Operation);
    }

    [Fact]
    public async Task GetAvailability_EmptySoapBody_ThrowsProtocolError()
    {
        Answer(Xml("""<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>"""));
        var (backend, services) = TestBackends.Create(VenueBackendProtocol.Soap, Endpoint);
        await using var _ = services;

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => backend.GetAvailabilityAsync(1001));

        Assert.Equal("GetAvailability: the SOAP Body is empty.", error.Message);
    }

    [Fact]
    public async Task GetNewSessionKey_EmptyKey_ThrowsProtocolError()
    {
        Answer(Xml(
            """<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetNewSessionKeyResponse xmlns="urn:venue-backend:v1"><GetNewSessionKeyResult></GetNewSessionKeyResult></GetNewSessionKeyResponse></s:Body></s:Envelope>"""));
        var (backend, services) = TestBackends.Create(VenueBackendProtocol.Soap, Endpoint);
        await using var _ = services;

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => backend.GetNewSessionKeyAsync());

        Assert.Equal(VenueOperation.GetNewSessionKey, error.Operation);
    }

    private static IResponseBuilder Xml(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/xml; charset=utf-8").WithBody(body);

    /// <summary>Every request gets <paramref name="response"/>.</summary>
    private void Answer(IResponseBuilder response) => _stub.Given(Request.Create().UsingAnyMethod()).RespondWith(response);

    // Calls the operation against a stub that refuses everything, and returns what WCF sent.
    private async Task<IRequestMessage> CaptureRequestAsync(VenueOperation operation, string clientReference = "ref-1")
    {
        Answer(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "text/plain").WithBody("refused"));
        var (backend, services) = TestBackends.Create(VenueBackendProtocol.Soap, Endpoint);
        await using var _ = services;
        Task call = operation switch
        {
            VenueOperation.GetNewSessionKey => backend.GetNewSessionKeyAsync(),
            VenueOperation.GetPerformances => backend.GetPerformancesAsync(),
            VenueOperation.GetAvailability => backend.GetAvailabilityAsync(1001),
            VenueOperation.ReserveTickets => backend.ReserveTicketsAsync("key", 1001, 1, 2),
            VenueOperation.ReleaseTickets => backend.ReleaseTicketsAsync("key", 7),
            VenueOperation.Checkout => backend.CheckoutAsync("key", "tok_ok", clientReference),
            VenueOperation.FindOrder => backend.FindOrderAsync(clientReference),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        await Assert.ThrowsAsync<ProtocolErrorException>(() => call);
        return Assert.Single(_stub.LogEntries).RequestMessage;
    }
}
