using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Soap;

/// <summary>A parsed SOAP request: the operation and its wrapper element (the Body's first child).</summary>
internal sealed record SoapRequest(string Operation, XElement Wrapper);

/// <summary>
/// The one place that knows the SOAP 1.1 wire format (document/literal wrapped, as venue-backend.wsdl and
/// venue-backend-examples.xml show): reading request envelopes, writing responses and faults, and the data types'
/// elements in the WSDL's order.
/// </summary>
internal static class SoapCodec
{
    public const string EnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string ServiceNamespace = "urn:venue-backend:v1";
    public const string ActionPrefix = "urn:venue-backend:v1/IVenueService/";

    private static readonly XName EnvelopeName = XName.Get("Envelope", EnvelopeNamespace);
    private static readonly XName BodyName = XName.Get("Body", EnvelopeNamespace);

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        OmitXmlDeclaration = false,
        CheckCharacters = true,
    };

    /// <summary>
    /// Parses an envelope and resolves the operation from the SOAPAction header and the Body's first element;
    /// a 422 <see cref="VenueFaultException"/> when the request is malformed, has a DTD, or the two disagree.
    /// </summary>
    public static SoapRequest ReadRequest(byte[] body, string? soapAction)
    {
        ArgumentNullException.ThrowIfNull(body);
        XDocument document;
        try
        {
            document = XmlRequestBody.Load(body);
        }
        catch (XmlException ex)
        {
            throw Invalid($"Malformed request XML (DTDs are not allowed): {ex.Message}");
        }

        var envelope = document.Root;
        if (envelope is null || envelope.Name != EnvelopeName)
        {
            throw Invalid($"The request is not a SOAP 1.1 envelope: expected {{{EnvelopeNamespace}}}Envelope");
        }

        var soapBody = envelope.Elements(BodyName).SingleOrDefault()
            ?? throw Invalid("The SOAP envelope has no (or more than one) Body");
        var wrapper = soapBody.Elements().FirstOrDefault()
            ?? throw Invalid("The SOAP Body is empty");

        var actionOperation = OperationFromAction(soapAction);
        if (actionOperation is null)
        {
            if (wrapper.Name.NamespaceName != ServiceNamespace || !VenueOperations.IsKnown(wrapper.Name.LocalName))
            {
                throw Invalid($"Unknown operation element {wrapper.Name}");
            }

            return new SoapRequest(wrapper.Name.LocalName, wrapper);
        }

        if (wrapper.Name != XName.Get(actionOperation, ServiceNamespace))
        {
            throw Invalid($"SOAPAction names {actionOperation} but the Body holds {wrapper.Name}");
        }

        return new SoapRequest(actionOperation, wrapper);
    }

    /// <summary>The required xs:int parameter <paramref name="name"/> of the wrapper; 422 when missing or not an int.</summary>
    public static int ReadInt(XElement wrapper, string name)
    {
        var text = ReadString(wrapper, name);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid($"Parameter '{name}' must be an integer (xs:int), got '{Shorten(text)}'");
        }

        return value;
    }

    /// <summary>The required xs:string parameter <paramref name="name"/> of the wrapper; 422 when missing.</summary>
    public static string ReadString(XElement wrapper, string name)
    {
        ArgumentNullException.ThrowIfNull(wrapper);
        var element = wrapper.Element(XName.Get(name, ServiceNamespace))
            ?? throw Invalid($"Missing parameter '{name}' (element {{{ServiceNamespace}}}{name})");
        return element.Value;
    }

    /// <summary>A response envelope; <paramref name="writeResult"/> writes the content of {Operation}Result.</summary>
    public static byte[] WriteResponse(string operation, Action<XmlWriter> writeResult)
    {
        ArgumentNullException.ThrowIfNull(writeResult);
        return WriteEnvelope(writer =>
        {
            writer.WriteStartElement("", operation + "Response", ServiceNamespace);
            writer.WriteStartElement("", operation + "Result", ServiceNamespace);
            writeResult(writer);
            writer.WriteEndElement();
            writer.WriteEndElement();
        });
    }

    /// <summary>A SOAP 1.1 fault: soap:Server for 503, soap:Client otherwise, with a VenueFault detail.</summary>
    public static byte[] WriteFault(int code, string message) => WriteEnvelope(writer =>
    {
        writer.WriteStartElement("soap", "Fault", EnvelopeNamespace);
        writer.WriteElementString("faultcode", code == VenueFaultCodes.Unavailable ? "soap:Server" : "soap:Client");
        writer.WriteElementString("faultstring", message);
        writer.WriteStartElement("detail");
        writer.WriteStartElement("", "VenueFault", ServiceNamespace);
        WriteElement(writer, "Code", code);
        WriteElement(writer, "Message", message);
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    public static void WritePerformances(XmlWriter writer, IEnumerable<PerformanceInfo> performances)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(performances);
        foreach (var performance in performances)
        {
            writer.WriteStartElement("Performance", ServiceNamespace);
            WriteElement(writer, "Id", performance.Id);
            WriteElement(writer, "Title", performance.Title);
            WriteElement(writer, "Venue", performance.Venue);
            WriteElement(writer, "StartsAt", performance.StartsAt);
            WriteElement(writer, "OnSaleAt", performance.OnSaleAt);
            writer.WriteEndElement();
        }
    }

    public static void WriteZones(XmlWriter writer, IEnumerable<ZoneInfo> zones)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(zones);
        foreach (var zone in zones)
        {
            writer.WriteStartElement("Zone", ServiceNamespace);
            WriteElement(writer, "ZoneId", zone.ZoneId);
            WriteElement(writer, "Name", zone.Name);
            WriteElement(writer, "PriceCents", zone.PriceCents);
            WriteElement(writer, "Capacity", zone.Capacity);
            WriteElement(writer, "Available", zone.Available);
            writer.WriteEndElement();
        }
    }

    /// <summary>The content of a Hold-typed element.</summary>
    public static void WriteHold(XmlWriter writer, HoldInfo hold)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(hold);
        WriteElement(writer, "LineItemId", hold.LineItemId);
        WriteElement(writer, "PerformanceId", hold.PerformanceId);
        WriteElement(writer, "ZoneId", hold.ZoneId);
        WriteElement(writer, "Quantity", hold.Quantity);
        WriteSeats(writer, hold.Seats);
        WriteElement(writer, "ExpiresAt", hold.ExpiresAt);
    }

    /// <summary>The content of an Order-typed element.</summary>
    public static void WriteOrder(XmlWriter writer, OrderInfo order)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(order);
        WriteElement(writer, "OrderId", order.OrderId);
        WriteElement(writer, "ClientReference", order.ClientReference);
        WriteElement(writer, "PerformanceId", order.PerformanceId);
        WriteElement(writer, "ZoneId", order.ZoneId);
        WriteSeats(writer, order.Seats);
        WriteElement(writer, "TotalCents", order.TotalCents);
    }

    /// <summary>xs:dateTime in UTC with a trailing Z, to the second: <c>2026-11-22T09:00:00Z</c>.</summary>
    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteSeats(XmlWriter writer, IEnumerable<string> seats)
    {
        writer.WriteStartElement("Seats", ServiceNamespace);
        foreach (var seat in seats)
        {
            writer.WriteElementString("string", ServiceNamespace, seat);
        }

        writer.WriteEndElement();
    }

    private static void WriteElement(XmlWriter writer, string name, string value) =>
        writer.WriteElementString(name, ServiceNamespace, value);

    private static void WriteElement(XmlWriter writer, string name, int value) =>
        writer.WriteElementString(name, ServiceNamespace, XmlConvert.ToString(value));

    private static void WriteElement(XmlWriter writer, string name, DateTimeOffset value) =>
        writer.WriteElementString(name, ServiceNamespace, FormatDateTime(value));

    private static byte[] WriteEnvelope(Action<XmlWriter> writeBodyContent)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("soap", "Envelope", EnvelopeNamespace);
            writer.WriteStartElement("soap", "Body", EnvelopeNamespace);
            writeBodyContent(writer);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return stream.ToArray();
    }

    // SOAP 1.1 §6.1.1: the header value may be quoted; an empty value means "the request URI", i.e. no action.
    private static string? OperationFromAction(string? soapAction)
    {
        var action = soapAction?.Trim().Trim('"').Trim();
        if (string.IsNullOrEmpty(action))
        {
            return null;
        }

        var operation = action.StartsWith(ActionPrefix, StringComparison.Ordinal) ? action[ActionPrefix.Length..] : null;
        if (operation is null || !VenueOperations.IsKnown(operation))
        {
            throw Invalid($"Unknown SOAPAction '{Shorten(action)}': expected \"{ActionPrefix}{{Operation}}\"");
        }

        return operation;
    }

    private static VenueFaultException Invalid(string message) => new(VenueFaultCodes.InvalidArgument, message);

    private static string Shorten(string value) =>
        value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
