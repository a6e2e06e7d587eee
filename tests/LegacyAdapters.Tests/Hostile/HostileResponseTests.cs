using System.Text;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OnSale.LegacyAdapters.Tests.Hostile;

/// <summary>
/// What the mock cannot easily produce: broken, hostile and wrongly labelled answers scripted in WireMock.Net on
/// loopback (slow answers are the mock's own latency). Whatever comes back, the caller gets a typed
/// <see cref="VenueBackendException"/>, quickly.
/// </summary>
public sealed class HostileResponseTests : IDisposable
{
    private WireMockServer _stub = WireMockLoopback.Start();

    public static TheoryData<VenueBackendProtocol> Protocols => [VenueBackendProtocol.Soap, VenueBackendProtocol.XmlRpc];

    public void Dispose() => _stub.Dispose();

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_WellFormedAnswer_DecodesZones(VenueBackendProtocol protocol)
    {
        Answer(Xml(WireSamples.Availability(protocol)));

        var zones = await CallAsync(protocol);

        Assert.Equal(WireSamples.ExpectedZones, zones);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_MalformedXml_ThrowsProtocolError(VenueBackendProtocol protocol)
    {
        Answer(Xml(WireSamples.Availability(protocol)[..200]));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Contains("not well-formed", error.Message, StringComparison.Ordinal);
        Assert.Equal(VenueOperation.GetAvailability, error.Operation);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_JsonContentType_ThrowsProtocolError(VenueBackendProtocol protocol)
    {
        Answer(Text("""{"zones":[]}""", "application/json"));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Contains("application/json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_HtmlErrorPageFromProxy_ThrowsBackendUnavailable(VenueBackendProtocol protocol)
    {
        Answer(Text("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", 502));

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => CallAsync(protocol));

        Assert.Null(error.FaultCode);
        Assert.Contains("HTTP 502", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_HtmlPageWithStatus200_ThrowsProtocolError(VenueBackendProtocol protocol)
    {
        Answer(Text("<html><body>Maintenance tonight</body></html>", "text/html"));

        await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_AnswerSlowerThanTimeout_ThrowsBackendTimeout(VenueBackendProtocol protocol)
    {
        // The answer is valid but comes after 30 s: only the adapter's own timeout can turn this into an exception.
        await using var mock = await MockBackendHost.StartAsync();
        await mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 30_000 });

        var error = await Assert.ThrowsAsync<BackendTimeoutException>(() => CallAsync(protocol, timeout: TimeSpan.FromMilliseconds(250), url: Endpoint(mock, protocol)));

        Assert.Equal(TimeSpan.FromMilliseconds(250), error.Timeout);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_CallerCancels_ThrowsOperationCanceledNotTimeout(VenueBackendProtocol protocol)
    {
        await using var mock = await MockBackendHost.StartAsync();
        await mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 30_000 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CallAsync(protocol, cancellationToken: cancel.Token, url: Endpoint(mock, protocol)));

        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_BillionLaughs_ThrowsProtocolErrorWithoutExpanding(VenueBackendProtocol protocol)
    {
        var root = protocol == VenueBackendProtocol.Soap ? "Envelope" : "methodResponse";
        Answer(Xml(WireSamples.BillionLaughs(root)));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
        // Expanding would take gigabytes; refusing at the DOCTYPE allocates next to nothing.
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, 0, 64L * 1024 * 1024);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_ExternalEntity_ThrowsProtocolErrorWithoutReadingTheFile(VenueBackendProtocol protocol)
    {
        Answer(Xml(WireSamples.ExternalEntity(protocol)));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_AnswerLargerThanLimit_ThrowsProtocolError(VenueBackendProtocol protocol)
    {
        var padding = new string(' ', 2 * 1024 * 1024);
        Answer(Xml(WireSamples.Availability(protocol).Replace("Stalls", "Stalls" + padding, StringComparison.Ordinal)));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol, maxResponseBytes: 1024 * 1024));

        Assert.Contains("larger than the limit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AnyCall_NothingListening_ThrowsBackendUnavailableWithoutFaultCode(VenueBackendProtocol protocol)
    {
        var closedPort = _stub.Ports[0];
        _stub.Dispose();
        _stub = WireMockLoopback.Start();
        var (backend, services) = TestBackends.Create(protocol, new Uri($"http://127.0.0.1:{closedPort}/endpoint"));
        await using var _ = services;

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.GetPerformancesAsync());

        Assert.Null(error.FaultCode);
        Assert.Contains("could not reach", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AnyCall_UnknownFaultCode_ThrowsProtocolErrorCarryingTheCode(VenueBackendProtocol protocol)
    {
        Answer(Xml(WireSamples.Fault(protocol, 999, "mystery"), WireSamples.FaultStatus(protocol)));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Equal(999, error.FaultCode);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AnyCall_NotEnoughSeatsFault_CarriesTheNumberAvailable(VenueBackendProtocol protocol)
    {
        Answer(Xml(WireSamples.Fault(protocol, 201, "Not enough seats: 7 available"), WireSamples.FaultStatus(protocol)));

        var error = await Assert.ThrowsAsync<NotEnoughSeatsException>(() => CallAsync(protocol));

        Assert.Equal(7, error.Available);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AnyCall_Busy503Fault_ThrowsBackendUnavailable(VenueBackendProtocol protocol)
    {
        var body = protocol == VenueBackendProtocol.Soap
            ? WireSamples.SoapFault(503, "Server too busy", "soap:Server")
            : WireSamples.XmlRpcFault(503, "Server too busy");
        Answer(Xml(body, WireSamples.FaultStatus(protocol)));

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => CallAsync(protocol));

        Assert.Equal(503, error.FaultCode);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_IntegerFieldHoldsText_ThrowsProtocolErrorNamingTheField(VenueBackendProtocol protocol)
    {
        var body = protocol == VenueBackendProtocol.Soap
            ? WireSamples.SoapAvailability.Replace("<Capacity>400</Capacity>", "<Capacity>lots</Capacity>", StringComparison.Ordinal)
            : WireSamples.XmlRpcAvailability.Replace("<int>400</int></value></member><member><name>available", "<string>400</string></value></member><member><name>available", StringComparison.Ordinal);
        Answer(Xml(body));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Contains("apacity", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_FieldMissing_ThrowsProtocolError(VenueBackendProtocol protocol)
    {
        var body = protocol == VenueBackendProtocol.Soap
            ? WireSamples.SoapAvailability.Replace("<PriceCents>8500</PriceCents>", string.Empty, StringComparison.Ordinal)
            : WireSamples.XmlRpcAvailability.Replace("<member><name>priceCents</name><value><int>8500</int></value></member>", string.Empty, StringComparison.Ordinal);
        Answer(Xml(body));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(protocol));

        Assert.Contains("riceCents", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Soap_ResponseInWrongNamespace_ThrowsProtocolError()
    {
        Answer(Xml(WireSamples.SoapAvailability.Replace("urn:venue-backend:v1", "urn:other:v9", StringComparison.Ordinal)));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(VenueBackendProtocol.Soap));

        Assert.Contains("urn:other:v9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Soap_Soap12Envelope_ThrowsProtocolError()
    {
        Answer(Xml(WireSamples.SoapAvailability.Replace("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", StringComparison.Ordinal)));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(VenueBackendProtocol.Soap));

        Assert.Contains("SOAP 1.2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Soap_ServerFaultWithoutDetail_ThrowsBackendUnavailable()
    {
        Answer(Xml(
            """<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>The server was unable to process the request due to an internal error.</faultstring></s:Fault></s:Body></s:Envelope>""",
            500));

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => CallAsync(VenueBackendProtocol.Soap));

        Assert.Contains("internal error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Soap_Request_CarriesSoapActionAndWrappedParameters()
    {
        Answer(Xml(WireSamples.SoapAvailability));

        await CallAsync(VenueBackendProtocol.Soap);

        var request = Assert.Single(_stub.LogEntries).RequestMessage;
        Assert.Equal("\"urn:venue-backend:v1/IVenueService/GetAvailability\"", request.Headers!["SOAPAction"].ToString());
        Assert.StartsWith("text/xml", request.Headers["Content-Type"].ToString(), StringComparison.Ordinal);
        Assert.Contains("""<GetAvailability xmlns="urn:venue-backend:v1"><performanceId>1001</performanceId></GetAvailability>""", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task XmlRpc_Request_IsAMethodCallWithTypedParameters()
    {
        Answer(Xml(WireSamples.XmlRpcAvailability));

        await CallAsync(VenueBackendProtocol.XmlRpc);

        var request = Assert.Single(_stub.LogEntries).RequestMessage;
        Assert.Equal(
            """<?xml version="1.0" encoding="utf-8"?><methodCall><methodName>venue.getAvailability</methodName><params><param><value><int>1001</int></value></param></params></methodCall>""",
            request.Body);
    }

    [Fact]
    public async Task XmlRpc_DeeplyNestedArrays_ThrowsProtocolError()
    {
        var nested = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            nested.Append("<value><array><data>");
        }

        for (var i = 0; i < 200; i++)
        {
            nested.Append("</data></array></value>");
        }

        Answer(Xml($"<?xml version=\"1.0\"?><methodResponse><params><param>{nested}</param></params></methodResponse>"));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(VenueBackendProtocol.XmlRpc));

        Assert.Contains("deeper", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value>", "twice")]
    [InlineData("<value><boolean>2</boolean></value>", "boolean")]
    [InlineData("<value><int>99999999999</int></value>", "int")]
    [InlineData("<value><frobnicate>1</frobnicate></value>", "unknown value type")]
    [InlineData("<value><int>1</int><int>2</int></value>", "exactly one")]
    public async Task XmlRpc_InvalidValue_ThrowsProtocolError(string value, string expected)
    {
        Answer(Xml($"<?xml version=\"1.0\"?><methodResponse><params><param>{value}</param></params></methodResponse>"));

        var error = await Assert.ThrowsAsync<ProtocolErrorException>(() => CallAsync(VenueBackendProtocol.XmlRpc));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task XmlRpc_FaultOnHttp500_StillThrowsTheTypedFault()
    {
        Answer(Xml(WireSamples.XmlRpcFault(101, "Session expired"), 500));

        await Assert.ThrowsAsync<SessionExpiredException>(() => CallAsync(VenueBackendProtocol.XmlRpc));
    }

    private static Uri Endpoint(MockBackendHost mock, VenueBackendProtocol protocol) =>
        protocol == VenueBackendProtocol.Soap ? mock.SoapUrl : mock.XmlRpcUrl;

    private static IResponseBuilder Xml(string body, int statusCode = 200) => Text(body, "text/xml; charset=utf-8", statusCode);

    private static IResponseBuilder Text(string body, string contentType, int statusCode = 200) =>
        Response.Create().WithStatusCode(statusCode).WithHeader("Content-Type", contentType).WithBody(body);

    /// <summary>Every request gets <paramref name="response"/>.</summary>
    private void Answer(IResponseBuilder response) => _stub.Given(Request.Create().UsingAnyMethod()).RespondWith(response);

    private async Task<IReadOnlyList<Zone>> CallAsync(
        VenueBackendProtocol protocol,
        TimeSpan? timeout = null,
        int? maxResponseBytes = null,
        CancellationToken cancellationToken = default,
        Uri? url = null)
    {
        url ??= new Uri(_stub.Url + (protocol == VenueBackendProtocol.Soap ? "/VenueService.svc" : "/RPC2"));
        var (backend, services) = TestBackends.Create(protocol, url, timeout, maxResponseBytes);
        await using var _ = services;
        return await backend.GetAvailabilityAsync(1001, cancellationToken);
    }
}
