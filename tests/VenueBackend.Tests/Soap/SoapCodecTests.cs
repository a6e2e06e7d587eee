using System.Text;
using System.Xml.Linq;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Soap;
using OnSale.Mocks.VenueBackend.Tests.Support;

namespace OnSale.Mocks.VenueBackend.Tests.Soap;

public class SoapCodecTests
{
    private const string Action = "\"urn:venue-backend:v1/IVenueService/GetAvailability\"";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("\"urn:venue-backend:v1/IVenueService/GetAvailability\"")]
    [InlineData("urn:venue-backend:v1/IVenueService/GetAvailability")]
    [InlineData(null)]
    [InlineData("\"\"")]
    public void ReadRequest_ExampleEnvelope_ResolvesTheOperation(string? action)
    {
        var request = SoapCodec.ReadRequest(Bytes(SoapTestClient.Envelope("GetAvailability", ("performanceId", 1001))), action);

        Assert.Equal("GetAvailability", request.Operation);
        Assert.Equal(1001, SoapCodec.ReadInt(request.Wrapper, "performanceId"));
    }

    [Fact]
    public void ReadRequest_ActionDisagreesWithBody_Faults422()
    {
        var envelope = SoapTestClient.Envelope("GetAvailability", ("performanceId", 1001));

        var fault = FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes(envelope), "\"urn:venue-backend:v1/IVenueService/FindOrder\""));
        Assert.Contains("FindOrder", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRequest_UnknownAction_Faults422()
    {
        var envelope = SoapTestClient.Envelope("GetAvailability", ("performanceId", 1001));

        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes(envelope), "\"urn:other/Thing\""));
    }

    [Fact]
    public void ReadRequest_BodyElementInAnotherNamespace_Faults422()
    {
        var envelope = SoapTestClient.Envelope("GetAvailability", ("performanceId", 1001)).Replace("xmlns=\"urn:venue-backend:v1\"", "xmlns=\"urn:wrong\"", StringComparison.Ordinal);

        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes(envelope), null));
        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes(envelope), Action));
    }

    [Fact]
    public void ReadRequest_Doctype_Faults422WithoutExpandingEntities()
    {
        const string Bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindOrder xmlns="urn:venue-backend:v1"><clientReference>&lol2;</clientReference></FindOrder></soap:Body></soap:Envelope>
            """;

        var fault = FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes(Bomb), null));
        Assert.Contains("DTD", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRequest_NotXml_Faults422()
    {
        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes("not xml"), Action));
    }

    [Fact]
    public void ReadRequest_NotAnEnvelope_Faults422()
    {
        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadRequest(Bytes("<GetAvailability xmlns=\"urn:venue-backend:v1\"/>"), Action));
    }

    [Fact]
    public void ReadInt_MissingParameter_Faults422NamingIt()
    {
        var wrapper = XElement.Parse("<GetAvailability xmlns=\"urn:venue-backend:v1\"/>");

        var fault = FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadInt(wrapper, "performanceId"));
        Assert.Equal("Missing parameter 'performanceId' (element {urn:venue-backend:v1}performanceId)", fault.Message);
    }

    [Fact]
    public void ReadInt_NotAnInteger_Faults422()
    {
        var wrapper = XElement.Parse("<GetAvailability xmlns=\"urn:venue-backend:v1\"><performanceId>abc</performanceId></GetAvailability>");

        var fault = FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadInt(wrapper, "performanceId"));
        Assert.Equal("Parameter 'performanceId' must be an integer (xs:int), got 'abc'", fault.Message);
    }

    [Fact]
    public void ReadInt_UnqualifiedParameter_Faults422()
    {
        var wrapper = XElement.Parse("<GetAvailability xmlns=\"urn:venue-backend:v1\"><performanceId xmlns=\"\">1001</performanceId></GetAvailability>");

        FaultAssert.Throws(VenueFaultCodes.InvalidArgument, () => SoapCodec.ReadInt(wrapper, "performanceId"));
    }

    [Fact]
    public void WriteResponse_Zones_IsByteForByteTheExamplesResponseWithoutTheUnusedTnsDeclaration()
    {
        var bytes = SoapCodec.WriteResponse("GetAvailability", writer => SoapCodec.WriteZones(writer,
        [
            new ZoneInfo(1, "Stalls", 8500, 400, 400),
            new ZoneInfo(2, "Balcony", 4500, 200, 200),
        ]));

        const string Expected = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><GetAvailabilityResponse xmlns=\"urn:venue-backend:v1\"><GetAvailabilityResult><Zone><ZoneId>1</ZoneId><Name>Stalls</Name><PriceCents>8500</PriceCents><Capacity>400</Capacity><Available>400</Available></Zone><Zone><ZoneId>2</ZoneId><Name>Balcony</Name><PriceCents>4500</PriceCents><Capacity>200</Capacity><Available>200</Available></Zone></GetAvailabilityResult></GetAvailabilityResponse></soap:Body></soap:Envelope>";
        Assert.Equal(Expected, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void WriteFault_ClientCode_IsByteForByteTheExamplesFault()
    {
        var bytes = SoapCodec.WriteFault(422, "quantity must be between 1 and 10");

        const string Expected = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>quantity must be between 1 and 10</faultstring><detail><VenueFault xmlns=\"urn:venue-backend:v1\"><Code>422</Code><Message>quantity must be between 1 and 10</Message></VenueFault></detail></soap:Fault></soap:Body></soap:Envelope>";
        Assert.Equal(Expected, Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData(503, "soap:Server")]
    [InlineData(101, "soap:Client")]
    [InlineData(201, "soap:Client")]
    [InlineData(404, "soap:Client")]
    public void WriteFault_Code_ChoosesServerOnlyFor503(int code, string faultCode)
    {
        var document = XDocument.Parse(Encoding.UTF8.GetString(SoapCodec.WriteFault(code, "m")));

        Assert.Equal(faultCode, document.Descendants("faultcode").Single().Value);
        Assert.Empty(Wsdl.ValidateBodyContent(document));
    }

    [Fact]
    public void WriteResponse_HoldWithEscapableText_EscapesAndValidates()
    {
        var bytes = SoapCodec.WriteResponse("ReserveTickets", writer => SoapCodec.WriteHold(
            writer,
            new HoldInfo(7, 1001, 1, 2, ["A-1", "<&>"], new DateTimeOffset(2026, 11, 22, 10, 0, 0, 500, TimeSpan.FromHours(1)))));
        var document = XDocument.Parse(Encoding.UTF8.GetString(bytes));

        Assert.Empty(Wsdl.ValidateBodyContent(document));
        Assert.Contains("<ExpiresAt>2026-11-22T09:00:00Z</ExpiresAt>", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("<&>", document.Descendants(XName.Get("string", Wsdl.Tns)).Last().Value);
    }
}
