using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Widget;

/// <summary>
/// The embeddable buyer widget (CONTRACT.md §3, "Widget"): the loader script a venue page includes, the frame's
/// static files, and the frame document, served only to the origins configured for its venue.
/// </summary>
internal static partial class WidgetApi
{
    /// <summary>
    /// The frame's policy; <c>{0}</c> is the venue's origins. Nothing inline runs, nothing leaves the gateway; the one
    /// worker (the proof-of-work solver of hot on-sales) is the gateway's own script.
    /// </summary>
    private const string FramePolicy =
        "default-src 'self'; frame-ancestors {0}; script-src 'self'; worker-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

    /// <summary>The policy of the explanation pages: no script at all, only the frame's stylesheet.</summary>
    private const string ProblemPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {0}";

    private const int MaxPageLength = 2048;

    public static IEndpointRouteBuilder MapWidgetApi(this IEndpointRouteBuilder endpoints)
    {
        // Resolved here, at start-up: the files are read, compressed and hashed once, and a missing one stops the host.
        _ = endpoints.ServiceProvider.GetRequiredService<WidgetAssets>();

        var widget = endpoints.MapGroup("/widget/v1").WithTags("Widget").ExcludeFromDescription();
        widget.MapMethods("/loader.js", [HttpMethods.Get, HttpMethods.Head], GetLoader).WithName("GetWidgetLoader");
        widget.MapMethods("/assets/{name}", [HttpMethods.Get, HttpMethods.Head], GetAsset).WithName("GetWidgetAsset");
        widget.MapGet("/frame", GetFrame).WithName("GetWidgetFrame");
        return endpoints;
    }

    private static IResult GetLoader(HttpContext context, WidgetAssets assets) => Serve(context, assets.Loader);

    private static IResult GetAsset(string name, HttpContext context, WidgetAssets assets) =>
        assets.FindAsset(name) is { } asset ? Serve(context, asset) : TypedResults.NotFound();

