using System.ComponentModel.DataAnnotations;

namespace OnSale.Gateway.Availability;

/// <summary>How fresh availability must be (section <c>Gateway:Availability</c>).</summary>
public sealed class AvailabilityOptions
{
    public const string SectionName = "Gateway:Availability";

    /// <summary>How long a backend answer counts as fresh; after it, the next read refreshes it. Default: 2 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan FreshFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the list of performances counts as fresh. Default: 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan PerformancesFreshFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An answer older than <see cref="FreshFor"/> plus this is marked <c>stale</c>: its refresh failed or is still
    /// waiting for the backend. The slack covers the refresh itself. Default: 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan StaleTolerance { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a shared cache in front of the gateway (a CDN, a proxy, a browser) may go on serving its copy of a public
    /// read when it cannot reach the gateway or gets an error from it: the <c>stale-if-error</c> of their
    /// <c>Cache-Control</c> (RFC 5861). Default: 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan StaleIfError { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Of the request's deadline, how much to keep for answering from the last known values when the backend is slow.
    /// Default: 300 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan AnswerReserve { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The longest warm-up that is taken as written: a longer one warms from this long before the opening.</summary>
    public static readonly TimeSpan MaxWarmUpBefore = TimeSpan.FromDays(1);

    /// <summary>
    /// How long before a performance's <c>onSaleAt</c> its availability is fetched and kept fresh, so that the crowd
    /// arriving early finds it in cache (<c>Gateway:Availability:WarmUpBefore</c>, CONTRACT.md §3). Zero turns the
    /// warm-up off; a negative value is refused at start; beyond <see cref="MaxWarmUpBefore"/> it is taken as that, and
    /// logged (see <see cref="WarmUpWindow"/>). Default: 30 minutes.
    /// </summary>
    public TimeSpan WarmUpBefore { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary><see cref="WarmUpBefore"/> as applied: at most <see cref="MaxWarmUpBefore"/>; zero when off.</summary>
    internal TimeSpan WarmUpWindow => WarmUpBefore > MaxWarmUpBefore ? MaxWarmUpBefore : WarmUpBefore;
}
