using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Admin;

/// <summary>
/// The support console (<c>GET /admin</c>, CONTRACT.md §3): one page and its script and stylesheet (<c>src/Console</c>),
/// embedded in the gateway and served from memory on its own origin. The page itself holds nothing secret; it signs in
/// with an operator key and reads everything through <c>/admin/api/*</c>. It may not be framed, runs only its own
/// script, and talks only to the gateway.
/// </summary>
internal static class ConsolePages
{
    /// <summary>Nothing inline, nothing from elsewhere, never inside another page.</summary>
    public const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapConsolePages(this IEndpointRouteBuilder endpoints)
    {
        // Read, compressed and hashed at start-up: a missing file stops the host, not a support engineer's morning.
        _ = endpoints.ServiceProvider.GetRequiredService<ConsoleAssets>();
        var console = endpoints.MapGroup("/admin").WithTags("Console").ExcludeFromDescription();
        console.MapMethods(string.Empty, [HttpMethods.Get, HttpMethods.Head], GetPage).WithName("GetConsole");
        console.MapMethods("/assets/{name}", [HttpMethods.Get, HttpMethods.Head], GetAsset).WithName("GetConsoleAsset");
        return endpoints;
    }

    private static IResult GetPage(HttpContext context, ConsoleAssets assets, AdminAuthorization authorization)
    {
        if (!authorization.Enabled)
        {
            return Problem.NotFound("not_found", "There is nothing here.");
        }

        Harden(context);
        return assets.Page.Serve(context, "no-store");
    }

    private static IResult GetAsset(string name, HttpContext context, ConsoleAssets assets, AdminAuthorization authorization)
    {
        if (!authorization.Enabled || assets.Find(name) is not { } asset)
        {
            return Problem.NotFound("not_found", "There is nothing here.");
        }

        Harden(context);
        return asset.Serve(context, "private, max-age=300");
    }

    private static void Harden(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
    }
}

/// <summary>The console's files, versioned by their hash in the page's links so a new gateway is never half old.</summary>
internal sealed class ConsoleAssets
{
    private const string Prefix = "OnSale.Console.";

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        Script = new StaticAsset("console.js", "application/javascript; charset=utf-8", StaticAsset.ReadEmbedded(assembly, Prefix + "console.js", "../Console"));
        Styles = new StaticAsset("console.css", "text/css; charset=utf-8", StaticAsset.ReadEmbedded(assembly, Prefix + "console.css", "../Console"));
        var html = System.Text.Encoding.UTF8.GetString(StaticAsset.ReadEmbedded(assembly, Prefix + "console.html", "../Console"))
            .Replace("{{console.js}}", $"/admin/assets/console.js?v={Script.Version}", StringComparison.Ordinal)
            .Replace("{{console.css}}", $"/admin/assets/console.css?v={Styles.Version}", StringComparison.Ordinal);
        Page = new StaticAsset("console.html", "text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(html));
    }

    public StaticAsset Page { get; }

    public StaticAsset Script { get; }

    public StaticAsset Styles { get; }

    public StaticAsset? Find(string name) => name switch
    {
        "console.js" => Script,
        "console.css" => Styles,
        _ => null,
    };
}
