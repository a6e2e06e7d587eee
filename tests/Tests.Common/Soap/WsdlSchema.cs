using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace OnSale.Tests.Common.Soap;

/// <summary>
/// The XML Schema inside the project's WSDL (src/LegacyAdapters/Soap/venue-backend.wsdl), the single source of truth
/// both SOAP ends are checked against.
/// </summary>
public static class WsdlSchema
{
    private static readonly Lazy<XmlSchemaSet> Schemas = new(Load);

    public static string WsdlPath => Path.Combine(RepositoryRoot.Path, "src", "LegacyAdapters", "Soap", "venue-backend.wsdl");

    /// <summary>Validates the first element inside the SOAP Body of <paramref name="envelope"/>; returns the errors, none when valid.</summary>
    public static IReadOnlyList<string> ValidateBody(string envelope)
    {
        XNamespace soap = "http://schemas.xmlsoap.org/soap/envelope/";
        var body = XDocument.Parse(envelope).Root!.Element(soap + "Body")!.Elements().First();
        var errors = new List<string>();
        new XDocument(body).Validate(Schemas.Value, (_, e) => errors.Add(e.Message));
        return errors;
    }

    private static XmlSchemaSet Load()
    {
        XNamespace xs = "http://www.w3.org/2001/XMLSchema";
        var schema = XDocument.Load(WsdlPath).Descendants(xs + "schema").Single();
        var set = new XmlSchemaSet();
        using var reader = schema.CreateReader();
        set.Add(XmlSchema.Read(reader, (_, e) => throw new XmlSchemaException(e.Message))!);
        set.Compile();
        return set;
    }
}
