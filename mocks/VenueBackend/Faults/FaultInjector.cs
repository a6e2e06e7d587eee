using Microsoft.Extensions.Logging;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Faults;

/// <summary>
/// The gate every backend call passes once its operation name is known: counts it, applies the capacity limits and
/// the injected faults, in this order: capacity → outage → hang → latency → errorRate. A call that gets through holds
/// a <see cref="CallLease"/> until its answer is written, so concurrency counts the whole call including latency.
/// Delays use the real clock (<see cref="Task.Delay(TimeSpan, CancellationToken)"/>), never the injectable
/// <see cref="TimeProvider"/>, which tests may freeze.
/// </summary>
internal sealed class FaultInjector(BackendStats stats, IHostApplicationLifetime lifetime, ILogger<FaultInjector> logger)
{
    /// <summary>A hanging call is answered with a 503 fault after this long, if the caller is still there.</summary>
    public static readonly TimeSpan MaxHang = TimeSpan.FromMinutes(5);

    private readonly Lock _rateGate = new();
    private ActiveFaults _active = ActiveFaults.Create(FaultSettings.Off);
    private int _inFlight;
    private long _rateWindow = long.MinValue;
    private int _rateCount;

    public FaultSettings Settings
    {
        get => Volatile.Read(ref _active).Settings;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref _active, ActiveFaults.Create(value));
            Log.FaultSettingsApplied(
                logger,
                value.LatencyMs,
                value.ErrorRate,
                value.Outage,
                value.Hang,
                value.MaxConcurrentCalls,
                value.MaxCallsPerSecond,
                value.Operations is null ? "*" : string.Join(",", value.Operations));
        }
    }

    /// <summary>Calls in flight now (admitted and not yet answered).</summary>
    public int CurrentConcurrency => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Admits one call of <paramref name="operation"/>, or throws a 503 <see cref="VenueFaultException"/> (rejected or
    /// injected), or <see cref="OperationCanceledException"/> when the caller goes away while delayed or hanging.
    /// </summary>
    public async ValueTask<CallLease> EnterAsync(string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        stats.RecordCall(operation);
        var active = Volatile.Read(ref _active);
        var settings = active.Settings;

        if (!TryEnterConcurrency(settings.MaxConcurrentCalls))
        {
            stats.RecordRejected();
            Log.CallRejected(logger, operation, "maxConcurrentCalls");
            throw new VenueFaultException(VenueFaultCodes.Unavailable, "Backend busy: too many concurrent calls");
        }

        var lease = new CallLease(this);
        try
        {
            if (!TryTakeRateSlot(settings.MaxCallsPerSecond))
            {
                stats.RecordRejected();
                Log.CallRejected(logger, operation, "maxCallsPerSecond");
                throw new VenueFaultException(VenueFaultCodes.Unavailable, "Backend busy: too many calls per second");
            }

            if (active.AppliesTo(operation))
            {
                await InjectAsync(operation, settings, cancellationToken).ConfigureAwait(false);
            }

            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private async Task InjectAsync(string operation, FaultSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Outage)
        {
            stats.RecordFaultInjected();
            Log.FaultInjected(logger, operation, "outage");
            throw new VenueFaultException(VenueFaultCodes.Unavailable, "Backend unavailable");
        }

        if (settings.Hang)
        {
            stats.RecordFaultInjected();
            Log.CallHanging(logger, operation);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(MaxHang, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The host is stopping: answer rather than keep the shutdown waiting.
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new VenueFaultException(VenueFaultCodes.Unavailable, "Backend unavailable: the call hung");
        }

        if (settings.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(settings.LatencyMs), cancellationToken).ConfigureAwait(false);
        }

        if (settings.ErrorRate > 0 && Random.Shared.NextDouble() < settings.ErrorRate)
        {
            stats.RecordFaultInjected();
            Log.FaultInjected(logger, operation, "errorRate");
            throw new VenueFaultException(VenueFaultCodes.Unavailable, "Backend error");
        }
    }

    // A rejected call is never in flight, so maxConcurrency shows what the backend really carried.
    private bool TryEnterConcurrency(int? max)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (max is { } limit && current >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                stats.ObserveConcurrency(current + 1);
                return true;
            }
        }
    }

    private bool TryTakeRateSlot(int? maxPerSecond)
    {
        if (maxPerSecond is not { } limit)
        {
            return true;
        }

        // Fixed one-second windows of the real clock: Environment.TickCount64 is monotonic and not the banned wall clock.
        var window = Environment.TickCount64 / 1000;
        lock (_rateGate)
        {
            if (window != _rateWindow)
            {
                _rateWindow = window;
                _rateCount = 0;
            }

            if (_rateCount >= limit)
            {
                return false;
            }

            _rateCount++;
            return true;
        }
    }

    private void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Marks one admitted call as in flight until disposed.</summary>
    internal sealed class CallLease(FaultInjector owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Exit();
            }
        }
    }

    private sealed class ActiveFaults
    {
        private readonly HashSet<string>? _operations;

        private ActiveFaults(FaultSettings settings, HashSet<string>? operations)
        {
            Settings = settings;
            _operations = operations;
        }

        public FaultSettings Settings { get; }

        public static ActiveFaults Create(FaultSettings settings) =>
            new(settings, settings.Operations is null ? null : new HashSet<string>(settings.Operations, StringComparer.OrdinalIgnoreCase));

        public bool AppliesTo(string operation) => _operations is null || _operations.Contains(operation);
    }
}
