using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using ZiggyCreatures.Caching.Fusion;

namespace OnSale.Gateway.Tests.Availability;

public sealed class CacheTelemetryTests
{
    [Fact]
    public async Task Reads_MissThenHits_CountedByKeyPrefix()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Availability:FreshFor"] = "00:01:00" });
        using var counts = new CacheCounts(gateway);

        for (var i = 0; i < 3; i++)
        {
            (await gateway.Client.GetAsync("/api/v1/performances/1001/availability")).EnsureSuccessStatusCode();
        }

        Assert.Equal(1, counts.Get("onsale.cache.misses", "availability"));
        Assert.Equal(2, counts.Get("onsale.cache.hits", "availability"));
        Assert.Equal(1, counts.Get("onsale.cache.misses", "performances"));
        Assert.Equal(0, counts.Get("onsale.cache.stale_served", "availability"));
    }

    [Fact]
    public async Task Reads_BackendDownAfterTheEntryExpired_StaleServedAndFactoryErrorsCounted()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:Availability:FreshFor"] = "00:00:00.200" });
        using var counts = new CacheCounts(gateway);
        (await gateway.Client.GetAsync("/api/v1/performances/1001/availability")).EnsureSuccessStatusCode();
        await gateway.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });

        await Eventually.HoldsAsync(
            async () =>
            {
                (await gateway.Client.GetAsync("/api/v1/performances/1001/availability")).EnsureSuccessStatusCode();
                return counts.Get("onsale.cache.stale_served", "availability");
            },
            served => served > 0,
            "a stale read is counted");

        Assert.True(counts.Get("onsale.cache.factory_errors", "availability") > 0);
    }

    [Fact]
    public async Task FailSafeActivated_LoggedAsEvent700AtTheConfiguredLevel()
    {
        var logger = new CapturingLogger();
        using var meters = new TestMeterFactory();
        var telemetry = new CacheTelemetry(meters, Options.Create(new CacheOptions { FailSafeActivationLogLevel = LogLevel.Error }), logger);
        using var fusion = new FusionCache(new FusionCacheOptions
        {
            EnableSyncEventHandlersExecution = true,
            DefaultEntryOptions = new FusionCacheEntryOptions { Duration = TimeSpan.FromMilliseconds(20), IsFailSafeEnabled = true },
        });
        fusion.AddPlugin(telemetry);
        await fusion.GetOrSetAsync("availability:1001", _ => Task.FromResult(1));

        await Eventually.HoldsAsync(
            async () => await fusion.GetOrSetAsync<int>("availability:1001", _ => throw new TimeoutException("down")),
            _ => logger.Entries.Any(),
            "the failed refresh falls back on the last value");

        var (level, id, message) = logger.Entries.First();
        Assert.Equal((LogLevel.Error, 700), (level, id));
        Assert.Contains("availability:1001", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("availability:1001", "availability")]
    [InlineData("performances", "performances")]
    [InlineData(":x", "")]
    public void KeyPrefix_Key_IsItsFamily(string key, string prefix) => Assert.Equal(prefix, CacheTelemetry.KeyPrefix(key));

    [Fact]
    public void KeyPrefix_LongerThan64Characters_IsLong() => Assert.Equal("(long)", CacheTelemetry.KeyPrefix(new string('k', 65) + ":1"));

    /// <summary>The cache's counters of one gateway (its own <see cref="IMeterFactory"/>), by name and key prefix.</summary>
    private sealed class CacheCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Name, string Prefix), long> _counts = new();

        public CacheCounts(GatewayHost gateway)
        {
            var scope = gateway.Get<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CacheTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var prefix = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == "key_prefix")
                    {
                        prefix = (string)tag.Value!;
                    }
                }

                // The hot counters are observable: they report their totals when asked, the others each increment.
                _counts.AddOrUpdate((instrument.Name, prefix), value, (_, sum) => instrument.IsObservable ? value : sum + value);
            });
            _listener.Start();
        }

        public long Get(string name, string prefix)
        {
            _listener.RecordObservableInstruments();
            return _counts.GetValueOrDefault((name, prefix));
        }

        public void Dispose() => _listener.Dispose();
    }

    private sealed class CapturingLogger : ILogger<CacheTelemetry>
    {
        public ConcurrentQueue<(LogLevel Level, int Id, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}
