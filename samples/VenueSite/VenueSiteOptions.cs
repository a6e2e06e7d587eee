namespace OnSale.Samples.VenueSite;

/// <summary>The sample venue site (section <c>VenueSite</c>).</summary>
public sealed class VenueSiteOptions
{
    public const string SectionName = "VenueSite";

    /// <summary>Where the gateway serves the widget (a path prefix is allowed). Default: <c>http://127.0.0.1:5080</c>.</summary>
    public string GatewayUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The venue key configured on the gateway (<c>Gateway:Venues:{key}</c>). Default: <c>royal-hall</c>.</summary>
    public string VenueKey { get; set; } = "royal-hall";

    /// <summary>The performance the page sells. Default: 1001 (Hamlet in the mock backend).</summary>
    public int PerformanceId { get; set; } = 1001;

    /// <summary>How the page embeds the box office. Default: <see cref="WidgetEmbedding.Loader"/>.</summary>
    public WidgetEmbedding Embedding { get; set; } = WidgetEmbedding.Loader;

    /// <summary>
    /// The venue's identity secret, the same as the gateway's <c>Gateway:Venues:{key}:IdentitySecret</c>. With
    /// <see cref="AccountId"/> the page signs its buyer's identity into <c>data-identity</c>, as a venue's site does for a
    /// signed-in customer when the gateway binds one place per account for hot on-sales. Default: none.
    /// </summary>
    public string? IdentitySecret { get; set; }

    /// <summary>The signed-in customer's account id (letters, digits, <c>-</c>, <c>_</c>), in a real site from its session. Default: none.</summary>
    public string? AccountId { get; set; }
}

/// <summary>The two ways a venue page can embed the box office.</summary>
public enum WidgetEmbedding
{
    /// <summary>The one script tag: the loader creates the frame, sizes it and re-emits its news as DOM events.</summary>
    Loader,

    /// <summary>
    /// A plain <c>&lt;iframe&gt;</c> at the frame's own address, no script: the box office works in it at a fixed height;
    /// it tells the page about itself only once a script of the page says hello to it.
    /// </summary>
    Frame,
}
