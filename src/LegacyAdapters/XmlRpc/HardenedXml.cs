using System.Runtime.InteropServices;
using System.Xml;
using System.Xml.Linq;

namespace OnSale.LegacyAdapters.XmlRpc;

/// <summary>
/// Reads a backend answer as XML without trusting it: no DTD (so no entity expansion: billion laughs fail at the
/// DOCTYPE), no resolver (so no external entity can read a file or reach the network), a cap on characters and on
/// nesting depth.
/// </summary>
internal static class HardenedXml
{
    /// <summary>
    /// Elements nested deeper than this are refused before a document is built. No answer of either binding comes
    /// near it: an XML-RPC value at the codec's own limit (<see cref="XmlRpc.XmlRpcCodec.MaxDepth"/>) is 100 deep.
    /// </summary>
    public const int MaxDepth = 128;

    public static XmlReaderSettings CreateSettings(int maxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    public static XDocument Load(ReadOnlyMemory<byte> body, int maxCharacters, VenueOperation operation)
    {
        if (body.IsEmpty)
        {
            throw new ProtocolErrorException($"{operation}: the backend's answer is empty.").WithOperation(operation);
        }

        try
        {
            // XDocument.Load takes time quadratic in the nesting depth (20,000 levels, an 860 KB answer, took 87 s), so a
            // first pass of the reader alone, linear and allocation-free per element, checks the depth.
            using (var scan = XmlReader.Create(Open(body), CreateSettings(maxCharacters)))
            {
                while (scan.Read())
                {
                    if (scan.Depth > MaxDepth)
                    {
                        throw new ProtocolErrorException($"{operation}: the backend's answer nests elements deeper than {MaxDepth} levels.")
                            .WithOperation(operation);
                    }
                }
            }

            using var reader = XmlReader.Create(Open(body), CreateSettings(maxCharacters));
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProtocolErrorException(
                $"{operation}: the backend's answer contains a DTD, which is refused (entity expansion and external entities are not allowed).", ex)
                .WithOperation(operation);
        }
        catch (XmlException ex)
        {
            throw new ProtocolErrorException($"{operation}: the backend's answer is not well-formed XML: {ex.Message}", ex)
                .WithOperation(operation);
        }
    }

    /// <summary>The error for an answer that is not XML at all: a 5xx page means the box is failing, anything else is a protocol break.</summary>
    public static VenueBackendException NotXml(XmlHttpResponse response, VenueOperation operation, string expected)
    {
        VenueBackendException error = response.IsServerError
            ? new BackendUnavailableException($"{operation}: the backend answered {response.Describe()} instead of {expected}.", faultCode: null)
            : new ProtocolErrorException($"{operation}: the backend answered {response.Describe()}; expected {expected} as text/xml.");
        return error.WithOperation(operation);
    }

    private static MemoryStream Open(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
}
