using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OnSale.Gateway.Widget;

/// <summary>What the frame app is told about itself: everything it must not take from its own URL unchecked.</summary>
/// <remarks>
/// <see cref="Host"/> is the embedding page's origin when the loader named one of the venue's; <see cref="Origins"/>
/// are the venue's origins (public: they are the frame's <c>frame-ancestors</c>), against which the frame checks the
/// parent that says hello when no host was given. <see cref="Identity"/> is the venue-signed identity the loader was
/// given (<c>data-identity</c>), sent with joins of hot on-sales.
/// </remarks>
internal sealed record FrameConfig(
    string Venue, int PerformanceId, string? Host, IReadOnlyList<string> Origins, string? Page, string? PurchaseId, string Currency, string Api,
    string? Identity = null);

/// <summary>The HTML the frame endpoint answers with: the frame app, or a page that says why there is none.</summary>
internal static class WidgetPages
{
    /// <summary>
    /// The frame document with its configuration in a <c>&lt;script type="application/json"&gt;</c> block. The JSON is
    /// written with <see cref="JavaScriptEncoder.Default"/>, which escapes <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> and quotes,
    /// so no value can close the block (<c>&lt;/script&gt;</c>) or open a comment in it.
    /// </summary>
    public static string Frame(WidgetAssets assets, FrameConfig config)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            writer.WriteStartObject();
            writer.WriteString("venue", config.Venue);
            writer.WriteNumber("performanceId", config.PerformanceId);
            WriteOptional(writer, "host", config.Host);
            writer.WriteStartArray("origins");
            foreach (var origin in config.Origins)
            {
                writer.WriteStringValue(origin);
            }

            writer.WriteEndArray();
            WriteOptional(writer, "page", config.Page);
            WriteOptional(writer, "purchaseId", config.PurchaseId);
            writer.WriteString("currency", config.Currency);
            writer.WriteString("api", config.Api);
            WriteOptional(writer, "identity", config.Identity);
            writer.WriteEndObject();
        }

        return assets.FrameHead + Encoding.UTF8.GetString(buffer.WrittenSpan) + assets.FrameTail;
    }

    /// <summary>A page without script that explains, to a buyer and to the venue's developer, why the widget cannot open.</summary>
    public static string Problem(WidgetAssets assets, string heading, string explanation, string forBuyers, string forDevelopers)
    {
        var html = HtmlEncoder.Default;
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{html.Encode(heading)}</title>
            <link rel="stylesheet" href="{html.Encode(assets.StylesUrl)}">
            </head>
            <body>
            <main class="app">
            <section class="view problem-page" aria-labelledby="problem-heading">
            <h1 id="problem-heading">{html.Encode(heading)}</h1>
            <p>{html.Encode(explanation)}</p>
            <p>{html.Encode(forBuyers)}</p>
            <p class="muted">{html.Encode(forDevelopers)}</p>
            </section>
            </main>
            </body>
            </html>

            """;
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
