using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Purchasing;

public sealed class RetentionWorkerTests : IDisposable
{
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly IPurchaseJournal _journal = Substitute.For<IPurchaseJournal>();
    private readonly IHoldStore _holds = Substitute.For<IHoldStore>();
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly Logs _logs = new();
    private readonly PurchasingOptions _options = new() { EmailRetention = TimeSpan.FromDays(7), RetentionInterval = TimeSpan.FromHours(1), RetentionBatchSize = 25 };
    private readonly RetentionWorker _worker;

    public RetentionWorkerTests()
    {
        var metrics = new GatewayMetrics(_meters.GetRequiredService<IMeterFactory>());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name.StartsWith("onsale.retention.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tag = tags.Length == 1 ? tags[0].Value : null;
            _counts.AddOrUpdate($"{instrument.Name}:{tag}", value, (_, sum) => sum + value);
        });
        _listener.Start();
        _holds.ForgetExpiredAsync(default, default, default, default).ReturnsForAnyArgs((1, 2));
        _worker = new RetentionWorker(_journal, _holds, _time, Options.Create(_options), metrics, _logs);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
        _worker.Dispose();
    }

    [Fact]
    public async Task RunOnce_ErasesWithTheConfiguredCutoffsAndBatch_AndCountsWhatItErased()
    {
        var now = _time.GetUtcNow();
        _journal.EraseEmailsAsync(default, default, default).ReturnsForAnyArgs(3);

        var run = await _worker.RunOnceAsync(default);

        Assert.Equal(new RetentionRun(now, Emails: 3, HoldSessions: 1, Holds: 2, Failed: false), run);
        await _journal.Received(1).EraseEmailsAsync(now - TimeSpan.FromDays(7), 25, Arg.Any<CancellationToken>());
        await _holds.Received(1).ForgetExpiredAsync(now, now - RetentionWorker.HoldsKeptFor, 25, Arg.Any<CancellationToken>());
        Assert.Equal(3, _counts.GetValueOrDefault("onsale.retention.erased:email"));
        Assert.Equal(1, _counts.GetValueOrDefault("onsale.retention.erased:hold_session"));
        Assert.Equal(2, _counts.GetValueOrDefault("onsale.retention.erased:hold"));
        Assert.Equal(1, _counts.GetValueOrDefault("onsale.retention.runs:done"));
        Assert.Contains(_logs.Entries, e => e.Id == EventIds.RetentionRun && e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task Loop_ARunThatFails_IsLoggedAndCountedAndTheNextRunGoesOn()
    {
        _journal.EraseEmailsAsync(default, default, default).ReturnsForAnyArgs(
            _ => throw new InvalidOperationException("disk hiccup"),
            _ => Task.FromResult(4));

        await _worker.StartAsync(default);
        var failed = await Eventually.HoldsAsync(() => Task.FromResult(_worker.LastRun), r => r is not null, "the first run");
        _time.Advance(_options.RetentionInterval);
        var next = await Eventually.HoldsAsync(() => Task.FromResult(_worker.LastRun), r => r is { Failed: false }, "the next run");
        await _worker.StopAsync(default);

        Assert.True(failed!.Failed);
        Assert.Equal(4, next!.Emails);
        Assert.Equal(_time.GetUtcNow(), next.At);
        Assert.Equal(1, _counts.GetValueOrDefault("onsale.retention.runs:failed"));
        Assert.Equal(1, _counts.GetValueOrDefault("onsale.retention.runs:done"));
        var error = Assert.Single(_logs.Entries, e => e.Id == EventIds.RetentionRunFailed);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    [Fact]
    public async Task Loop_BeforeTheIntervalHasPassed_DoesNotRunAgain()
    {
        _journal.EraseEmailsAsync(default, default, default).ReturnsForAnyArgs(0);

        await _worker.StartAsync(default);
        await Eventually.HoldsAsync(() => Task.FromResult(_worker.LastRun), r => r is not null, "the first run");
        _time.Advance(_options.RetentionInterval - TimeSpan.FromSeconds(1));
        await Task.Delay(200);
        var calls = _journal.ReceivedCalls().Count();
        _time.Advance(TimeSpan.FromSeconds(1));
        // The worker may have set its next wait a moment after the clock moved: then that wait runs from there, and the
        // clock goes on a second at a time until it ends (the run before the interval was counted above).
        await Eventually.HoldsAsync(() => Task.FromResult(_journal.ReceivedCalls().Count()), n => n >= 2, "the second run", time: _time, advance: TimeSpan.FromSeconds(1));
        await _worker.StopAsync(default);

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Loop_ARunThatFilledABatch_IsFollowedSoonByTheNext()
    {
        _journal.EraseEmailsAsync(default, default, default).ReturnsForAnyArgs(25, 25, 3);

        await _worker.StartAsync(default);
        await Eventually.HoldsAsync(() => Task.FromResult(_worker.LastRun), r => r is not null, "the first run");
        var third = await Eventually.HoldsAsync(
            () => Task.FromResult(_worker.LastRun),
            r => r!.Emails == 3,
            "the backlog is worked off",
            time: _time,
            advance: RetentionWorker.CatchUpPause);
        await _worker.StopAsync(default);

        Assert.True(third!.At - TestClock.Start <= RetentionWorker.CatchUpPause * 4, $"three runs within seconds, not hours: {third.At - TestClock.Start}");
    }

    private sealed class Logs : ILogger<RetentionWorker>
    {
        public ConcurrentQueue<(LogLevel Level, int Id, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, eventId.Id, exception));
    }
}
