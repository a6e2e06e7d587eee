using System.Security;
using System.Text.RegularExpressions;

namespace OnSale.Mocks.VenueBackend.Soap;

/// <summary>
/// The project's WSDL (embedded from src/LegacyAdapters/Soap/venue-backend.wsdl), served with only its
/// <c>soap:address location</c> rewritten to the address the caller used.
/// </summary>
internal sealed partial class WsdlDocument
{
    public const string ResourceName = "OnSale.Mocks.VenueBackend.venue-backend.wsdl";

    public WsdlDocument()
    {
        using var stream = typeof(WsdlDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        Text = reader.ReadToEnd();
        if (AddressLocation().Matches(Text).Count != 1)
        {
            throw new InvalidOperationException("The WSDL must hold exactly one soap:address location.");
        }
    }

    /// <summary>The WSDL as embedded.</summary>
    public string Text { get; }

    /// <summary>The WSDL with soap:address pointing at <paramref name="serviceUrl"/>.</summary>
    public string Render(string serviceUrl) =>
        AddressLocation().Replace(Text, match => match.Groups["head"].Value + SecurityElement.Escape(serviceUrl) + "\"", 1);

    [GeneratedRegex(@"(?<head><soap:address\s+location="")[^""]*""", RegexOptions.CultureInvariant)]
    private static partial Regex AddressLocation();
}
