namespace OnSale.Gateway.Caching;

/// <summary>
/// One cached value with the instants that decide how it may be served. Immutable once stored: a change (a new
/// value, a throttle) is a new entry swapped in, so readers never see a half-updated one.
/// </summary>
internal abstract class CacheEntry
{
    protected CacheEntry(
        DateTimeOffset timestamp,
        DateTimeOffset expiresAt,
        DateTimeOffset localExpiresAt,
        DateTimeOffset failSafeExpiresAt,
        DateTimeOffset throttledUntil,
        string[] tags)
    {
        Timestamp = timestamp;
        ExpiresAt = expiresAt;
        LocalExpiresAt = localExpiresAt;
        FailSafeExpiresAt = failSafeExpiresAt;
        ThrottledUntil = throttledUntil;
        Tags = tags;
    }

    /// <summary>When the value was produced (by a factory or a set), on the cache's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Until when the value is fresh (its <c>Expiration</c>); this is what L2 keeps.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Until when this instance's L1 answers it without asking L2 or the factory (at most <see cref="ExpiresAt"/>).</summary>
    public DateTimeOffset LocalExpiresAt { get; }

    /// <summary>After this the value is never served again.</summary>
    public DateTimeOffset FailSafeExpiresAt { get; }

    /// <summary>Until when a failed refresh keeps further factory calls away (stale is served instead).</summary>
    public DateTimeOffset ThrottledUntil { get; }

    public string[] Tags { get; }

    /// <summary>Write order, stamped by <see cref="LocalCacheStore"/>; the least recently written are evicted first.</summary>
    public long WriteSequence { get; set; }

    public bool HasTag(string tag) => Array.IndexOf(Tags, tag) >= 0;
}

internal sealed class CacheEntry<T> : CacheEntry
{
    public CacheEntry(
        T value,
        DateTimeOffset timestamp,
        DateTimeOffset expiresAt,
        DateTimeOffset localExpiresAt,
        DateTimeOffset failSafeExpiresAt,
        DateTimeOffset throttledUntil,
        string[] tags)
        : base(timestamp, expiresAt, localExpiresAt, failSafeExpiresAt, throttledUntil, tags)
    {
        Value = value;
    }

    public T Value { get; }

    public CacheEntry<T> WithThrottle(DateTimeOffset until) =>
        new(Value, Timestamp, ExpiresAt, LocalExpiresAt, FailSafeExpiresAt, until, Tags);
}

/// <summary>How long an entry lives, resolved from a call's options and the defaults.</summary>
internal readonly record struct EntryLifetimes(TimeSpan Expiration, TimeSpan LocalExpiration, TimeSpan FailSafeMaxDuration)
{
    /// <summary>How long after it was written an entry may still be served (and is kept in L2).</summary>
    public TimeSpan Longest => Expiration.Ticks > TimeSpan.MaxValue.Ticks - FailSafeMaxDuration.Ticks
        ? TimeSpan.MaxValue
        : Expiration + FailSafeMaxDuration;

    public CacheEntry<T> Create<T>(T value, DateTimeOffset now, string[] tags)
    {
        var expiresAt = Instants.Add(now, Expiration);
        return new CacheEntry<T>(
            value,
            now,
            expiresAt,
            Instants.Add(now, LocalExpiration),
            Instants.Add(expiresAt, FailSafeMaxDuration),
            DateTimeOffset.MinValue,
            tags);
    }

    /// <summary>An entry read from L2: its own timestamps, with this instance's local expiry and fail-safe window.</summary>
    public CacheEntry<T> Restore<T>(T value, DateTimeOffset timestamp, DateTimeOffset expiresAt, DateTimeOffset now, string[] tags)
    {
        var localExpiresAt = Instants.Add(now, LocalExpiration);
        return new CacheEntry<T>(
            value,
            timestamp,
            expiresAt,
            localExpiresAt < expiresAt ? localExpiresAt : expiresAt,
            Instants.Add(expiresAt, FailSafeMaxDuration),
            DateTimeOffset.MinValue,
            tags);
    }
}

internal static class Instants
{
    /// <summary>Adds without overflowing: an expiration of <see cref="TimeSpan.MaxValue"/> means "never".</summary>
    public static DateTimeOffset Add(DateTimeOffset instant, TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return instant;
        }

        return span.Ticks >= DateTimeOffset.MaxValue.UtcTicks - instant.UtcTicks ? DateTimeOffset.MaxValue : instant + span;
    }

    /// <summary>Subtracts without underflowing.</summary>
    public static DateTimeOffset Subtract(DateTimeOffset instant, TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return instant;
        }

        return span.Ticks >= instant.UtcTicks - DateTimeOffset.MinValue.UtcTicks ? DateTimeOffset.MinValue : instant - span;
    }
}
