using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OnSale.LegacyAdapters.Transport;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// The SOAP 1.1 wire format of venue-backend.wsdl, document/literal wrapped as WCF's BasicHttpBinding speaks it:
/// writes request envelopes and reads the <c>{Operation}Result</c> element or the fault out of a response.
/// The only place that knows what the envelope looks like.
/// </summary>
internal static class SoapEnvelope
{
    public const string EnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string ServiceNamespace = "urn:venue-backend:v1";

    private const string Soap12EnvelopeNamespace = "http://www.w3.org/2003/05/soap-envelope";
    private static readonly XNamespace Soap = EnvelopeNamespace;
    private static readonly XNamespace Tns = ServiceNamespace;
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static string ActionOf(VenueOperation operation) => $"\"{ServiceNamespace}/IVenueService/{operation}\"";

    /// <summary>Writes <c>&lt;soap:Envelope&gt;&lt;soap:Body&gt;&lt;{Operation} xmlns="urn:venue-backend:v1"&gt;</c> with the parameters in order.</summary>
    public static byte[] WriteRequest(VenueOperation operation, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8NoBom, Indent = false }))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("soap", "Envelope", EnvelopeNamespace);
            writer.WriteStartElement("soap", "Body", EnvelopeNamespace);
            writer.WriteStartElement(operation.ToString(), ServiceNamespace);
            foreach (var (name, value) in parameters)
            {
                writer.WriteElementString(name, ServiceNamespace, value switch
                {
                    int number => XmlConvert.ToString(number),
                    string text => text,
                    _ => throw new ArgumentException($"Unsupported SOAP parameter type {value.GetType()}.", nameof(parameters)),
                });
            }

            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    /// <summary>Returns the <c>{Operation}Result</c> element, or throws the fault the response carries.</summary>
    public static XElement ReadResult(XmlHttpResponse response, VenueOperation operation, int maxCharacters)
    {
        if (!response.IsXml || response.Body.IsEmpty)
        {
            throw HardenedXml.NotXml(response, operation, "a SOAP envelope");
        }

        var document = HardenedXml.Load(response.Body, maxCharacters, operation);
        var envelope = document.Root!;
        if (envelope.Name.NamespaceName == Soap12EnvelopeNamespace)
        {
            throw Protocol(operation, "the backend answered with a SOAP 1.2 envelope; this binding speaks SOAP 1.1");
        }

        if (envelope.Name != Soap + "Envelope")
        {
            throw Protocol(operation, $"expected a SOAP 1.1 Envelope, got <{envelope.Name.LocalName}> in '{envelope.Name.NamespaceName}'");
        }

        var payload = envelope.Element(Soap + "Body")?.Elements().FirstOrDefault()
            ?? throw Protocol(operation, "the SOAP Body is missing or empty");

        if (payload.Name == Soap + "Fault")
        {
            throw ReadFault(payload, operation);
        }

        if ((int)response.StatusCode != 200)
        {
            throw response.IsServerError
                ? new BackendUnavailableException($"{operation}: the backend answered {response.Describe()} without a SOAP fault.", faultCode: null).WithOperation(operation)
                : Protocol(operation, $"the backend answered {response.Describe()} without a SOAP fault");
        }

        var expected = Tns + (operation + "Response");
        if (payload.Name != expected)
        {
            throw Protocol(operation, $"expected <{expected.LocalName}> in '{ServiceNamespace}', got <{payload.Name.LocalName}> in '{payload.Name.NamespaceName}'");
        }

        return payload.Element(Tns + (operation + "Result"))
            ?? throw Protocol(operation, $"<{expected.LocalName}> has no <{operation}Result>");
    }

    private static VenueBackendException ReadFault(XElement fault, VenueOperation operation)
    {
        // SOAP 1.1 fault children are unqualified; the detail's VenueFault is in the service namespace.
        var faultCode = fault.Element("faultcode")?.Value.Trim() ?? string.Empty;
        var faultString = fault.Element("faultstring")?.Value ?? string.Empty;
        var venueFault = fault.Element("detail")?.Element(Tns + "VenueFault");
        if (venueFault is not null)
        {
            var codeText = venueFault.Element(Tns + "Code")?.Value;
            if (!int.TryParse(codeText, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var code))
            {
                return Protocol(operation, $"the VenueFault detail has no integer Code (got '{codeText}')");
            }

            var message = venueFault.Element(Tns + "Message")?.Value;
            return VenueFaults.FromCode(code, string.IsNullOrEmpty(message) ? faultString : message, operation);
        }

        // A fault without our detail: a server-side failure means the box is failing; a client fault means we sent
        // something it did not understand, which is a protocol mismatch.
        return faultCode.EndsWith(":Server", StringComparison.Ordinal) || faultCode == "Server"
            ? new BackendUnavailableException($"{operation}: SOAP fault {faultCode}: {faultString}").WithOperation(operation)
            : Protocol(operation, $"SOAP fault {faultCode} without a VenueFault detail: {faultString}");
    }

    public static ProtocolErrorException Protocol(VenueOperation operation, string what) =>
        new ProtocolErrorException($"{operation}: {what}.").WithOperation(operation);
}
