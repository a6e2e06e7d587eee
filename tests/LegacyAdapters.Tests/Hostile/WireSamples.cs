namespace OnSale.LegacyAdapters.Tests.Hostile;

/// <summary>Well-formed answers of both bindings, and the hostile documents tests build from them.</summary>
internal static class WireSamples
{
    public const string SoapAvailability =
        """<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetAvailabilityResponse xmlns="urn:venue-backend:v1"><GetAvailabilityResult><Zone><ZoneId>1</ZoneId><Name>Stalls</Name><PriceCents>8500</PriceCents><Capacity>400</Capacity><Available>400</Available></Zone><Zone><ZoneId>2</ZoneId><Name>Balcony</Name><PriceCents>4500</PriceCents><Capacity>200</Capacity><Available>200</Available></Zone></GetAvailabilityResult></GetAvailabilityResponse></soap:Body></soap:Envelope>""";

    public const string XmlRpcAvailability =
        """<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><struct><member><name>zoneId</name><value><int>1</int></value></member><member><name>name</name><value><string>Stalls</string></value></member><member><name>priceCents</name><value><int>8500</int></value></member><member><name>capacity</name><value><int>400</int></value></member><member><name>available</name><value><int>400</int></value></member></struct></value><value><struct><member><name>zoneId</name><value><i4>2</i4></value></member><member><name>name</name><value>Balcony</value></member><member><name>priceCents</name><value><int>4500</int></value></member><member><name>capacity</name><value><int>200</int></value></member><member><name>available</name><value><int>200</int></value></member></struct></value></data></array></value></param></params></methodResponse>""";

    public static readonly IReadOnlyList<Zone> ExpectedZones =
    [
        new Zone(1, "Stalls", 8500, 400, 400),
        new Zone(2, "Balcony", 4500, 200, 200),
    ];

    public static string Availability(VenueBackendProtocol protocol) =>
        protocol == VenueBackendProtocol.Soap ? SoapAvailability : XmlRpcAvailability;

    public static string SoapFault(int code, string message, string faultCode = "soap:Client") =>
        $"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>{faultCode}</faultcode><faultstring>{message}</faultstring><detail><VenueFault xmlns="urn:venue-backend:v1"><Code>{code}</Code><Message>{message}</Message></VenueFault></detail></soap:Fault></soap:Body></soap:Envelope>""";

    public static string XmlRpcFault(int code, string message) =>
        $"""<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>{code}</int></value></member><member><name>faultString</name><value><string>{message}</string></value></member></struct></value></fault></methodResponse>""";

    public static string Fault(VenueBackendProtocol protocol, int code, string message) =>
        protocol == VenueBackendProtocol.Soap ? SoapFault(code, message) : XmlRpcFault(code, message);

    public static int FaultStatus(VenueBackendProtocol protocol) => protocol == VenueBackendProtocol.Soap ? 500 : 200;

    /// <summary>Nine levels of ten-fold entity expansion: a billion "lol"s if a parser were to expand them.</summary>
    public static string BillionLaughs(string rootElement) =>
        $"""
        <?xml version="1.0"?>
        <!DOCTYPE {rootElement} [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <{rootElement}>&lol9;</{rootElement}>
        """;

    /// <summary>An answer whose zone name is an external entity pointing at a local file.</summary>
    public static string ExternalEntity(VenueBackendProtocol protocol)
    {
        var doctype = protocol == VenueBackendProtocol.Soap
            ? """<!DOCTYPE soap:Envelope [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>"""
            : """<!DOCTYPE methodResponse [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>""";
        var body = Availability(protocol).Replace("Stalls", "&xxe;", StringComparison.Ordinal);
        return body.Insert(body.IndexOf("?>", StringComparison.Ordinal) + 2, doctype);
    }
}
