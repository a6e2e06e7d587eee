using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace OnSale.Gateway.Infrastructure;

/// <summary>One static file (the widget's, the console's), with its gzip form and the strong ETag of each, served from memory.</summary>
internal sealed class StaticAsset
{
    public StaticAsset(string name, string contentType, byte[] bytes)
    {
        Name = name;
        ContentType = contentType;
        Bytes = bytes;
        Gzip = Compress(bytes);
        var hash = Hash(bytes);
        Version = hash[..12];
        ETag = new EntityTagHeaderValue($"\"{hash}\"");

        // Each content coding is its own representation, so it needs its own strong validator (RFC 9110 §8.8.3).
        GzipETag = new EntityTagHeaderValue($"\"{hash}-gz\"");
    }

    public string Name { get; }

    public string ContentType { get; }

    public byte[] Bytes { get; }

    public byte[] Gzip { get; }

    public EntityTagHeaderValue ETag { get; }

    public EntityTagHeaderValue GzipETag { get; }

    /// <summary>A short hash for cache-busting URLs (<c>?v=</c>).</summary>
    public string Version { get; }

    public static byte[] Compress(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static string Hash(byte[] bytes) =>
        Convert.ToBase64String(SHA256.HashData(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..22];

    /// <summary>
    /// Answers with the file, gzipped when the client takes it; If-None-Match gets 304 (the file result compares weakly,
    /// as RFC 9110 §13.1.2 asks).
    /// </summary>
    public IResult Serve(HttpContext context, string cacheControl)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;
        headers.XContentTypeOptions = "nosniff";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (AcceptsGzip(context.Request))
        {
            headers.ContentEncoding = "gzip";
            return TypedResults.Bytes(Gzip, ContentType, entityTag: GzipETag);
        }

        return TypedResults.Bytes(Bytes, ContentType, entityTag: ETag);
    }

    /// <summary>An embedded file's bytes; a missing one stops the host at start-up, naming the csproj line it needs.</summary>
    public static byte[] ReadEmbedded(System.Reflection.Assembly assembly, string resourceName, string folder)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName) ?? throw new InvalidOperationException(
            $"'{resourceName}' is not embedded in {assembly.GetName().Name}: Gateway.csproj needs an <EmbeddedResource> of {folder}'s files.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var codings))
        {
            return false;
        }

        var gzip = codings.FirstOrDefault(c => c.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            ?? codings.FirstOrDefault(c => c.Value.Equals("*", StringComparison.Ordinal));
        return gzip is not null && (gzip.Quality ?? 1) > 0;
    }
}
