using System.Diagnostics;
using System.Text.Json;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>What the run left behind, for the report.</summary>
internal sealed record RunResult(
    SimulationOptions Options,
    DateTimeOffset OpensAt,
    double JoinPhaseSeconds,
    double RunSeconds,
    Recorder Recorder,
    IReadOnlyList<Sample> Samples,
    IReadOnlyList<CallSample> CallSamples,
    JsonElement BaselineStats,
    JsonElement FinalStats,
    JsonElement Orders,
    JsonElement FinalStatus,
    IReadOnlyList<string> Metrics);

/// <summary>Sets the mock up, runs the buyers against the gateway while sampling, and gathers the final state.</summary>
internal static class Simulation
{
    /// <summary>How long before the crowd the new opening time is announced: the gateway's performance list's fresh period and a margin.</summary>
    public const int AnnouncedAheadSeconds = 35;

    public static async Task<RunResult> RunAsync(SimulationOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        using var buyerHttp = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
        })
        {
            BaseAddress = options.Gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var purchaseHttp = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
        })
        {
            BaseAddress = options.Gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var controlHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4, UseProxy = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var control = new ControlClient(controlHttp, options);

        // The room's opening time is taken from the backend when the first buyer joins, so the gateway must be fresh.
        var status = await control.AdminStatusAsync(CancellationToken.None);
        if (status.GetProperty("queues").EnumerateArray().Any(q => q.GetProperty("performanceId").GetInt32() == options.Performance))
        {
            throw new InvalidOperationException($"The gateway already has a waiting room for {options.Performance}: start it with an empty data folder.");
        }

        await control.SetFaultsAsync(Caps(options, 1), CancellationToken.None);
        await control.SetAvailableAsync(options.Zone, options.Seats, CancellationToken.None);
        var zones = await control.MockStatsAsync(CancellationToken.None);
        foreach (var zone in zones.GetProperty("seatsSold").GetProperty(options.Performance.ToString(System.Globalization.CultureInfo.InvariantCulture)).EnumerateObject())
        {
            var zoneId = int.Parse(zone.Name, System.Globalization.CultureInfo.InvariantCulture);
            if (zoneId != options.Zone)
            {
                await control.SetAvailableAsync(zoneId, 0, CancellationToken.None);
            }
        }

        // Whole seconds: the backend speaks dateTimes in whole seconds.
        var wallNow = TimeProvider.System.GetUtcNow();
        var nowTimestamp = Stopwatch.GetTimestamp();
        // The box office announces the time ahead, as venues do: the gateway's performance list (fresh for
        // Gateway:Availability:PerformancesFreshFor, 30 s; read ahead of the opening by the warm-up) learns it before the
        // crowd arrives, OpenInSeconds before the opening.
        var opensAt = DateTimeOffset.FromUnixTimeSeconds(wallNow.AddSeconds(options.OpenInSeconds + AnnouncedAheadSeconds).ToUnixTimeSeconds() + 1);
        var openTimestamp = nowTimestamp + (long)((opensAt - wallNow).TotalSeconds * Stopwatch.Frequency);
        await control.SetOnSaleAtAsync(opensAt, CancellationToken.None);
        var announced = Stopwatch.StartNew();
        while (await control.GatewayOnSaleAtAsync(CancellationToken.None) != opensAt)
        {
            if (announced.Elapsed > TimeSpan.FromSeconds(AnnouncedAheadSeconds))
            {
                throw new InvalidOperationException($"The gateway did not learn the new onSaleAt {opensAt:u} within {AnnouncedAheadSeconds} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Console.WriteLine($"the gateway learned the opening time in {announced.Elapsed.TotalSeconds:F1} s");
        var untilCrowd = opensAt - TimeSpan.FromSeconds(options.OpenInSeconds) - TimeProvider.System.GetUtcNow();
        if (untilCrowd > TimeSpan.Zero)
        {
            await Task.Delay(untilCrowd);
        }
        if (options.CapChangeAt >= 0)
        {
            // The box's capacity changes mid-sale by itself (the mock's fault schedule), counted from the opening.
            var untilOpen = (opensAt - TimeProvider.System.GetUtcNow()).TotalSeconds;
            await control.ScheduleFaultsAsync(
                [(untilOpen + options.CapChangeAt, Caps(options, options.CapChangeFactor)), (untilOpen + options.CapChangeAt + options.CapChangeFor, Caps(options, 1))],
                CancellationToken.None);
        }

        var baseline = await control.MockStatsAsync(CancellationToken.None);

        var recorder = new Recorder(openTimestamp);
        var sampler = new Sampler(control, options, recorder);
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.WhenAll(sampler.RunAsync(stopSampling.Token), sampler.RunCallsAsync(stopSampling.Token));

        Console.WriteLine($"sale opens at {opensAt:u} (in {(opensAt - wallNow).TotalSeconds:F0} s); {options.Buyers} buyers joining");
        var gateway = new GatewayClient(buyerHttp, purchaseHttp, options.Performance);
        using var joinGate = new SemaphoreSlim(options.Connections);
        using var runCap = new CancellationTokenSource(TimeSpan.FromSeconds(options.MaxRunSeconds) - Stopwatch.GetElapsedTime(started));
        var buyers = Enumerable.Range(0, options.Buyers)
            .Select(i => Task.Run(() => new Buyer(i, options, gateway, recorder, joinGate).RunAsync(runCap.Token)))
            .ToArray();

        var progress = Task.Run(async () =>
        {
            while (!buyers.All(b => b.IsCompleted))
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                var last = sampler.Samples.LastOrDefault();
                var done = buyers.Count(b => b.IsCompleted);
                Console.WriteLine(last is null
                    ? $"t={recorder.Now,6:F0}s buyers done {done}"
                    : $"t={recorder.Now,6:F0}s lobby {last.Lobby} waiting {last.Waiting} active {last.Active} limit {last.Limit} parked {last.Parked} seats sold {last.SeatsSold} rejected {last.Rejected} buyers done {done}");
            }
        });

        var joinPhase = await JoinPhaseAsync(recorder, options, buyers);
        await Task.WhenAll(buyers);
        await progress;
        var runSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Let the gateway finish what it owes (parked purchases) before the last look; bounded.
        for (var i = 0; i < 15 && (await control.AdminStatusAsync(CancellationToken.None)).GetProperty("parked").GetInt32() > 0; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await stopSampling.CancelAsync();
        await sampling;
        var final = await control.MockStatsAsync(CancellationToken.None);
        var orders = await control.MockOrdersAsync(CancellationToken.None);
        var finalStatus = await control.AdminStatusAsync(CancellationToken.None);
        var metrics = await control.MetricsAsync(["onsale_purchases_total", "onsale_replay", "onsale_backend_call_duration_seconds_count", "onsale_breaker", "http_server_request_duration_seconds_bucket"], CancellationToken.None);
        return new RunResult(options, opensAt, joinPhase, runSeconds, recorder, sampler.Samples, sampler.CallSamples, baseline, final, orders, finalStatus, metrics);
    }

    /// <summary>The mock's capacity settings, scaled by <paramref name="factor"/>.</summary>
    private static object Caps(SimulationOptions options, double factor) => options.MockConcurrency > 0
        ? new { maxCallsPerSecond = (int)Math.Round(options.MockCap * factor), maxConcurrentCalls = Math.Max(1, (int)Math.Round(options.MockConcurrency * factor)) }
        : new { maxCallsPerSecond = (int)Math.Round(options.MockCap * factor) };

    /// <summary>Seconds until every buyer has joined (or given up joining), measured from the start of the buyers.</summary>
    private static async Task<double> JoinPhaseAsync(Recorder recorder, SimulationOptions options, Task[] buyers)
    {
        var started = Stopwatch.GetTimestamp();
        while (recorder.JoinMs.Count < options.Buyers && !buyers.All(b => b.IsCompleted))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"{recorder.JoinMs.Count} joins in {seconds:F1} s; the sale opens in {-recorder.Now:F1} s");
        return seconds;
    }
}
