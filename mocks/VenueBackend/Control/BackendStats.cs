using System.Collections.Concurrent;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Control;

/// <summary>Counters of backend calls, fed by the fault injector that every call passes through.</summary>
internal sealed class BackendStats
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private long _rejected;
    private long _faultsInjected;
    private int _maxConcurrency;

    public BackendStats()
    {
        Reset(0);
    }

    public long Rejected => Interlocked.Read(ref _rejected);

    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    public int MaxConcurrency => Volatile.Read(ref _maxConcurrency);

    /// <summary>Every operation, with 0 for those not called yet.</summary>
    public IReadOnlyDictionary<string, long> Calls =>
        new SortedDictionary<string, long>(_calls.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);

    public void RecordCall(string operation) => _calls.AddOrUpdate(operation, 1, static (_, n) => n + 1);

    public void RecordRejected() => Interlocked.Increment(ref _rejected);

    public void RecordFaultInjected() => Interlocked.Increment(ref _faultsInjected);

    public void ObserveConcurrency(int inFlight)
    {
        var seen = Volatile.Read(ref _maxConcurrency);
        while (inFlight > seen)
        {
            var previous = Interlocked.CompareExchange(ref _maxConcurrency, inFlight, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>Zeroes the counters; the concurrency high-water mark restarts from the calls in flight now.</summary>
    public void Reset(int currentConcurrency)
    {
        foreach (var operation in VenueOperations.All)
        {
            _calls[operation] = 0;
        }

        Interlocked.Exchange(ref _rejected, 0);
        Interlocked.Exchange(ref _faultsInjected, 0);
        Interlocked.Exchange(ref _maxConcurrency, currentConcurrency);
    }
}
