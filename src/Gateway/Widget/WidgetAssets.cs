using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace OnSale.Gateway.Widget;

/// <summary>One static file of the widget, with its gzip form and the strong ETag of each.</summary>
internal sealed class WidgetAsset
{
    public WidgetAsset(string name, string contentType, byte[] bytes)
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
}

/// <summary>
/// The widget's files (<c>src/Widget</c>), embedded in the gateway assembly and read, compressed and hashed once when
/// the endpoints are mapped, so that a missing file fails start-up rather than a buyer's page.
/// </summary>
internal sealed class WidgetAssets
{
    /// <summary>The placeholder in <c>frame.html</c> replaced by the frame's JSON configuration.</summary>
    public const string ConfigPlaceholder = "{{config}}";

    private const string ResourcePrefix = "OnSale.Widget.";

    public WidgetAssets()
        : this(typeof(WidgetAssets).Assembly)
    {
    }

    public WidgetAssets(Assembly assembly)
    {
        Loader = new WidgetAsset("loader.js", "application/javascript; charset=utf-8", Read(assembly, "loader.js"));
        FrameScript = new WidgetAsset("frame.js", "application/javascript; charset=utf-8", Read(assembly, "frame.js"));
        FrameStyles = new WidgetAsset("frame.css", "text/css; charset=utf-8", Read(assembly, "frame.css"));
        ProofOfWorkScript = new WidgetAsset("proof-of-work.js", "application/javascript; charset=utf-8", Read(assembly, "proof-of-work.js"));
        FrameTemplate = System.Text.Encoding.UTF8.GetString(Read(assembly, "frame.html"));

        var template = FrameTemplate
            .Replace("{{frame.css}}", StylesUrl, StringComparison.Ordinal)
            .Replace("{{frame.js}}", $"assets/frame.js?v={FrameScript.Version}", StringComparison.Ordinal)
            .Replace("{{proof-of-work.js}}", $"assets/proof-of-work.js?v={ProofOfWorkScript.Version}", StringComparison.Ordinal);
        var at = template.IndexOf(ConfigPlaceholder, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"The widget's frame.html has no {ConfigPlaceholder} placeholder for the frame's configuration.");
        }

        FrameHead = template[..at];
        FrameTail = template[(at + ConfigPlaceholder.Length)..];
    }

    public WidgetAsset Loader { get; }

    public WidgetAsset FrameScript { get; }

    public WidgetAsset FrameStyles { get; }

    /// <summary>The solver of hot on-sales' challenges: a script of the frame, and the worker it starts from the same address.</summary>
    public WidgetAsset ProofOfWorkScript { get; }

    /// <summary><c>frame.html</c> as shipped, placeholders included.</summary>
    public string FrameTemplate { get; }

    /// <summary>The frame document up to its configuration.</summary>
    public string FrameHead { get; }

    /// <summary>The frame document after its configuration.</summary>
    public string FrameTail { get; }

    /// <summary>The stylesheet URL relative to <c>/widget/v1/frame</c>, versioned so that a new build is never mixed with a cached old one.</summary>
    public string StylesUrl => $"assets/frame.css?v={FrameStyles.Version}";

    /// <summary>The files served under <c>/widget/v1/assets/</c>.</summary>
    public WidgetAsset? FindAsset(string name) => name switch
    {
        "frame.js" => FrameScript,
        "frame.css" => FrameStyles,
        "proof-of-work.js" => ProofOfWorkScript,
        _ => null,
    };

    private static byte[] Read(Assembly assembly, string file)
    {
        using var stream = assembly.GetManifestResourceStream(ResourcePrefix + file) ?? throw new InvalidOperationException(
            $"The widget file '{file}' is not embedded in {assembly.GetName().Name}: Gateway.csproj needs " +
            "<EmbeddedResource Include=\"../Widget/*.js;../Widget/*.css;../Widget/*.html\" LogicalName=\"OnSale.Widget.%(Filename)%(Extension)\" />.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
