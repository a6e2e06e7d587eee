using System.Net;
using System.Text;
using System.Xml.Linq;

namespace OnSale.Mocks.VenueBackend.Tests.Support;

/// <summary>A SOAP answer: status, content type, raw body and parsed document.</summary>
internal sealed record SoapAnswer(HttpStatusCode Status, string? ContentType, string Body, XDocument? Document)
{
    private static readonly XNamespace Tns = Wsdl.Tns;

    /// <summary>The {Operation}Result element.</summary>
    public XElement Result(string operation) =>
        Document!.Root!.Element(XName.Get("Body", Wsdl.SoapEnvelope))!
            .Element(Tns + (operation + "Response"))!
            .Element(Tns + (operation + "Result"))!;

    public XElement? Fault => Document?.Root?.Element(XName.Get("Body", Wsdl.SoapEnvelope))?.Element(XName.Get("Fault", Wsdl.SoapEnvelope));

    public int FaultCode => int.Parse(Fault!.Element("detail")!.Element(Tns + "VenueFault")!.Element(Tns + "Code")!.Value, System.Globalization.CultureInfo.InvariantCulture);

    public string FaultMessage => Fault!.Element("detail")!.Element(Tns + "VenueFault")!.Element(Tns + "Message")!.Value;
}

/// <summary>Sends envelopes shaped exactly as node-soap 1.13.0 sends them (venue-backend-examples.xml).</summary>
internal sealed class SoapTestClient(HttpClient http, Uri url)
{
    public static string Envelope(string operation, params (string Name, object Value)[] parameters)
    {
        var body = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            body.Append('<').Append(name).Append('>')
                .Append(System.Security.SecurityElement.Escape(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)))
                .Append("</").Append(name).Append('>');
        }

        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" " +
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"  xmlns:tns=\"urn:venue-backend:v1\"><soap:Body>" +
            $"<{operation} xmlns=\"urn:venue-backend:v1\">{body}</{operation}></soap:Body></soap:Envelope>";
    }

    public Task<SoapAnswer> CallAsync(string operation, params (string Name, object Value)[] parameters) =>
        SendAsync(Envelope(operation, parameters), $"\"urn:venue-backend:v1/IVenueService/{operation}\"");

    public async Task<SoapAnswer> SendAsync(string envelope, string? soapAction, string contentType = "text/xml; charset=utf-8", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(envelope));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (soapAction is not null)
        {
            request.Headers.TryAddWithoutValidation("SOAPAction", soapAction);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        XDocument? document = null;
        if (text.StartsWith('<'))
        {
            document = XDocument.Parse(text);
        }

        return new SoapAnswer(response.StatusCode, response.Content.Headers.ContentType?.ToString(), text, document);
    }

    public async Task<string> NewSessionKeyAsync() =>
        (await CallAsync("GetNewSessionKey")).Result("GetNewSessionKey").Value;
}
