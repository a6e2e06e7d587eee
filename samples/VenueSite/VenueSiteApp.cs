using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;

namespace OnSale.Samples.VenueSite;

/// <summary>
/// A venue's own website on its own origin, embedding the box office widget with the one script tag. The tag is
/// rendered from configuration, so the page never hard-codes where the gateway lives.
/// </summary>
public static class VenueSiteApp
{
    private const string ResourcePrefix = "OnSale.Samples.VenueSite.wwwroot.";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["site.css"] = "text/css; charset=utf-8",
        ["events.js"] = "application/javascript; charset=utf-8",
    };

    /// <summary>Builds the site; a demo may host it in-process next to the gateway.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddOptions<VenueSiteOptions>()
            .Bind(builder.Configuration.GetSection(VenueSiteOptions.SectionName))
            .Validate(o => GatewayOrigin(o.GatewayUrl) is not null, "VenueSite:GatewayUrl must be an absolute http(s) URL, e.g. http://127.0.0.1:5080.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.VenueKey), "VenueSite:VenueKey is required, e.g. royal-hall.")
            .Validate(o => o.PerformanceId > 0, "VenueSite:PerformanceId must be a positive number, e.g. 1001.")
            .ValidateOnStart();

        var app = builder.Build();
        var template = Read("index.html");
        app.MapGet("/", (IOptions<VenueSiteOptions> options, HttpContext context) => Page(template, options.Value, context));
        app.MapGet("/index.html", (IOptions<VenueSiteOptions> options, HttpContext context) => Page(template, options.Value, context));
        app.MapGet("/assets/{name}", (string name, HttpContext context) =>
        {
            if (!ContentTypes.TryGetValue(name, out var type))
            {
                return Results.NotFound();
            }

            context.Response.Headers.CacheControl = "no-cache";
            return Results.Text(Read(name), type);
        });
        return app;
    }

    private static IResult Page(string template, VenueSiteOptions options, HttpContext context)
    {
        var html = HtmlEncoder.Default;
        var gateway = options.GatewayUrl.TrimEnd('/');
        var tag = options.Embedding == WidgetEmbedding.Frame
            ? $"""<iframe class="onsale-frame" src="{html.Encode($"{gateway}/widget/v1/frame?venue={Uri.EscapeDataString(options.VenueKey)}&performance={options.PerformanceId}")}" title="Box office: choose and buy tickets"></iframe>"""
            : $"""<script src="{html.Encode(gateway + "/widget/v1/loader.js")}" data-venue="{html.Encode(options.VenueKey)}" data-performance="{options.PerformanceId}"{IdentityAttribute(options)} async></script>""";

        // The strict policy a careful venue might set: the widget needs only its gateway for the script and the frame.
        var origin = GatewayOrigin(options.GatewayUrl);
        context.Response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self' {origin}; frame-src {origin}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'";
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Content(template.Replace("{{widget}}", tag, StringComparison.Ordinal), "text/html; charset=utf-8");
    }

    /// <summary>
    /// What a venue's site does for a signed-in customer: HMAC-SHA256, with the venue's identity secret, over
    /// <c>{venue}.{performance}.{account}.{expires}</c>, appended as unpadded base64url. An hour is plenty for one visit.
    /// </summary>
    private static string IdentityAttribute(VenueSiteOptions options)
    {
        if (string.IsNullOrEmpty(options.IdentitySecret) || string.IsNullOrEmpty(options.AccountId))
        {
            return string.Empty;
        }

        var expires = TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        var message = string.Create(CultureInfo.InvariantCulture, $"{options.VenueKey}.{options.PerformanceId}.{options.AccountId}.{expires}");
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.IdentitySecret), Encoding.UTF8.GetBytes(message)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $" data-identity=\"{HtmlEncoder.Default.Encode(message + "." + signature)}\"";
    }

    private static string? GatewayOrigin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"wwwroot/{name} is not embedded in the VenueSite assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
