using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OnSale.Gateway.Caching;

/// <summary>
/// The in-memory (L1) entries, bounded by <see cref="FailSafeHybridCacheOptions.MaxEntries"/>. Reads are lock-free;
/// a write that takes the store past its limit evicts under a lock: first every entry past its fail-safe window
/// (it can never be served again), then the least recently written, down to 90% of the limit so that eviction
/// (a scan and a sort) runs once per many writes, not on every one.
/// </summary>
internal sealed class LocalCacheStore
{
    private readonly ConcurrentDictionary<string, CacheEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictionLock = new();
    private readonly TimeProvider _timeProvider;
    private readonly int _maxEntries;
    private long _writeSequence;
    private int _count;

    public LocalCacheStore(int maxEntries, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _maxEntries = maxEntries;
        _timeProvider = timeProvider;
    }

    public int Count => Volatile.Read(ref _count);

    public bool TryGet(string key, [MaybeNullWhen(false)] out CacheEntry entry) => _entries.TryGetValue(key, out entry);

    /// <summary>Stores <paramref name="entry"/> and returns how many entries were evicted to make room.</summary>
    public EvictionResult Set(string key, CacheEntry entry)
    {
        entry.WriteSequence = Interlocked.Increment(ref _writeSequence);
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (_entries.TryUpdate(key, entry, existing))
                {
                    return default;
                }
            }
            else if (_entries.TryAdd(key, entry))
            {
                break;
            }
        }

        return Interlocked.Increment(ref _count) > _maxEntries ? Evict() : default;
    }

    /// <summary>
    /// Stores <paramref name="entry"/> unless the key holds a value produced after it (a newer write must not be
    /// replaced by a throttle marker or an older L2 copy). Returns false when a newer one was kept.
    /// </summary>
    public bool SetUnlessNewer(string key, CacheEntry entry)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.Timestamp > entry.Timestamp)
                {
                    return false;
                }

                entry.WriteSequence = Interlocked.Increment(ref _writeSequence);
                if (_entries.TryUpdate(key, entry, existing))
                {
                    return true;
                }
            }
            else
            {
                Set(key, entry);
                return true;
            }
        }
    }

    /// <summary>Removes <paramref name="key"/> only if it still holds <paramref name="expected"/>.</summary>
    public bool TryRemove(string key, CacheEntry expected)
    {
        if (_entries.TryRemove(new KeyValuePair<string, CacheEntry>(key, expected)))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    public bool Remove(string key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    public int RemoveWhere(Func<CacheEntry, bool> predicate)
    {
        var removed = 0;
        foreach (var (key, entry) in _entries)
        {
            if (predicate(entry) && TryRemove(key, entry))
            {
                removed++;
            }
        }

        return removed;
    }

    private EvictionResult Evict()
    {
        lock (_evictionLock)
        {
            if (Count <= _maxEntries)
            {
                return default;
            }

            var now = _timeProvider.GetUtcNow();
            var target = _maxEntries - (_maxEntries / 10);
            var expired = 0;
            var live = new List<KeyValuePair<string, CacheEntry>>(Count);
            foreach (var pair in _entries)
            {
                if (pair.Value.FailSafeExpiresAt <= now)
                {
                    if (TryRemove(pair.Key, pair.Value))
                    {
                        expired++;
                    }
                }
                else
                {
                    live.Add(pair);
                }
            }

            var oldest = 0;
            if (Count > target)
            {
                live.Sort(static (a, b) => a.Value.WriteSequence.CompareTo(b.Value.WriteSequence));
                foreach (var pair in live)
                {
                    if (Count <= target)
                    {
                        break;
                    }

                    if (TryRemove(pair.Key, pair.Value))
                    {
                        oldest++;
                    }
                }
            }

            return new EvictionResult(expired, oldest);
        }
    }
}

/// <summary>What one eviction removed: entries past their fail-safe window, and live ones (least recently written).</summary>
internal readonly record struct EvictionResult(int Expired, int LeastRecentlyWritten)
{
    public int Total => Expired + LeastRecentlyWritten;
}
