using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Caching;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Caching;

/// <summary>A cache on a manual clock, with its own meters and a logger that keeps what it is told.</summary>
internal sealed class CacheHarness : IDisposable
{
    private CacheHarness(FakeTimeProvider time, FailSafeHybridCacheOptions options, IDistributedCache? distributedCache)
    {
        Time = time;
        Options = options;
        Meters = new TestMeterFactory();
        Metrics = new MetricCollector(Meters);
        Logger = new CapturingLogger<FailSafeHybridCache>();
        Cache = new FailSafeHybridCache(Microsoft.Extensions.Options.Options.Create(options), time, Logger, Meters, distributedCache);
    }

    public FakeTimeProvider Time { get; }

    public FailSafeHybridCacheOptions Options { get; }

    public TestMeterFactory Meters { get; }

    public MetricCollector Metrics { get; }

    public CapturingLogger<FailSafeHybridCache> Logger { get; }

    /// <summary>Factories for reads that must be answered from the cache.</summary>
    public ForbiddenFactory Forbidden { get; } = new();

    public FailSafeHybridCache Cache { get; }

    public static CacheHarness Create(
        Action<FailSafeHybridCacheOptions>? configure = null,
        IDistributedCache? distributedCache = null,
        FakeTimeProvider? time = null)
    {
        var options = new FailSafeHybridCacheOptions();
        configure?.Invoke(options);
        return new CacheHarness(time ?? TestClock.Create(), options, distributedCache);
    }

    public void Dispose()
    {
        Cache.Dispose();
        Metrics.Dispose();
        Meters.Dispose();
    }
}

/// <summary>Test helpers for awaiting without sleeping: a generous real-time bound only stops a hung test.</summary>
internal static class TestTasks
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(HangGuard);

    public static Task Within(this Task task) => task.WaitAsync(HangGuard);

    public static ValueTask<T> Throws<T>(string because) => throw new InvalidOperationException(because);
}

/// <summary>An <see cref="IMeterFactory"/> whose meters are scoped to it, so listeners see only this test's cache.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly ConcurrentBag<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}

/// <summary>Collects the long-counter measurements of one meter factory's instruments.</summary>
internal sealed class MetricCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MetricCollector(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }

            _measurements.Enqueue(new Measurement(instrument.Name, value, copy));
        });
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements carrying every one of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) => _measurements
        .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
        .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private sealed record Measurement(string Instrument, long Value, Dictionary<string, string?> Tags);
}

/// <summary>A logger that records each entry's level, event id and rendered message.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, eventId.Id, formatter(state, exception), exception));
}

internal sealed record LogEntry(LogLevel Level, int EventId, string Message, Exception? Exception);

/// <summary>
/// A factory that must not run. It counts its calls and fails them; tests assert the count, because a failing factory
/// can be hidden by fail-safe (the stale value is served) and an assertion inside it would be swallowed the same way.
/// </summary>
internal sealed class ForbiddenFactory
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Func<CancellationToken, ValueTask<T>> Of<T>() => _ =>
    {
        Interlocked.Increment(ref _calls);
        throw new InvalidOperationException("This factory must not run.");
    };
}
