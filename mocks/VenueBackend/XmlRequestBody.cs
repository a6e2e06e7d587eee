using System.Xml;
using System.Xml.Linq;

namespace OnSale.Mocks.VenueBackend;

/// <summary>
/// Reads a backend request body for either binding: bounded in size, and parsed only by an <see cref="XmlReader"/>
/// that refuses DTDs (no entity expansion, no external entities) and caps the document size and nesting depth.
/// </summary>
internal static class XmlRequestBody
{
    /// <summary>Largest request body accepted: 1 MiB. Larger bodies get HTTP 413.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The body, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Elements nested deeper than this are refused; no request of either binding comes near it.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses <paramref name="body"/>; <see cref="XmlException"/> when it is not well-formed, has a DTD, or nests too deep.</summary>
    public static XDocument Load(byte[] body)
    {
        // XDocument.Load takes time quadratic in the nesting depth (20,000 levels, well under MaxBytes, took 87 s), so
        // the depth is checked in a first pass of the reader alone, which is linear and allocates nothing per element.
        using (var scan = XmlReader.Create(new MemoryStream(body, writable: false), CreateReaderSettings()))
        {
            while (scan.Read())
            {
                if (scan.Depth > MaxDepth)
                {
                    throw new XmlException($"Elements nest deeper than {MaxDepth} levels.");
                }
            }
        }

        using var reader = XmlReader.Create(new MemoryStream(body, writable: false), CreateReaderSettings());
        return XDocument.Load(reader);
    }

    /// <summary>Reader settings for untrusted XML: DTDs prohibited, no resolver, bounded size.</summary>
    private static XmlReaderSettings CreateReaderSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBytes,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };
}
