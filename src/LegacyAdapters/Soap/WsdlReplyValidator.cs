using System.ServiceModel;
using System.ServiceModel.Channels;
using System.ServiceModel.Dispatcher;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// Holds the body of every reply to the schema inside venue-backend.wsdl before WCF deserializes it. XmlSerializer
/// alone leaves a missing element at its default (a zone with no price would cost 0) and reports a wrong value only
/// by line and column; the schema refuses both and names the element.
/// </summary>
/// <remarks>
/// Faults are left to WCF: their detail is matched to <see cref="SoapVenueFault"/> by name, and anything else in it
/// makes a plain <see cref="FaultException"/>. The body is read through WCF's reader, so the binding's quotas apply.
/// </remarks>
internal sealed class WsdlReplyValidator : IClientMessageInspector
{
    private static readonly Lazy<XmlSchemaSet> Schemas = new(LoadSchemas);

    // Compiled when WCF builds the endpoint (the backend's construction), not in the first caller's time.
    private readonly XmlSchemaSet _schemas = Schemas.Value;

    public object? BeforeSendRequest(ref Message request, IClientChannel channel) => null;

    public void AfterReceiveReply(ref Message reply, object? correlationState)
    {
        if (reply.IsFault)
        {
            return;
        }

        if (reply.IsEmpty)
        {
            throw new SoapReplyException("the SOAP Body is empty", backendFailing: false);
        }

        var buffer = reply.CreateBufferedCopy(int.MaxValue);
        reply = buffer.CreateMessage();
        using var copy = buffer.CreateMessage();
        using var body = copy.GetReaderAtBodyContents();

        var settings = new XmlReaderSettings
        {
            ValidationType = ValidationType.Schema,
            Schemas = _schemas,

            // An element in a namespace the schema does not know is only a warning by default; here it is an error.
            ValidationFlags = XmlSchemaValidationFlags.ReportValidationWarnings,
        };
        settings.ValidationEventHandler += static (_, e) =>
            throw new SoapReplyException($"the answer does not match the WSDL: {e.Message}", backendFailing: false);

        using var validating = XmlReader.Create(body.ReadSubtree(), settings);
        while (validating.Read())
        {
        }
    }

    private static XmlSchemaSet LoadSchemas()
    {
        // The WSDL ships inside the assembly (LegacyAdapters.csproj): the same file the mock serves.
        using var wsdl = typeof(WsdlReplyValidator).Assembly.GetManifestResourceStream("OnSale.LegacyAdapters.venue-backend.wsdl")
            ?? throw new InvalidOperationException("venue-backend.wsdl is missing from the assembly's resources.");
        XNamespace xs = XmlSchema.Namespace;
        var schema = XDocument.Load(wsdl).Descendants(xs + "schema").Single();
        var set = new XmlSchemaSet();
        using (var reader = schema.CreateReader())
        {
            set.Add(XmlSchema.Read(reader, static (_, e) => throw new XmlSchemaException(e.Message))!);
        }

        set.Compile();
        return set;
    }
}

/// <summary>
/// A reply the binding refuses before or beyond WCF's own checks: an HTTP error page, or a body that breaks the WSDL.
/// Thrown inside WCF's pipeline and turned into the caller's exception by <see cref="SoapErrors"/>.
/// </summary>
internal sealed class SoapReplyException(string message, bool backendFailing) : Exception(message)
{
    /// <summary>Whether the answer says the backend is failing (<see cref="BackendUnavailableException"/>) rather than broken.</summary>
    public bool BackendFailing { get; } = backendFailing;
}
