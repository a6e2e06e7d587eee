using System.ComponentModel.DataAnnotations;

namespace OnSale.LegacyAdapters;

/// <summary>The wire protocol a backend speaks.</summary>
public enum VenueBackendProtocol
{
    /// <summary>SOAP 1.1, document/literal wrapped, as WCF's BasicHttpBinding speaks it (endpoint <c>…/VenueService.svc</c>).</summary>
    Soap,

    /// <summary>XML-RPC 1.0 (endpoint <c>…/RPC2</c>).</summary>
    XmlRpc,
}

/// <summary>
/// How to reach the backend. Bound from the configuration section <c>Gateway:Backend</c> by
/// <c>AddVenueBackend(configuration)</c>; validated at start-up.
/// </summary>
public sealed class VenueBackendOptions : IValidatableObject
{
    /// <summary>The configuration section these options are bound from by default.</summary>
    public const string SectionName = "Gateway:Backend";

    /// <summary>The wire protocol. Default: <see cref="VenueBackendProtocol.Soap"/>.</summary>
    public VenueBackendProtocol Protocol { get; set; } = VenueBackendProtocol.Soap;

    /// <summary>The backend's endpoint, for example <c>http://venue-box/VenueService.svc</c> or <c>http://venue-box/RPC2</c>. Required.</summary>
    [Required(ErrorMessage = "Gateway:Backend:Url is required: the backend's endpoint, e.g. http://127.0.0.1:5090/VenueService.svc (Soap) or http://127.0.0.1:5090/RPC2 (XmlRpc).")]
    public Uri? Url { get; set; }

    /// <summary>How long one call may take before it fails with <see cref="BackendTimeoutException"/>. Default: 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ErrorMessage = "Gateway:Backend:Timeout must be between 1 ms and 10 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest response body accepted, in bytes; a larger one fails with <see cref="ProtocolErrorException"/>. Default: 4 MiB.</summary>
    [Range(1024, 256 * 1024 * 1024, ErrorMessage = "Gateway:Backend:MaxResponseBytes must be between 1 KiB and 256 MiB.")]
    public int MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"Gateway:Backend:Url must be an absolute http or https URL; got '{url}'.",
                [nameof(Url)]);
        }
    }
}
