namespace OnSale.Gateway.Widget;

/// <summary>
/// The venues whose pages may embed the buyer widget (section <c>Gateway:Venues</c>, CONTRACT.md §3). The same list
/// sets the frame's <c>frame-ancestors</c> and the CORS policy of <c>/api/v1</c>.
/// </summary>
public sealed class WidgetOptions
{
    /// <summary>The configuration section whose children are the venues, keyed by venue key.</summary>
    public const string SectionName = "Gateway:Venues";

    /// <summary>
    /// Venues by key: the <c>data-venue</c> of the embedding script tag (letters, digits, <c>-</c>, <c>_</c>, <c>.</c>;
    /// compared without regard to case, as configuration keys are). Default: none, so no page can embed the widget.
    /// </summary>
    public IDictionary<string, VenueOptions> Venues { get; set; } = new Dictionary<string, VenueOptions>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One venue (section <c>Gateway:Venues:{venueKey}</c>).</summary>
public sealed class VenueOptions
{
    /// <summary>
    /// The origins allowed to embed this venue's widget, each an absolute http(s) origin with no path, query or
    /// fragment (<c>https://www.royalhall.example</c>, <c>http://127.0.0.1:5070</c>). Required: at least one. No default.
    /// </summary>
    public IList<string> Origins { get; set; } = [];

    /// <summary>The ISO 4217 currency the venue's prices are shown in. Default: <c>GBP</c>.</summary>
    public string Currency { get; set; } = "GBP";
}
