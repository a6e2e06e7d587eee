using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OnSale.LegacyAdapters.Caching;

/// <summary>
/// How <c>AddCachedReads</c> caches <see cref="IVenueBackend.GetAvailabilityAsync"/> and
/// <see cref="IVenueBackend.GetPerformancesAsync"/> in the host's <c>HybridCache</c>. Validated at start-up.
/// </summary>
/// <remarks>
/// Keys are <c>{KeyPrefix}:availability:{performanceId}</c> and <c>{KeyPrefix}:performances</c>. Every entry is tagged
/// <c>{KeyPrefix}</c>, and a performance's availability also <c>{KeyPrefix}:performance:{performanceId}</c>, so that
/// <c>HybridCache.RemoveByTagAsync</c> can drop one performance's entries (after a sale, say) or all of them.
/// </remarks>
public sealed class CachedReadsOptions
{
    /// <summary>
    /// How long a performance's zones and free seats are served from the cache before the backend is asked again.
    /// Seats sell during that time, so keep it short. Default: 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "CachedReadsOptions.AvailabilityExpiration must be between 1 ms and 1 day.")]
    public TimeSpan AvailabilityExpiration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the list of performances is served from the cache before the backend is asked again. Default: 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "CachedReadsOptions.PerformancesExpiration must be between 1 ms and 1 day.")]
    public TimeSpan PerformancesExpiration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The first segment of every key and tag, to keep them apart from other entries in a shared (distributed)
    /// cache, for example one prefix per venue. Default: <c>onsale</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "CachedReadsOptions.KeyPrefix must not be empty.")]
    public string KeyPrefix { get; set; } = "onsale";
}

/// <summary>Checks the DataAnnotations of <see cref="CachedReadsOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class CachedReadsOptionsValidator : IValidateOptions<CachedReadsOptions>
{
}
