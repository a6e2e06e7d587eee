using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using OnSale.Gateway.Availability;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Availability;

public sealed class LastKnownWriterTests
{
    private static readonly DateTimeOffset AsOf = TestClock.Start;
    private readonly IAvailabilityStore _store = Substitute.For<IAvailabilityStore>();

    [Fact]
    public async Task Save_SeveralAnswersForAKeyBeforeAWrite_OnlyTheLatestIsWritten()
    {
        var writer = new LastKnownWriter(_store, NullLogger<LastKnownWriter>.Instance);
        for (var available = 10; available > 0; available--)
        {
            writer.Save(Snapshot(1001, available));
        }

        writer.Save(Snapshot(1002, 50));
        await writer.FlushAsync(default);

        await _store.Received(1).SaveAsync(
            null,
            Arg.Is<IReadOnlyCollection<AvailabilitySnapshot>>(s => s.Count == 2
                && s.Single(x => x.PerformanceId == 1001).Zones[0].Available == 1
                && s.Single(x => x.PerformanceId == 1002).Zones[0].Available == 50),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Running_AnAnswerSaved_IsWrittenWithoutWaitingForTheStop()
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.SaveAsync(Arg.Any<PerformanceList?>(), Arg.Any<IReadOnlyCollection<AvailabilitySnapshot>>(), Arg.Any<CancellationToken>())
            .Returns(_ =>
            {
                written.TrySetResult();
                return Task.CompletedTask;
            });
        var writer = new LastKnownWriter(_store, NullLogger<LastKnownWriter>.Instance);
        await writer.StartAsync(default);

        writer.Save(new PerformanceList([], AsOf));
        await written.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await writer.StopAsync(default);

        await _store.Received(1).SaveAsync(Arg.Is<PerformanceList?>(l => l != null && l.AsOf == AsOf), Arg.Any<IReadOnlyCollection<AvailabilitySnapshot>>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task StopAsync_AnswersPending_WritesThem()
    {
        var writer = new LastKnownWriter(_store, NullLogger<LastKnownWriter>.Instance);

        writer.Save(Snapshot(1001, 7));
        await writer.StopAsync(default);

        await _store.Received(1).SaveAsync(null, Arg.Is<IReadOnlyCollection<AvailabilitySnapshot>>(s => s.Single().Zones[0].Available == 7), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task FlushAsync_StoreFails_ReadsGoOnAndTheNextAnswerIsWritten()
    {
        _store.SaveAsync(Arg.Any<PerformanceList?>(), Arg.Any<IReadOnlyCollection<AvailabilitySnapshot>>(), Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new IOException("disk full")), Task.CompletedTask);
        var writer = new LastKnownWriter(_store, NullLogger<LastKnownWriter>.Instance);

        writer.Save(Snapshot(1001, 7));
        await writer.FlushAsync(default);
        writer.Save(Snapshot(1001, 6));
        await writer.FlushAsync(default);

        await _store.Received(1).SaveAsync(null, Arg.Is<IReadOnlyCollection<AvailabilitySnapshot>>(s => s.Single().Zones[0].Available == 6), Arg.Any<CancellationToken>());
    }

    private static AvailabilitySnapshot Snapshot(int performanceId, int available) =>
        new(performanceId, [new Zone(1, "Stalls", 8500, 400, available)], AsOf);
}
