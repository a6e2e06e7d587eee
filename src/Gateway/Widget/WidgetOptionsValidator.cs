using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Widget;

/// <summary>
/// Fails start-up on a venue list a browser could not enforce: an origin with a path (which <c>frame-ancestors</c> and
/// CORS would silently never match), a wildcard, a venue with no origin. Each message names the configuration key.
/// </summary>
internal sealed partial class WidgetOptionsValidator : IValidateOptions<WidgetOptions>
{
    public ValidateOptionsResult Validate(string? name, WidgetOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, venue) in options.Venues)
        {
            var prefix = $"{WidgetOptions.SectionName}:{key}";
            if (!VenueKeyPattern().IsMatch(key))
            {
                failures.Add($"{prefix}: the venue key '{key}' must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit.");
            }

            if (venue is null || venue.Origins.Count == 0)
            {
                failures.Add($"{prefix}:Origins is required: list the origins allowed to embed the widget, e.g. {prefix}:Origins:0=https://www.example.org.");
                continue;
            }

            for (var i = 0; i < venue.Origins.Count; i++)
            {
                if (!WebOrigin.TryNormalize(venue.Origins[i], out _))
                {
                    failures.Add($"{prefix}:Origins:{i} = '{venue.Origins[i]}' is not an origin: use scheme://host[:port] with http or https and no path, " +
                        "query, fragment, user name or wildcard, e.g. http://127.0.0.1:5070.");
                }
            }

            if (!CurrencyPattern().IsMatch(venue.Currency ?? string.Empty))
            {
                failures.Add($"{prefix}:Currency = '{venue.Currency}' must be an ISO 4217 code of three capital letters, e.g. GBP.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex VenueKeyPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
