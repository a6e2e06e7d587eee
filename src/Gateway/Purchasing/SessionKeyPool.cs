using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Purchasing;

/// <summary>
/// Spends the backend's idle capacity before the crowd: session keys fetched ahead for the buyers already waiting for
/// an on-sale (<see cref="PurchasingOptions.SessionKeyPoolSize"/>, within <see cref="PurchasingOptions.SessionKeysAheadOf"/>),
/// so that a purchase on the day costs ReserveTickets and Checkout only. Keys are fetched as prefetch work, which the
/// backend budget serves only when nothing else waits; each is handed out once (a session's checkout buys all its
/// holds) and only while fresh. Once a second, bounded (at most 200 keys, 8 at a time), surviving any error.
/// </summary>
internal sealed partial class SessionKeyPool(
    IVenueBackend backend,
    WaitingRoom.IBuyerAccess rooms,
    TimeProvider time,
    IOptions<PurchasingOptions> options,
    GatewayMetrics metrics,
    ILogger<SessionKeyPool> logger) : BackgroundService
{
    /// <summary>A key idle this long is not handed out: the backend forgets it after 20 minutes, and a purchase takes time.</summary>
    internal static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(15);

    private const int MaxPerRound = 200;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentQueue<(string Key, DateTimeOffset FetchedAt)> _keys = new();
    private long _fetched;
    private long _used;

    /// <summary>Keys ready to hand out now.</summary>
    public int Count => _keys.Count;

    /// <summary>A fresh key nobody else will get, or null (the caller asks the backend for one).</summary>
    public string? TryTake()
    {
        var oldest = time.GetUtcNow() - FreshFor;
        while (_keys.TryDequeue(out var entry))
        {
            if (entry.FetchedAt > oldest)
            {
                Interlocked.Increment(ref _used);
                return entry.Key;
            }
        }

        return null;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Meter.CreateObservableGauge("onsale.session_keys.pooled", () => Count, "{key}", "Session keys fetched ahead of the crowd, ready for purchases.");
        metrics.Meter.CreateObservableCounter("onsale.session_keys.prefetched", () => Interlocked.Read(ref _fetched), "{key}", "Session keys fetched ahead of the crowd.");
        metrics.Meter.CreateObservableCounter("onsale.session_keys.used", () => Interlocked.Read(ref _used), "{key}", "Purchases that took a session key fetched ahead.");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefillAsync(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogNotFetched(logger, ex.GetType().Name, ex.Message);
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
    }

    /// <summary>One round: drop stale keys, then fetch up to what the waiting buyers need.</summary>
    internal async Task RefillAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        DropStale();
        var need = Math.Min(o.SessionKeyPoolSize, rooms.BuyersExpected(o.SessionKeysAheadOf)) - _keys.Count;
        if (need <= 0)
        {
            return;
        }

        using var work = BackendWork.Begin(BackendWorkKind.Prefetch, time);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Math.Min(need, MaxPerRound)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (_, ct) =>
            {
                if (_keys.Count >= Math.Min(o.SessionKeyPoolSize, rooms.BuyersExpected(o.SessionKeysAheadOf)))
                {
                    return; // Enough, or the sale opened while this round ran: the budget is the crowd's now.
                }

                var key = await backend.GetNewSessionKeyAsync(ct);
                _keys.Enqueue((key, time.GetUtcNow()));
                Interlocked.Increment(ref _fetched);
            });
    }

    private void DropStale()
    {
        var oldest = time.GetUtcNow() - FreshFor;
        while (_keys.TryPeek(out var entry) && entry.FetchedAt <= oldest)
        {
            _keys.TryDequeue(out _);
        }
    }

    [LoggerMessage(EventIds.SessionKeysNotFetched, LogLevel.Information, "Session keys were not fetched ahead this round ({Error}: {Message}); trying again")]
    private static partial void LogNotFetched(ILogger logger, string error, string message);
}
