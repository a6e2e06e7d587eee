using System.Collections.Concurrent;

namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>A session key with a sliding expiry and the holds made in it.</summary>
internal sealed class Session(string key, DateTimeOffset createdAt)
{
    private long _lastUsedUtcTicks = createdAt.UtcTicks;

    public string Key { get; } = key;

    /// <summary>The session's holds by line item id; a hold leaves when it is released, expires or is sold.</summary>
    public ConcurrentDictionary<int, Hold> Holds { get; } = new();

    /// <summary>True when the session is still alive at <paramref name="now"/>, in which case its expiry slides to now + lifetime.</summary>
    public bool TryTouch(DateTimeOffset now, TimeSpan lifetime)
    {
        var nowTicks = now.UtcTicks;
        while (true)
        {
            var last = Volatile.Read(ref _lastUsedUtcTicks);
            if (nowTicks >= last + lifetime.Ticks)
            {
                return false;
            }

            if (nowTicks <= last || Interlocked.CompareExchange(ref _lastUsedUtcTicks, nowTicks, last) == last)
            {
                return true;
            }
        }
    }

    public bool IsExpired(DateTimeOffset now, TimeSpan lifetime) => now.UtcTicks >= Volatile.Read(ref _lastUsedUtcTicks) + lifetime.Ticks;
}
