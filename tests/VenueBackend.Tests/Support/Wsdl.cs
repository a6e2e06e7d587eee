using System.Xml.Linq;
using System.Xml.Schema;
using OnSale.Mocks.VenueBackend.Soap;

namespace OnSale.Mocks.VenueBackend.Tests.Support;

/// <summary>The WSDL the mock embeds, and the xs:schema inside it compiled into a schema set.</summary>
internal static class Wsdl
{
    public const string SoapEnvelope = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Tns = "urn:venue-backend:v1";

    private static readonly Lazy<XmlSchemaSet> LazySchemas = new(LoadSchemas);

    public static XmlSchemaSet Schemas => LazySchemas.Value;

    public static string Text()
    {
        using var stream = typeof(VenueBackendApp).Assembly.GetManifestResourceStream(WsdlDocument.ResourceName)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Validates the element inside soap:Body (a response, or a fault's VenueFault detail); returns the errors.</summary>
    public static IReadOnlyList<string> ValidateBodyContent(XDocument envelope)
    {
        var content = envelope.Root!.Element(XName.Get("Body", SoapEnvelope))!.Elements().Single();
        if (content.Name == XName.Get("Fault", SoapEnvelope))
        {
            content = content.Element("detail")!.Elements().Single();
        }

        var errors = new List<string>();
        new XDocument(new XElement(content)).Validate(Schemas, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        return errors;
    }

    private static XmlSchemaSet LoadSchemas()
    {
        var schemaElement = XDocument.Parse(Text()).Descendants(XName.Get("schema", "http://www.w3.org/2001/XMLSchema")).Single();
        var set = new XmlSchemaSet();
        using var reader = schemaElement.CreateReader();
        set.Add(XmlSchema.Read(reader, (_, e) => throw new XmlSchemaException(e.Message))!);
        set.Compile();
        return set;
    }
}
