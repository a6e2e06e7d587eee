using System.Collections.Concurrent;
using System.Diagnostics;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>A confirmed purchase as the buyer saw it.</summary>
/// <param name="PurchaseId">The gateway's id, which it sends the backend as the order's clientReference.</param>
/// <param name="OrderId">The backend's order id.</param>
/// <param name="Seats">Seats in the order.</param>
/// <param name="Path">How it was answered first: <c>201</c>, <c>parked</c> or <c>processing</c>.</param>
/// <param name="ConfirmedAt">Seconds since the sale opened when the buyer learnt it was confirmed.</param>
/// <param name="WaitSeconds">Seconds from the buyer's first purchase request until they learnt it was confirmed.</param>
internal sealed record ConfirmedPurchase(string PurchaseId, int OrderId, int Seats, string Path, double ConfirmedAt, double WaitSeconds);

/// <summary>Everything the buyers observe, thread-safe. Times are seconds since the sale opened (Stopwatch time).</summary>
internal sealed class Recorder(long openTimestamp)
{
    private readonly ConcurrentQueue<double> _joinMs = new();
    private readonly ConcurrentQueue<double> _statusMs = new();
    private readonly ConcurrentQueue<(double T, double Ms)> _statusTimed = new();
    private readonly ConcurrentQueue<double> _toldSoldOut = new();
    private readonly ConcurrentQueue<double> _purchaseMs = new();
    private readonly ConcurrentQueue<double> _purchasePollMs = new();
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConfirmedPurchase> _confirmed = new(StringComparer.Ordinal);
    private long _firstAdmittedTicks = long.MaxValue;

    public IReadOnlyCollection<double> JoinMs => _joinMs;

    public IReadOnlyCollection<double> StatusMs => _statusMs;

    /// <summary>Status check latencies with when they ended (seconds since opening).</summary>
    public IReadOnlyCollection<(double T, double Ms)> StatusTimed => _statusTimed;

    /// <summary>When each buyer who gave up on a sold-out show was first told so in their last run of sold-out answers.</summary>
    public IReadOnlyCollection<double> ToldSoldOut => _toldSoldOut;

    public IReadOnlyCollection<double> PurchaseMs => _purchaseMs;

    public IReadOnlyCollection<double> PurchasePollMs => _purchasePollMs;

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public IReadOnlyDictionary<string, ConfirmedPurchase> Confirmed => _confirmed;

    /// <summary>Seconds since opening when the first buyer saw <c>admitted</c>, or null.</summary>
    public double? FirstAdmittedAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _firstAdmittedTicks);
            return ticks == long.MaxValue ? null : Since(ticks);
        }
    }

    public double Now => Since(Stopwatch.GetTimestamp());

    public double Since(long timestamp) => (double)(timestamp - openTimestamp) / Stopwatch.Frequency;

    public void Count(string what, int by = 1) => _counts.AddOrUpdate(what, by, (_, n) => n + by);

    public void Join(double ms) => _joinMs.Enqueue(ms);

    public void SoldOutTold(double at) => _toldSoldOut.Enqueue(at);

    public void Status(double ms)
    {
        _statusMs.Enqueue(ms);
        _statusTimed.Enqueue((Now, ms));
    }

    public void Purchase(double ms) => _purchaseMs.Enqueue(ms);

    public void PurchasePoll(double ms) => _purchasePollMs.Enqueue(ms);

    public void Admitted()
    {
        var now = Stopwatch.GetTimestamp();
        var seen = Interlocked.Read(ref _firstAdmittedTicks);
        while (now < seen)
        {
            var previous = Interlocked.CompareExchange(ref _firstAdmittedTicks, now, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    public void Confirm(ConfirmedPurchase purchase)
    {
        if (!_confirmed.TryAdd(purchase.PurchaseId, purchase))
        {
            Count("error:confirmed_twice");
        }
    }

    /// <summary>The p-th percentile (0..100) by nearest rank, or NaN without samples.</summary>
    public static double Percentile(IReadOnlyCollection<double> samples, double p)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
