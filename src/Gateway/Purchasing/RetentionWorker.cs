using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Purchasing;

/// <summary>What one retention run erased (all zero when it failed).</summary>
internal sealed record RetentionRun(DateTimeOffset At, int Emails, int HoldSessions, int Holds, bool Failed);

/// <summary>
/// Erases what the gateway no longer needs to keep, every <see cref="PurchasingOptions.RetentionInterval"/>: the email
/// (and client address) of purchases settled more than <see cref="PurchasingOptions.EmailRetention"/> ago, the backend
/// session of expired holds (the backend let their seats go), and holds a day past their expiry. Each run erases at
/// most <see cref="PurchasingOptions.RetentionBatchSize"/> of each, is logged and counted, and no error stops the loop.
/// A run that filled a batch is followed by the next after <see cref="CatchUpPause"/>, so that a backlog (the first
/// start after an upgrade) is worked off within minutes, in short writes, rather than one batch an interval.
/// Payment tokens and purchases' sessions need no run: settling a purchase erases them.
/// </summary>
internal sealed partial class RetentionWorker(
    IPurchaseJournal journal,
    IHoldStore holds,
    TimeProvider time,
    IOptions<PurchasingOptions> options,
    GatewayMetrics metrics,
    ILogger<RetentionWorker> logger) : BackgroundService
{
    /// <summary>How long a hold is kept past its expiry, for a late release or a parked checkout of it to find it.</summary>
    public static readonly TimeSpan HoldsKeptFor = TimeSpan.FromDays(1);

    /// <summary>Between runs while a backlog lasts: the store's writer is free for purchases in between.</summary>
    public static readonly TimeSpan CatchUpPause = TimeSpan.FromSeconds(1);

    private volatile RetentionRun? _lastRun;

    public RetentionRun? LastRun => _lastRun;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // not on the host's start-up path

        // The first run at once: what fell due while the gateway was stopped. Then on a schedule of due times rather
        // than pauses, so that a clock that jumps ahead runs what is due.
        var due = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }

                var o = options.Value;
                var run = await RunOnceAsync(stoppingToken);
                var full = Math.Max(run.Emails, Math.Max(run.HoldSessions, run.Holds)) >= o.RetentionBatchSize;
                due = time.GetUtcNow() + (full && CatchUpPause < o.RetentionInterval ? CatchUpPause : o.RetentionInterval);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One run. It never throws but for shutdown: a failure is logged, counted and left to the next run.</summary>
    internal async Task<RetentionRun> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        RetentionRun run;
        try
        {
            var (sessions, deleted) = await holds.ForgetExpiredAsync(now, now - HoldsKeptFor, o.RetentionBatchSize, cancellationToken);

            // Last, because the journal also clears the store's files of what this run and the hot path erased.
            var emails = await journal.EraseEmailsAsync(now - o.EmailRetention, o.RetentionBatchSize, cancellationToken);
            run = new RetentionRun(now, emails, sessions, deleted, Failed: false);
            metrics.RetentionErased("email", emails);
            metrics.RetentionErased("hold_session", sessions);
            metrics.RetentionErased("hold", deleted);
            metrics.RetentionRun("done");
            LogRun(logger, emails + sessions + deleted > 0 ? LogLevel.Information : LogLevel.Debug, emails, sessions, deleted);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            run = new RetentionRun(now, 0, 0, 0, Failed: true);
            metrics.RetentionRun("failed");
            LogRunFailed(logger, ex, o.RetentionInterval);
        }

        _lastRun = run;
        return run;
    }

    [LoggerMessage(EventId = EventIds.RetentionRun, Message = "Retention run: erased {Emails} email(s) of settled purchases and {HoldSessions} session(s) of expired holds, deleted {Holds} old hold(s)")]
    private static partial void LogRun(ILogger logger, LogLevel level, int emails, int holdSessions, int holds);

    [LoggerMessage(EventIds.RetentionRunFailed, LogLevel.Error, "Retention run failed; the next one in {Interval} tries again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, TimeSpan interval);
}
