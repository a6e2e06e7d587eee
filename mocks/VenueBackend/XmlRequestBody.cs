using System.Xml;

namespace OnSale.Mocks.VenueBackend;

/// <summary>
/// Reads a backend request body for either binding: bounded in size, and parsed only by an <see cref="XmlReader"/>
/// that refuses DTDs (no entity expansion, no external entities) and caps the document size.
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

    /// <summary>Reader settings for untrusted XML: DTDs prohibited, no resolver, bounded size.</summary>
    public static XmlReaderSettings CreateReaderSettings() => new()
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
