namespace OnSale.Tests.Common.Time;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test says so, with timers that fire as it moves.
/// Stands in for Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider, which cannot be restored here
/// (PACKAGES.md); the surface (<see cref="Advance"/>, <see cref="SetUtcNow"/>) is the same so it can be swapped.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _timestamp;

    /// <summary>Starts the clock at 2026-11-22 09:00 UTC, or at <paramref name="start"/>.</summary>
    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The local time zone: UTC, so that tests do not depend on the machine.</summary>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _timestamp;
        }
    }

    /// <summary>Moves the clock forward and fires every timer that comes due, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        // Fire due timers one at a time, moving the clock to each due time, so callbacks see a consistent now.
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                var step = due is null ? target : (due.DueAt > _now ? due.DueAt : _now);
                _timestamp += (step - _now).Ticks;
                _now = step;
                if (due is null)
                {
                    return;
                }

                due.Reschedule(_now);
            }

            due.Fire();
        }
    }

    /// <summary>Moves the clock to <paramref name="value"/> (forward only), firing due timers.</summary>
    public void SetUtcNow(DateTimeOffset value) => Advance(value - GetUtcNow());

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ManualTimer timer, bool active)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
            if (active)
            {
                _timers.Add(timer);
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                owner.Schedule(this, active: false);
                return true;
            }

            DueAt = owner.GetUtcNow() + dueTime;
            owner.Schedule(this, active: true);
            return true;
        }

        // Called under the owner's lock when the timer fires: periodic timers move on, one-shots leave the list.
        public void Reschedule(DateTimeOffset now)
        {
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero)
            {
                owner._timers.Remove(this);
            }
            else
            {
                DueAt = now + _period;
            }
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Schedule(this, active: false);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
