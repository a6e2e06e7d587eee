using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Widget;

/// <summary>A configured venue with its origins normalised (see <see cref="WebOrigin"/>).</summary>
internal sealed record Venue(string Key, IReadOnlyList<string> Origins, string Currency)
{
    /// <summary>True when <paramref name="origin"/> (already normalised) may embed this venue's widget.</summary>
    public bool Allows(string origin) => Origins.Contains(origin, StringComparer.Ordinal);

    /// <summary>The CSP source list of the origins, for <c>frame-ancestors</c>.</summary>
    public string FrameAncestors => string.Join(' ', Origins);
}

/// <summary>The venues of <see cref="WidgetOptions"/>, normalised once (the options are validated at start-up).</summary>
internal sealed class VenueRegistry
{
    private readonly Dictionary<string, Venue> _venues;

    public VenueRegistry(IOptions<WidgetOptions> options)
    {
        _venues = new Dictionary<string, Venue>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, venue) in options.Value.Venues)
        {
            var origins = venue.Origins
                .Select(o => WebOrigin.TryNormalize(o, out var origin) ? origin : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            _venues[key] = new Venue(key, origins, venue.Currency);
        }

        AllOrigins = [.. _venues.Values.SelectMany(v => v.Origins).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        WithOrigins = [.. _venues.Values.Where(v => v.Origins.Count > 0).Select(v => v.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>The keys of the venues with at least one origin: those whose pages may embed the widget.</summary>
    public IReadOnlyList<string> WithOrigins { get; }

    /// <summary>Every venue's origins: the browsers that may call <c>/api/v1</c> cross-origin.</summary>
    public IReadOnlyList<string> AllOrigins { get; }

    public Venue? Find(string? key) => key is not null && _venues.TryGetValue(key, out var venue) ? venue : null;
}
