using System.ComponentModel.DataAnnotations;

namespace OnSale.Gateway.Purchasing;

/// <summary>Purchases, parking and replay (section <c>Gateway:Purchasing</c>).</summary>
public sealed class PurchasingOptions
{
    public const string SectionName = "Gateway:Purchasing";

    /// <summary>
    /// Of the request's deadline, how much to keep for parking a purchase when the backend is too slow to finish it
    /// live. Default: 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan ParkReserve { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The most seats the purchases of one client (an IPv4 address or an IPv6 /64) may have waiting for the box office at
    /// once, whatever their tokens: parking promises seats before the box office has seen the payment, so tokens that
    /// will be declined must not promise a zone away. Default: 40 (four buyers' shares behind one address).
    /// </summary>
    [Range(1, 100_000)]
    public int MaxParkedSeatsPerClient { get; set; } = 40;

    /// <summary>
    /// A parked purchase that could not even be attempted for this long fails with <c>expired</c> (never one whose
    /// checkout may have reached the backend, until FindOrder says it did not). Default: 30 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan ParkedMaxAge { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The most parked purchases replayed at once; the worker starts at one and ramps up. Default: 4.</summary>
    [Range(1, 256)]
    public int ReplayMaxConcurrency { get; set; } = 4;

    /// <summary>The longest pause between replay rounds while the backend is in trouble. Default: 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReplayMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Session keys fetched ahead of the crowd, at most, so that a purchase on the day costs two backend calls instead
    /// of three (0: none). Kept while fresh (a key lives 20 minutes without use; one older than 15 is dropped), fetched
    /// only for buyers already in the lobby of an on-sale within <see cref="SessionKeysAheadOf"/> (never once it has
    /// opened), and only with budget no other work wants. Default: 5,000.
    /// </summary>
    [Range(0, 100_000)]
    public int SessionKeyPoolSize { get; set; } = 5_000;

    /// <summary>How long before an on-sale its waiting buyers' session keys may be fetched. Default: 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:15:00")]
    public TimeSpan SessionKeysAheadOf { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the worker looks for work when nobody wakes it. Default: 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReplayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a settled (confirmed or failed) purchase keeps its buyer's email, and the client address it came from,
    /// for support to find it; then both are erased. The purchase itself stays and still answers by its id. A purchase
    /// set aside for support keeps them until it settles. Default: 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "400.00:00:00")]
    public TimeSpan EmailRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How often the retention run erases what is due: settled purchases' emails, expired holds' backend sessions, and
    /// holds a day past their expiry. Default: 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The most items of each kind one retention run erases, so that it holds the store's writer only briefly; a larger
    /// backlog is erased by the next runs, the oldest first, a second apart. Default: 5000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int RetentionBatchSize { get; set; } = 5000;
}
