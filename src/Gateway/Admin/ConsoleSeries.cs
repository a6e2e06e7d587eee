using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;

namespace OnSale.Gateway.Admin;

/// <summary>One second of the backend and the parked purchases as this node saw it: a point on the console's charts.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="P50Ms">Median backend latency over the last 5 s, ms (0 with no calls).</param>
/// <param name="P99Ms">99th percentile backend latency over the last 5 s, ms.</param>
/// <param name="ErrorRate">Share of backend calls over the last 5 s that failed, 0–1.</param>
/// <param name="CallsPerSecond">Backend calls this node started in the last second.</param>
/// <param name="BudgetPerSecond">The learned (or configured) budget of backend calls per second.</param>
/// <param name="Parked">Purchases parked or processing.</param>
/// <param name="Breaker">The breaker's state then.</param>
/// <param name="Degraded">Degraded mode (manual or the breaker) in effect then.</param>
internal sealed record ConsoleSample(
    DateTimeOffset At, double P50Ms, double P99Ms, double ErrorRate, int CallsPerSecond, double BudgetPerSecond, int Parked, string Breaker, bool Degraded);

/// <summary><c>GET /admin/api/series</c>: the last minutes, oldest first, one sample a second.</summary>
internal sealed record ConsoleSeries(int PeriodSeconds, IReadOnlyList<ConsoleSample> Samples);

/// <summary>
/// Takes a <see cref="ConsoleSample"/> once a second and keeps the last <see cref="Kept"/> (ten minutes) in a ring: a
/// bounded loop (one count of parked purchases a second from the store, the rest from memory) whose failures are
/// logged and leave a gap, never a stale point.
/// </summary>
internal sealed partial class ConsoleSeriesSampler(
    BackendHealth health,
    BackendBudget budget,
    BackendResilience resilience,
    DegradedMode mode,
    IPurchaseJournal journal,
    TimeProvider time,
    ILogger<ConsoleSeriesSampler> logger) : BackgroundService
{
    public const int Kept = 600;
    private readonly ConsoleSample?[] _ring = new ConsoleSample?[Kept];
    private readonly Lock _lock = new();
    private long _taken;

    public ConsoleSeries Read()
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_taken, Kept);
            var samples = new List<ConsoleSample>(count);
            for (var i = _taken - count; i < _taken; i++)
            {
                if (_ring[i % Kept] is { } sample)
                {
                    samples.Add(sample);
                }
            }

            return new ConsoleSeries((int)EverySecond.Period.TotalSeconds, samples);
        }
    }

    /// <summary>The parked count the given time ago, from the ring; null while the ring does not reach back so far.</summary>
    public int? ParkedAgo(TimeSpan ago)
    {
        var at = time.GetUtcNow() - ago;
        lock (_lock)
        {
            ConsoleSample? oldest = null;
            for (var i = Math.Max(0, _taken - Kept); i < _taken; i++)
            {
                if (_ring[i % Kept] is not { } sample)
                {
                    continue;
                }

                oldest ??= sample;
                if (sample.At >= at)
                {
                    return oldest.At > at + EverySecond.Period ? null : sample.Parked;
                }
            }
        }

        return null;
    }

    /// <summary>Takes one sample now (the loop's round; tests call it on a manual clock).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var h = health.Snapshot();
        var b = budget.Snapshot();
        var sample = new ConsoleSample(
            time.GetUtcNow(),
            Math.Round(h.P50.TotalMilliseconds, 1),
            Math.Round(h.P99.TotalMilliseconds, 1),
            Math.Round(h.FailureRatio, 3),
            b.StartedLastSecond,
            Math.Round(b.CallsPerSecond, 1),
            await journal.CountPendingAsync(cancellationToken),
            StatusReader.BreakerName(resilience.State),
            mode.IsDegraded);
        lock (_lock)
        {
            _ring[_taken % Kept] = sample;
            _taken++;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => EverySecond.RunAsync(RoundAsync, time, stoppingToken);

    private async Task RoundAsync()
    {
        try
        {
            await SampleAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                _ring[_taken % Kept] = null;
                _taken++;
            }

            LogSampleFailed(logger, ex);
        }
    }

    [LoggerMessage(EventIds.ConsoleSampleFailed, LogLevel.Warning, "The console's sample of this second failed; its charts show a gap")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
