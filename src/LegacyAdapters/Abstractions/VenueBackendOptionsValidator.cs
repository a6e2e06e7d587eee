using Microsoft.Extensions.Options;

namespace OnSale.LegacyAdapters;

/// <summary>Checks the DataAnnotations of <see cref="VenueBackendOptions"/> (source-generated) and that the URL is absolute HTTP(S).</summary>
[OptionsValidator]
internal sealed partial class VenueBackendOptionsValidator : IValidateOptions<VenueBackendOptions>
{
}
