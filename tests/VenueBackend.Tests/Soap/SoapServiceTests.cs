using System.Net;
using System.Xml.Linq;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Mocks.VenueBackend.Tests.Soap;

public sealed class SoapServiceTests : IAsyncLifetime
{
    private static readonly XNamespace Tns = Wsdl.Tns;
    private readonly FakeTimeProvider _time = new(TestInventory.Start);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MockBackendHost _host = null!;
    private SoapTestClient _soap = null!;

    public async Task InitializeAsync()
    {
        _host = await MockBackendHost.StartAsync(_time);
        _soap = new SoapTestClient(_http, _host.SoapUrl);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task HandleAsync_ExampleGetAvailabilityRequest_AnswersTheExampleResponse()
    {
        var answer = await _soap.CallAsync("GetAvailability", ("performanceId", 1001));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("text/xml; charset=utf-8", answer.ContentType);
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><GetAvailabilityResponse xmlns=\"urn:venue-backend:v1\"><GetAvailabilityResult><Zone><ZoneId>1</ZoneId><Name>Stalls</Name><PriceCents>8500</PriceCents><Capacity>400</Capacity><Available>400</Available></Zone><Zone><ZoneId>2</ZoneId><Name>Balcony</Name><PriceCents>4500</PriceCents><Capacity>200</Capacity><Available>200</Available></Zone></GetAvailabilityResult></GetAvailabilityResponse></soap:Body></soap:Envelope>",
            answer.Body);
    }

    [Fact]
    public async Task HandleAsync_EveryOperation_AnswersValidAgainstTheWsdlSchema()
    {
        var answers = new List<(string Operation, SoapAnswer Answer)>();
        async Task<SoapAnswer> Call(string operation, params (string, object)[] parameters)
        {
            var answer = await _soap.CallAsync(operation, parameters);
            answers.Add((operation, answer));
            return answer;
        }

        var key = (await Call("GetNewSessionKey")).Result("GetNewSessionKey").Value;
        await Call("GetPerformances");
        await Call("GetAvailability", ("performanceId", 1002));
        var hold = (await Call("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 2))).Result("ReserveTickets");
        await Call("ReleaseTickets", ("sessionKey", key), ("lineItemId", hold.Element(Tns + "LineItemId")!.Value));
        await Call("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 2), ("quantity", 3));
        await Call("Checkout", ("sessionKey", key), ("paymentToken", "tok_visa"), ("clientReference", "ref-soap-1"));
        await Call("FindOrder", ("clientReference", "ref-soap-1"));

        Assert.Equal(8, answers.Count);
        Assert.All(answers, a =>
        {
            Assert.True(a.Answer.Status == HttpStatusCode.OK, $"{a.Operation}: HTTP {(int)a.Answer.Status} {a.Answer.Body}");
            Assert.Equal("text/xml; charset=utf-8", a.Answer.ContentType);
            Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>", a.Answer.Body, StringComparison.Ordinal);
            Assert.Empty(Wsdl.ValidateBodyContent(a.Answer.Document!));
        });
    }

    [Fact]
    public async Task HandleAsync_GetNewSessionKey_Returns32HexCharacters()
    {
        Assert.Matches("^[0-9a-f]{32}$", await _soap.NewSessionKeyAsync());
    }

    [Fact]
    public async Task HandleAsync_GetPerformances_ReturnsTheSeedWithUtcTimes()
    {
        var result = (await _soap.CallAsync("GetPerformances")).Result("GetPerformances");

        var performances = result.Elements(Tns + "Performance").ToList();
        Assert.Equal(["1001", "1002", "1003", "2001"], performances.Select(p => p.Element(Tns + "Id")!.Value));
        var stadium = performances[3];
        Assert.Equal("Stadium Tour 2027", stadium.Element(Tns + "Title")!.Value);
        Assert.Equal("City Arena", stadium.Element(Tns + "Venue")!.Value);
        Assert.Equal("2026-11-22T09:02:00Z", stadium.Element(Tns + "OnSaleAt")!.Value);
    }

    [Fact]
    public async Task HandleAsync_ReserveTickets_ReturnsHoldWithSeatsAndExpiry()
    {
        var key = await _soap.NewSessionKeyAsync();

        var hold = (await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 2))).Result("ReserveTickets");

        Assert.Equal(["LineItemId", "PerformanceId", "ZoneId", "Quantity", "Seats", "ExpiresAt"], hold.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["A-1", "A-2"], hold.Element(Tns + "Seats")!.Elements(Tns + "string").Select(s => s.Value));
        Assert.Equal("2026-11-22T09:10:00Z", hold.Element(Tns + "ExpiresAt")!.Value);
    }

    [Fact]
    public async Task HandleAsync_Checkout_ReturnsOrderElementsInWsdlOrder()
    {
        var key = await _soap.NewSessionKeyAsync();
        await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1003), ("zoneId", 1), ("quantity", 2));

