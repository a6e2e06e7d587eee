using System.Reflection;
using OnSale.Gateway.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace OnSale.Gateway.Widget;

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
        Loader = new StaticAsset("loader.js", "application/javascript; charset=utf-8", Read(assembly, "loader.js"));
        FrameScript = new StaticAsset("frame.js", "application/javascript; charset=utf-8", Read(assembly, "frame.js"));
        FrameStyles = new StaticAsset("frame.css", "text/css; charset=utf-8", Read(assembly, "frame.css"));
        ProofOfWorkScript = new StaticAsset("proof-of-work.js", "application/javascript; charset=utf-8", Read(assembly, "proof-of-work.js"));
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

    public StaticAsset Loader { get; }

    public StaticAsset FrameScript { get; }

    public StaticAsset FrameStyles { get; }

    /// <summary>The solver of hot on-sales' challenges: a script of the frame, and the worker it starts from the same address.</summary>
    public StaticAsset ProofOfWorkScript { get; }

    /// <summary><c>frame.html</c> as shipped, placeholders included.</summary>
    public string FrameTemplate { get; }

    /// <summary>The frame document up to its configuration.</summary>
    public string FrameHead { get; }

    /// <summary>The frame document after its configuration.</summary>
    public string FrameTail { get; }

    /// <summary>The stylesheet URL relative to <c>/widget/v1/frame</c>, versioned so that a new build is never mixed with a cached old one.</summary>
    public string StylesUrl => $"assets/frame.css?v={FrameStyles.Version}";

    /// <summary>The files served under <c>/widget/v1/assets/</c>.</summary>
    public StaticAsset? FindAsset(string name) => name switch
    {
        "frame.js" => FrameScript,
        "frame.css" => FrameStyles,
        "proof-of-work.js" => ProofOfWorkScript,
        _ => null,
    };

    private static byte[] Read(Assembly assembly, string file) => StaticAsset.ReadEmbedded(assembly, ResourcePrefix + file, "../Widget");
}
