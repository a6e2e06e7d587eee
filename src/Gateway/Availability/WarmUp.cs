using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Availability;

/// <summary>
/// Fetches the availability of every performance whose <c>onSaleAt</c> is within
/// <see cref="AvailabilityOptions.WarmUpBefore"/> and keeps it fresh until it opens, so that the crowd arriving early
/// finds it in cache instead of queueing behind the first backend call (and the performance list, which the round reads,
/// stays fresh too). Once a second, on the gateway's clock: at most <see cref="MostPerRound"/> performances, soonest
/// first, <see cref="AtOnce"/> at a time, through the cache (a call only when the cached answer is due; in Redis mode the
/// nodes share the cache, so one node's call serves all). The calls are prefetch work, which the backend budget serves
/// only when nothing else waits; a round is skipped while anything else waits, so that the warm-up never holds a key's
/// refresh while buyers stand behind it (and while the state is not restored yet). Once a performance opens, its
/// buyers' reads keep it fresh. Failures are logged (once per performance until it warms again) and counted; the host
/// never stops for them.
/// </summary>
internal sealed partial class WarmUp(
    AvailabilityService availability,
    BackendBudget budget,
    GatewayReadiness restored,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    IOptions<AvailabilityOptions> options,
    GatewayMetrics metrics,
    ILogger<WarmUp> logger) : BackgroundService
{
    internal const int MostPerRound = 20;
    private const int AtOnce = 4;

    private readonly Dictionary<int, bool> _failing = [];
    private readonly Lock _lock = new();
    private long _warmed;
    private long _failed;
    private long _skipped;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.WarmUpBefore > AvailabilityOptions.MaxWarmUpBefore)
        {
            LogClamped(logger, o.WarmUpBefore, AvailabilityOptions.MaxWarmUpBefore);
        }

        metrics.Meter.CreateObservableCounter("onsale.availability.warmups", Observe, "{read}", "Warm-up reads of performances about to go on sale, by result: done, failed, skipped (the backend was busy with other work).");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.WarmUpWindow <= TimeSpan.Zero)
        {
            return;
        }

        // Not before the host has started, with the state restored: the restorer marks the answers it brings back as
        // fallbacks, and a warm answer saved just before it read them would be taken for one.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        await EverySecond.RunAsync(() => RoundAsync(stoppingToken), time, stoppingToken);
    }

    /// <summary>The performances to warm now, soonest first: on sale after now and at most the warm-up window ahead.</summary>
    internal static IReadOnlyList<Performance> Due(IEnumerable<Performance> performances, DateTimeOffset now, TimeSpan window) =>
        [.. performances.Where(p => p.OnSaleAt > now && p.OnSaleAt - now <= window).OrderBy(p => p.OnSaleAt).ThenBy(p => p.Id).Take(MostPerRound)];

    /// <summary>One round: the list, then each performance due; never throws but for the host stopping.</summary>
    internal async Task RoundAsync(CancellationToken cancellationToken)
    {
        if (options.Value.WarmUpWindow <= TimeSpan.Zero || !restored.IsReady)
        {
            return; // Off, or the state is still being restored (a store that was not there at start).
        }

        try
        {
            var waiting = budget.Snapshot().Waiting;
            if (waiting.Where((_, kind) => kind != (int)BackendWorkKind.Prefetch).Any(w => w > 0))
            {
                Interlocked.Increment(ref _skipped);
                return;
            }

            using var work = BackendWork.Begin(BackendWorkKind.Prefetch, time);
            if (await availability.GetPerformancesAsync(cancellationToken) is not { } list)
            {
                return; // Never known: the next round asks again (the cache throttles a failing backend meanwhile).
            }

            var due = Due(list.Performances, time.GetUtcNow(), options.Value.WarmUpWindow);
            Forget(due);
            await Parallel.ForEachAsync(
                due,
                new ParallelOptions { MaxDegreeOfParallelism = AtOnce, CancellationToken = cancellationToken },
                async (performance, ct) => await WarmOneAsync(performance, ct));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            LogRoundFailed(logger, ex);
        }
    }

    private async Task WarmOneAsync(Performance performance, CancellationToken cancellationToken)
    {
        string? failure;
        try
        {
            failure = await availability.WarmAsync(performance.Id, cancellationToken)
                ? null
                : "the backend did not answer in time; the cache holds the last good answer";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = $"{ex.GetType().Name}: {ex.Message}";
        }

        Interlocked.Increment(ref failure is null ? ref _warmed : ref _failed);
        var wasFailing = Mark(performance.Id, failing: failure is not null);
        if (failure is null && wasFailing is not false)
        {
            LogWarming(logger, performance.Id, performance.OnSaleAt);
        }
        else if (failure is not null && wasFailing is not true)
        {
            LogFailed(logger, performance.Id, performance.OnSaleAt, failure);
        }
    }

    /// <summary>Sets whether the performance's last warm-up failed; returns what it was (null: never warmed before).</summary>
    private bool? Mark(int performanceId, bool failing)
    {
        lock (_lock)
        {
            bool? was = _failing.TryGetValue(performanceId, out var before) ? before : null;
            _failing[performanceId] = failing;
            return was;
        }
    }

    /// <summary>Forgets the performances no longer due (opened, moved), so that what is kept stays as small as a round.</summary>
    private void Forget(IReadOnlyList<Performance> due)
    {
        lock (_lock)
        {
            foreach (var id in _failing.Keys.Where(id => !due.Any(p => p.Id == id)).ToList())
            {
                _failing.Remove(id);
            }
        }
    }

    private IEnumerable<Measurement<long>> Observe() =>
    [
        new(Interlocked.Read(ref _warmed), new KeyValuePair<string, object?>("result", "done")),
        new(Interlocked.Read(ref _failed), new KeyValuePair<string, object?>("result", "failed")),
        new(Interlocked.Read(ref _skipped), new KeyValuePair<string, object?>("result", "skipped")),
    ];

    [LoggerMessage(EventIds.WarmUpClamped, LogLevel.Warning, "Gateway:Availability:WarmUpBefore ({Configured}) is longer than the warm-up goes: performances are warmed from {Applied} before their on-sale")]
    private static partial void LogClamped(ILogger logger, TimeSpan configured, TimeSpan applied);

    [LoggerMessage(EventIds.WarmUpStarted, LogLevel.Information, "Availability of performance {PerformanceId} is warm and kept fresh until it goes on sale at {OnSaleAt}")]
    private static partial void LogWarming(ILogger logger, int performanceId, DateTimeOffset onSaleAt);

    [LoggerMessage(EventIds.WarmUpFailed, LogLevel.Warning, "Could not warm the availability of performance {PerformanceId}, on sale at {OnSaleAt} ({Failure}); trying again every second")]
    private static partial void LogFailed(ILogger logger, int performanceId, DateTimeOffset onSaleAt, string failure);

    [LoggerMessage(EventIds.WarmUpRoundFailed, LogLevel.Error, "A warm-up round failed; the next one runs in a second")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