        var order = (await _soap.CallAsync("Checkout", ("sessionKey", key), ("paymentToken", "tok_visa"), ("clientReference", "r1"))).Result("Checkout");

        Assert.Equal(["OrderId", "ClientReference", "PerformanceId", "ZoneId", "Seats", "TotalCents"], order.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("50001", order.Element(Tns + "OrderId")!.Value);
        Assert.Equal("5000", order.Element(Tns + "TotalCents")!.Value);
    }

    [Fact]
    public async Task HandleAsync_ReleaseTickets_ReturnsXsBooleanTrue()
    {
        var key = await _soap.NewSessionKeyAsync();
        var hold = (await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 1))).Result("ReserveTickets");

        var result = (await _soap.CallAsync("ReleaseTickets", ("sessionKey", key), ("lineItemId", hold.Element(Tns + "LineItemId")!.Value))).Result("ReleaseTickets");

        Assert.Equal("true", result.Value);
    }

    [Fact]
    public async Task HandleAsync_InvalidQuantity_AnswersTheExamplesFault()
    {
        var key = await _soap.NewSessionKeyAsync();

        var answer = await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 0));

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("text/xml; charset=utf-8", answer.ContentType);
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>quantity must be between 1 and 10</faultstring><detail><VenueFault xmlns=\"urn:venue-backend:v1\"><Code>422</Code><Message>quantity must be between 1 and 10</Message></VenueFault></detail></soap:Fault></soap:Body></soap:Envelope>",
            answer.Body);
    }

    [Theory]
    [InlineData("FindOrder", 404)]
    [InlineData("ReserveTickets", 101)]
    [InlineData("Checkout", 101)]
    public async Task HandleAsync_FaultingOperation_AnswersSoapClientFaultWithVenueFaultDetail(string operation, int code)
    {
        (string, object)[] parameters = operation switch
        {
            "FindOrder" => [("clientReference", "missing")],
            "ReserveTickets" => [("sessionKey", "nope"), ("performanceId", 1001), ("zoneId", 1), ("quantity", 1)],
            _ => [("sessionKey", "nope"), ("paymentToken", "tok"), ("clientReference", "r")],
        };

        var answer = await _soap.CallAsync(operation, parameters);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("soap:Client", answer.Fault!.Element("faultcode")!.Value);
        Assert.Equal(code, answer.FaultCode);
        Assert.Equal(answer.FaultMessage, answer.Fault.Element("faultstring")!.Value);
        Assert.Empty(Wsdl.ValidateBodyContent(answer.Document!));
    }

    [Fact]
    public async Task HandleAsync_NotEnoughSeats_Faults201WithTheCount()
    {
        await _host.Control.SetAvailableAsync(1003, 1, 3);
        var key = await _soap.NewSessionKeyAsync();

        var answer = await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1003), ("zoneId", 1), ("quantity", 4));

        Assert.Equal(201, answer.FaultCode);
        Assert.Equal("Not enough seats: 3 available", answer.FaultMessage);
    }

    [Fact]
    public async Task HandleAsync_SoapActionDisagreesWithBody_FaultsClient422()
    {
        var envelope = SoapTestClient.Envelope("GetAvailability", ("performanceId", 1001));

        var answer = await _soap.SendAsync(envelope, "\"urn:venue-backend:v1/IVenueService/GetPerformances\"");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("soap:Client", answer.Fault!.Element("faultcode")!.Value);
        Assert.Equal(422, answer.FaultCode);
    }

    [Fact]
    public async Task HandleAsync_NoSoapAction_UsesTheBodyElement()
    {
        var answer = await _soap.SendAsync(SoapTestClient.Envelope("GetAvailability", ("performanceId", 1003)), soapAction: null);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Single(answer.Result("GetAvailability").Elements(Tns + "Zone"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/soap+xml; charset=utf-8")]
    [InlineData("text/plain")]
    public async Task HandleAsync_ContentTypeNotTextXml_Answers415WithSoapFault(string contentType)
    {
        var answer = await _soap.SendAsync(SoapTestClient.Envelope("GetPerformances"), "\"urn:venue-backend:v1/IVenueService/GetPerformances\"", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal(422, answer.FaultCode);
        Assert.Contains("text/xml", answer.FaultMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_TextXmlWithoutCharset_IsAccepted()
    {
        var answer = await _soap.SendAsync(SoapTestClient.Envelope("GetPerformances"), null, "text/xml");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task HandleAsync_DoctypeWithEntities_FaultsClient422AndNeverExpands()
    {
        const string Bomb = """
            <?xml version="1.0" encoding="utf-8"?>
            <!DOCTYPE r [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindOrder xmlns="urn:venue-backend:v1"><clientReference>&c;</clientReference></FindOrder></soap:Body></soap:Envelope>
            """;

        var answer = await _soap.SendAsync(Bomb, null);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("soap:Client", answer.Fault!.Element("faultcode")!.Value);
        Assert.Equal(422, answer.FaultCode);
        Assert.DoesNotContain("aaaaaaaaaa", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ExternalEntity_IsRefused()
    {
        const string Xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindOrder xmlns="urn:venue-backend:v1"><clientReference>&x;</clientReference></FindOrder></soap:Body></soap:Envelope>
            """;

        var answer = await _soap.SendAsync(Xxe, null);

        Assert.Equal(422, answer.FaultCode);
        Assert.DoesNotContain("root:", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_BodyOver1MiB_Answers413()
    {
        var huge = SoapTestClient.Envelope("FindOrder", ("clientReference", new string('x', (1024 * 1024) + 1)));

        var answer = await _soap.SendAsync(huge, null);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal(422, answer.FaultCode);
    }

    [Fact]
    public async Task HandleAsync_MissingParameter_Faults422()
    {
        var answer = await _soap.CallAsync("ReserveTickets", ("sessionKey", "k"), ("performanceId", 1001), ("zoneId", 1));

        Assert.Equal(422, answer.FaultCode);
        Assert.Contains("quantity", answer.FaultMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_NonIntegerParameter_Faults422()
    {
        var answer = await _soap.CallAsync("GetAvailability", ("performanceId", "one"));

        Assert.Equal(422, answer.FaultCode);
        Assert.Equal("Parameter 'performanceId' must be an integer (xs:int), got 'one'", answer.FaultMessage);
    }

    [Fact]
    public async Task HandleAsync_HoldExpiresOnTheMockClock_CheckoutFaults302()
    {
        var key = await _soap.NewSessionKeyAsync();
        await _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 2));
        _time.Advance(TimeSpan.FromMinutes(10));

        var answer = await _soap.CallAsync("Checkout", ("sessionKey", key), ("paymentToken", "tok_visa"), ("clientReference", "late"));

        Assert.Equal(302, answer.FaultCode);
    }

    [Fact]
    public async Task HandleAsync_200ParallelBuyersForTheLast10Seats_ExactlyTenGetSeats()
    {
        await _host.Control.SetAvailableAsync(1001, 1, 10);
        var keys = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => _soap.NewSessionKeyAsync()));

        var answers = await Task.WhenAll(keys.Select(key =>
            _soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1001), ("zoneId", 1), ("quantity", 1))));
        var winners = keys.Zip(answers).Where(p => p.Second.Status == HttpStatusCode.OK).ToList();
        var checkouts = await Task.WhenAll(winners.Select((w, i) =>
            _soap.CallAsync("Checkout", ("sessionKey", w.First), ("paymentToken", "tok_visa"), ("clientReference", $"par-{i}"))));

        Assert.Equal(10, winners.Count);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => Assert.Equal(201, a.FaultCode));
        Assert.All(checkouts, c => Assert.Equal(HttpStatusCode.OK, c.Status));
        var stats = await _host.Control.GetStatsAsync();
        Assert.Equal(10, stats.SeatsSold["1001"]["1"]);
        Assert.Equal(0, stats.Oversold);
        Assert.Equal(10, (await _host.Control.GetOrdersAsync()).SelectMany(o => o.Seats).Distinct().Count());
    }
}
