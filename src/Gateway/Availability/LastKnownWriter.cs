using System.Collections.Concurrent;
using System.Threading.Channels;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Availability;

/// <summary>
/// Writes new answers to <see cref="IAvailabilityStore"/> off the request path. <see cref="Save(AvailabilitySnapshot)"/>
/// only notes the answer (a newer one replaces a pending one of the same key) and wakes one loop that writes what is
/// pending in one transaction. New answers come from the cache's refreshes, so a key is written at most about once per
/// fresh period however many read it. What is still pending when the host stops is written then.
/// </summary>
internal sealed partial class LastKnownWriter(IAvailabilityStore store, ILogger<LastKnownWriter> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<int, AvailabilitySnapshot> _pending = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private PerformanceList? _pendingPerformances;

    public void Save(AvailabilitySnapshot snapshot)
    {
        _pending[snapshot.PerformanceId] = snapshot;
        _wake.Writer.TryWrite(true);
    }

    public void Save(PerformanceList performances)
    {
        Volatile.Write(ref _pendingPerformances, performances);
        _wake.Writer.TryWrite(true);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var performances = Interlocked.Exchange(ref _pendingPerformances, null);
        var snapshots = new List<AvailabilitySnapshot>();
        foreach (var performanceId in _pending.Keys)
        {
            if (_pending.TryRemove(performanceId, out var snapshot))
            {
                snapshots.Add(snapshot);
            }
        }

        if (performances is null && snapshots.Count == 0)
        {
            return;
        }

        try
        {
            await store.SaveAsync(performances, snapshots, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not worth failing anything for: the next new answer is written again, and the live cache is unaffected.
            LogSaveFailed(logger, snapshots.Count, performances is not null, ex);
        }
    }

    [LoggerMessage(EventIds.AvailabilityNotSaved, LogLevel.Warning, "Could not keep the last known availability of {Count} performances (performance list: {WithPerformances}) in the store")]
    private static partial void LogSaveFailed(ILogger logger, int count, bool withPerformances, Exception exception);
}
