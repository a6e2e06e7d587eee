using System.Globalization;

namespace OnSale.Gateway.Widget;

/// <summary>
/// Web origins (RFC 6454) in the serialised form browsers give <c>location.origin</c> and the <c>Origin</c> header:
/// lower-case scheme and host, the port only when it is not the scheme's default, no trailing slash.
/// </summary>
internal static class WebOrigin
{
    /// <summary>Normalises an http(s) origin; false for anything with a path, query, fragment, user info or wildcard.</summary>
    public static bool TryNormalize(string? value, out string origin)
    {
        origin = string.Empty;
        if (string.IsNullOrWhiteSpace(value) || value.Length > 2048 || value.Contains('*', StringComparison.Ordinal) ||
            !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 ||
            uri.Host.Length == 0)
        {
            return false;
        }

        origin = Of(uri);
        return true;
    }

    /// <summary>The origin of an absolute http(s) URL.</summary>
    public static string Of(Uri uri)
    {
        // IdnHost gives the punycode form the browser serialises; IPv6 literals keep their brackets from Host.
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return (uri.Scheme + "://" + host).ToLowerInvariant() + port;
    }
}
