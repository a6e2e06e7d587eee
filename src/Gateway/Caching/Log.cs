using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Caching;

internal static partial class Log
{
    // No level in the attribute: the caller passes FailSafeHybridCacheOptions.FailSafeActivationLogLevel.
    [LoggerMessage(EventId = EventIds.CacheFailSafeActivated, Message = "Fail-safe: serving the stale value of {Key} written at {Timestamp} (expired at {ExpiresAt}) because its refresh failed; no refresh before {ThrottledUntil}")]
    public static partial void FailSafeActivated(ILogger logger, LogLevel level, string key, DateTimeOffset timestamp, DateTimeOffset expiresAt, DateTimeOffset throttledUntil, Exception exception);

    [LoggerMessage(EventId = EventIds.CacheFactoryFailed, Level = LogLevel.Information, Message = "Factory for {Key} failed and nothing within the fail-safe window is cached; the error goes to the callers")]
    public static partial void FactoryFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = EventIds.CacheFactoryHardTimeout, Level = LogLevel.Warning, Message = "Factory for {Key} ran longer than the hard timeout of {TimeoutMs} ms and was cancelled")]
    public static partial void FactoryHardTimeout(ILogger logger, string key, double timeoutMs);

    [LoggerMessage(EventId = EventIds.CacheStaleServedAfterSoftTimeout, Level = LogLevel.Debug, Message = "Serving the stale value of {Key} written at {Timestamp}: its refresh is still running after the soft timeout of {TimeoutMs} ms")]
    public static partial void StaleServedAfterSoftTimeout(ILogger logger, string key, DateTimeOffset timestamp, double timeoutMs);

    [LoggerMessage(EventId = EventIds.CacheStaleServedThrottled, Level = LogLevel.Debug, Message = "Serving the stale value of {Key} written at {Timestamp} without a refresh: the last one failed, next attempt after {ThrottledUntil}")]
    public static partial void StaleServedThrottled(ILogger logger, string key, DateTimeOffset timestamp, DateTimeOffset throttledUntil);

    [LoggerMessage(EventId = EventIds.CacheBackgroundRefreshCompleted, Level = LogLevel.Debug, Message = "Refresh of {Key} completed in the background after callers were served the stale value")]
    public static partial void BackgroundRefreshCompleted(ILogger logger, string key);

    [LoggerMessage(EventId = EventIds.CacheDistributedCacheFailed, Level = LogLevel.Warning, Message = "Distributed cache {Operation} of {Key} failed or timed out; going on without it")]
    public static partial void DistributedCacheFailed(ILogger logger, string operation, string key, Exception exception);

    [LoggerMessage(EventId = EventIds.CacheDistributedPayloadTooLarge, Level = LogLevel.Information, Message = "Value of {Key} is {Bytes} bytes, over the limit of {MaximumBytes}: kept in memory only, not written to the distributed cache")]
    public static partial void DistributedPayloadTooLarge(ILogger logger, string key, long bytes, long maximumBytes);

    [LoggerMessage(EventId = EventIds.CacheKeyTooLong, Level = LogLevel.Warning, Message = "Cache key of {Length} characters is longer than {MaximumLength}: bypassing the cache (prefix {KeyPrefix})")]
    public static partial void KeyTooLong(ILogger logger, int length, int maximumLength, string keyPrefix);

    [LoggerMessage(EventId = EventIds.CacheEvicted, Level = LogLevel.Debug, Message = "Evicted {Expired} entries past their fail-safe window and {LeastRecentlyWritten} least recently written to stay within {MaxEntries}")]
    public static partial void Evicted(ILogger logger, int expired, int leastRecentlyWritten, int maxEntries);
}
