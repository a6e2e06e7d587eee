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
}