    private static IResult GetFrame(HttpContext context, VenueRegistry venues, WidgetAssets assets, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        var venueKey = Single(query["venue"]);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";

        // The explanation pages below have no script, no form and no link. The one for a missing venue says nothing of
        // the request, so it may be framed anywhere and the venue's developer sees the message inside their own page
        // instead of a browser's "refused to connect" box.
        if (string.IsNullOrEmpty(venueKey))
        {
            return ProblemPage(context, assets, 400, "*",
                "This widget is missing its venue",
                "The script tag that embeds the box office has no data-venue attribute, so we can't tell which venue's tickets to show.",
                "If you're buying tickets: please use the venue's own box office page, or contact the venue.",
                "If you run this website: add data-venue=\"your-venue-key\" to the <script> tag that loads /widget/v1/loader.js.");
        }

        var venue = venues.Find(venueKey);
        if (venue is null)
        {
            // Nothing of the request is written back (a made-up venue could carry a scammer's words onto our origin), and
            // the page may not be framed; the venue's developer reads it by opening the address, which the loader offers.
            Log.UnknownVenue(loggers.CreateLogger(typeof(WidgetApi).FullName!), Truncate(venueKey), Truncate(Single(query["host"]) ?? "(none)"));
            headers.XFrameOptions = "DENY";
            return ProblemPage(context, assets, 404, "'none'",
                "This widget is not set up for this site",
                "This widget is not set up for this site: the gateway knows no venue by the name in the page's script tag.",
                "If you're buying tickets: please use the venue's own box office page, or contact the venue.",
                "If you run this website: check the data-venue attribute of the script tag, and ask your box office provider to add your venue with your site's origin to the gateway (Gateway:Venues:{venueKey}:Origins).");
        }

        // Without host the frame trusts no parent until one of the venue's origins says hello (frame.js): the address
        // CONTRACT.md §3 writes is never refused. A host that is given is the loader telling us which page it is on;
        // one that is not the venue's is a misconfigured site (or someone pretending), and it is refused rather than
        // ignored so that its developer, opening the address the loader offers, reads why instead of a box office
        // that works on its own and stays blank in their page. Only the venue's origins may frame its box office
        // either way, and this refusal may not be framed at all.
        var hostValue = Single(query["host"]);
        string? host = null;
        if (!string.IsNullOrEmpty(hostValue) && (!WebOrigin.TryNormalize(hostValue, out host) || !venue.Allows(host)))
        {
            var shown = Truncate(hostValue);
            Log.HostRefused(loggers.CreateLogger(typeof(WidgetApi).FullName!), venue.Key, shown);
            headers.XFrameOptions = "DENY";
            return ProblemPage(context, assets, 403, "'none'",
                "This website is not allowed to show this box office",
                $"The page at {shown} is not one of the sites allowed to show the box office of venue '{venue.Key}'.",
                "If you're buying tickets: please buy from the venue's own website.",
                $"If you run this website: load the widget through /widget/v1/loader.js, and ask your box office provider to add {shown} to Gateway:Venues:{venue.Key}:Origins.");
        }

        var performance = Single(query["performance"]);
        if (!int.TryParse(performance, NumberStyles.None, CultureInfo.InvariantCulture, out var performanceId) || performanceId <= 0)
        {
            return ProblemPage(context, assets, 400, venue.FrameAncestors,
                "This widget doesn't say which performance to sell",
                string.IsNullOrEmpty(performance)
                    ? "The script tag that embeds the box office has no data-performance attribute."
                    : $"'{Truncate(performance)}' is not a performance number.",
                "If you're buying tickets: please contact the venue, or try the venue's main box office page.",
                "If you run this website: set data-performance to the performance's id (a positive number) on the <script> tag.");
        }

        headers.ContentSecurityPolicy = string.Format(CultureInfo.InvariantCulture, FramePolicy, venue.FrameAncestors);
        var config = new FrameConfig(
            venue.Key,
            performanceId,
            host,
            venue.Origins,
            host is null ? null : PageOf(Single(query["page"]), host),
            Single(query["purchase"]) is { } purchase && PurchaseIdPattern().IsMatch(purchase) ? purchase : null,
            venue.Currency,
            context.Request.PathBase.Add("/api/v1").Value!,
            Single(query["identity"]) is { } identity && IdentityPattern().IsMatch(identity) ? identity : null);
        return TypedResults.Content(WidgetPages.Frame(assets, config), "text/html; charset=utf-8");
    }

    /// <summary>
    /// The embedding page's address for the "come back later" link: an absolute http(s) URL on the host's own origin,
    /// without its fragment; anything else is dropped, so the frame never renders a link it was handed by a stranger.
    /// </summary>
    private static string? PageOf(string? value, string host)
    {
        if (value is null || value.Length > MaxPageLength || !Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || WebOrigin.Of(uri) != host)
        {
            return null;
        }

        var hash = value.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? value : value[..hash];
    }

    private static IResult Serve(HttpContext context, StaticAsset asset)
    {
        // Venues that isolate their pages (Cross-Origin-Embedder-Policy) can still load the loader.
        context.Response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        return asset.Serve(context, "public, max-age=300");
    }

    private static IResult ProblemPage(HttpContext context, WidgetAssets assets, int status, string frameAncestors,
        string heading, string explanation, string forBuyers, string forDevelopers)
    {
        context.Response.Headers.ContentSecurityPolicy = string.Format(CultureInfo.InvariantCulture, ProblemPolicy, frameAncestors);
        return TypedResults.Content(WidgetPages.Problem(assets, heading, explanation, forBuyers, forDevelopers), "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>The value of a query parameter given once; a repeated parameter counts as missing.</summary>
    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    private static string Truncate(string value) => value.Length <= 100 ? value : value[..100] + "…";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex PurchaseIdPattern();

    /// <summary>What a venue-signed identity is made of (the gateway checks its signature when the frame joins).</summary>
    [GeneratedRegex("^[A-Za-z0-9._-]{1,512}$")]
    private static partial Regex IdentityPattern();
}
