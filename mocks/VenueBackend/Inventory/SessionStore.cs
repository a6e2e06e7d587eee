using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>Session keys: 32 random lowercase hex characters, expiring after 20 minutes without use.</summary>
internal sealed class SessionStore(TimeProvider time)
{
    /// <summary>A session expires this long after its last use (CONTRACT.md §1).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(20);

    // Expired sessions are dropped when touched; a sweep every so many new keys keeps abandoned ones from piling up.
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private int _created;

    public int Count => _sessions.Count;

    public Session Create()
    {
        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref _created) % SweepEvery == 0)
        {
            Sweep(now);
        }

        while (true)
        {
            var session = new Session(RandomNumberGenerator.GetHexString(32, lowercase: true), now);
            if (_sessions.TryAdd(session.Key, session))
            {
                return session;
            }
        }
    }

    /// <summary>The live session for <paramref name="key"/>, renewed; fault 101 when unknown or expired.</summary>
    public Session Use(string? key)
    {
        var now = time.GetUtcNow();
        if (key is not null && _sessions.TryGetValue(key, out var session))
        {
            if (session.TryTouch(now, Lifetime))
            {
                return session;
            }

            _sessions.TryRemove(new KeyValuePair<string, Session>(key, session));
        }

        throw new VenueFaultException(VenueFaultCodes.SessionExpired, "Session key is unknown or has expired");
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var pair in _sessions)
        {
            if (pair.Value.IsExpired(now, Lifetime))
            {
                _sessions.TryRemove(pair);
            }
        }
    }
}
