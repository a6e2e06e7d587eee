using Microsoft.Extensions.Logging;
using OnSale.Mocks.VenueBackend.Control;

namespace OnSale.Mocks.VenueBackend.Faults;

/// <summary>
/// Fault settings that change by themselves at given moments: a box whose capacity halves twenty seconds into an
/// on-sale and comes back thirty seconds later (PUT <c>/control/faults/schedule</c>). Each step replaces the whole
/// fault settings when it comes due, on the real clock like every delay of the fault injector. A new schedule, an
/// explicit PUT or DELETE of <c>/control/faults</c>, or a reset cancels the steps still pending.
/// </summary>
internal sealed class FaultSchedule(FaultInjector faults, ILogger<FaultSchedule> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private IReadOnlyList<ScheduledStep> _pending = [];

    /// <summary>Steps not yet applied, in order.</summary>
    public IReadOnlyList<ScheduledStep> Pending
    {
        get
        {
            lock (_gate)
            {
                var now = Environment.TickCount64;
                return [.. _pending.Where(s => s.DueTick > now)];
            }
        }
    }

    /// <summary>Replaces any pending schedule with <paramref name="steps"/>, each due <c>AfterSeconds</c> from now.</summary>
    public IReadOnlyList<ScheduledStep> Start(IReadOnlyList<FaultScheduleStep> steps)
    {
        var start = Environment.TickCount64;
        var scheduled = steps
            .Select(s => new ScheduledStep(start + (long)Math.Round(s.AfterSeconds!.Value * 1000), s.AfterSeconds.Value, FaultSettingsValidator.Normalize(s.Faults!)))
            .OrderBy(s => s.DueTick)
            .ToList();
        var cancellation = new CancellationTokenSource();
        lock (_gate)
        {
            _running?.Cancel();
            _running?.Dispose();
            _running = cancellation;
            _pending = scheduled;
        }

        _ = RunAsync(scheduled, cancellation.Token);
        return scheduled;
    }

    /// <summary>Drops the steps still pending (the settings in force stay).</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            _running?.Cancel();
            _running?.Dispose();
            _running = null;
            _pending = [];
        }
    }

    public void Dispose() => Cancel();

    private async Task RunAsync(IReadOnlyList<ScheduledStep> steps, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var step in steps)
            {
                var wait = step.DueTick - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    faults.Settings = step.Faults;
                }

                Log.ScheduledFaultsApplied(logger, step.AfterSeconds);
            }
        }
        catch (OperationCanceledException)
        {
            // Replaced or cancelled.
        }
    }
}

/// <summary>A step of a schedule as it will run: when (a tick of <see cref="Environment.TickCount64"/>) and what.</summary>
internal sealed record ScheduledStep(long DueTick, double AfterSeconds, FaultSettings Faults);
