using System.Globalization;
using System.Text.Json;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>One look, about every second, at the mock's counters and the gateway's admin status.</summary>
/// <param name="T">Seconds since the sale opened (negative before).</param>
/// <param name="Calls">Backend calls the mock received so far, all operations (rejected ones included).</param>
/// <param name="Rejected">Calls the mock refused as over its capacity.</param>
/// <param name="SeatsSold">Seats sold so far in the zone on sale.</param>
/// <param name="Orders">Orders the mock created so far.</param>
/// <param name="Oversold">The mock's oversell anomalies.</param>
/// <param name="Limit">The gateway's admission limit for the performance (-1 if unknown).</param>
/// <param name="Active">Admitted buyers (active) at the gateway.</param>
/// <param name="Waiting">Buyers waiting (after opening).</param>
/// <param name="Lobby">Buyers in the lobby (before opening).</param>
/// <param name="SoldOut">Whether the gateway tells waiting buyers <c>sold_out</c>.</param>
/// <param name="Parked">Purchases parked or processing at the gateway.</param>
/// <param name="Breaker">The gateway's circuit breaker.</param>
/// <param name="AverageLatencyMs">The gateway's recent average backend latency, as admission sees it.</param>
/// <param name="GatewayFree">Free seats in the zone as the gateway serves them (last known, less promises), or -1.</param>
/// <param name="BudgetRate">The gateway's backend budget, calls per second (learned), or -1 for a gateway without one.</param>
internal sealed record Sample(
    double T,
    long Calls,
    long Rejected,
    int SeatsSold,
    int Orders,
    long Oversold,
    int Limit,
    int Active,
    int Waiting,
    int Lobby,
    bool SoldOut,
    int Parked,
    string Breaker,
    double AverageLatencyMs,
    int GatewayFree,
    double BudgetRate);

/// <summary>One quick look at the mock's call counter, timed at the middle of the request.</summary>
/// <param name="T">Seconds since the sale opened, halfway between sending the request and reading the answer.</param>
/// <param name="Calls">Backend calls the mock received so far.</param>
/// <param name="RoundTripMs">How long the look took: the counter was read within ±half of it around <paramref name="T"/>.</param>
internal sealed record CallSample(double T, long Calls, double RoundTripMs);

/// <summary>
/// Samples every second until stopped (the mock's counters, the gateway's admin status and availability), and the
/// mock's call counter alone four times a second for the calls-per-second figure. A failed look is skipped (and
/// counted), never fatal.
/// </summary>
internal sealed class Sampler(ControlClient control, SimulationOptions options, Recorder recorder)
{
    private readonly List<Sample> _samples = [];
    private readonly List<CallSample> _calls = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<CallSample> CallSamples
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>
    /// The most calls the mock received between two quick looks at most one second apart, counting each look's timing
    /// uncertainty (half its round trip) against the second: a lower bound of the most calls in any one-second window.
    /// (A span even slightly longer than a second is no measure of a per-second cap: a sliding cap lets a burst at
    /// each end of it through.) Returns the count, the span and when it ended.
    /// </summary>
    public static (long Calls, double Span, double At) MaxCallsWithinOneSecond(IReadOnlyList<CallSample> samples)
    {
        (long Calls, double Span, double At) best = (0, 0, 0);
        for (var i = 0; i < samples.Count; i++)
        {
            for (var j = i + 1; j < samples.Count; j++)
            {
                var span = samples[j].T - samples[i].T;
                if (span + ((samples[i].RoundTripMs + samples[j].RoundTripMs) / 2000) > 1.0)
                {
                    break;
                }

                var calls = samples[j].Calls - samples[i].Calls;
                if (calls > best.Calls)
                {
                    best = (calls, span, samples[j].T);
                }
            }
        }

        return best;
    }

    public async Task RunCallsAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        do
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                var before = recorder.Now;
                var stats = await control.MockStatsAsync(timeout.Token);
                var after = recorder.Now;
                long calls = 0;
                foreach (var op in stats.GetProperty("calls").EnumerateObject())
                {
                    calls += op.Value.GetInt64();
                }

                lock (_gate)
                {
                    _calls.Add(new CallSample((before + after) / 2, calls, (after - before) * 1000));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or JsonException
                || (ex is OperationCanceledException && !stop.IsCancellationRequested))
            {
                recorder.Count("sampler_error:" + ex.GetType().Name);
            }
        }
        while (await Tick(timer, stop));
    }

    public IReadOnlyList<Sample> Samples
    {
        get
        {
            lock (_gate)
            {
                return [.. _samples];
            }
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                var sample = await TakeAsync(stop);
                lock (_gate)
                {
                    _samples.Add(sample);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or JsonException
                || (ex is OperationCanceledException && !stop.IsCancellationRequested))
            {
                recorder.Count("sampler_error:" + ex.GetType().Name);
            }
        }
        while (await Tick(timer, stop));
    }

    public async Task<Sample> TakeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var statusTask = control.AdminStatusAsync(timeout.Token);
        var availabilityTask = control.GatewayAvailabilityAsync(timeout.Token);
        var before = recorder.Now;
        var stats = await control.MockStatsAsync(timeout.Token);
        var t = (before + recorder.Now) / 2; // The mock's counters are the ones that need an exact time.
        var status = await statusTask;
        var availability = await availabilityTask;

        long calls = 0;
        foreach (var op in stats.GetProperty("calls").EnumerateObject())
        {
            calls += op.Value.GetInt64();
        }

        var performance = options.Performance.ToString(CultureInfo.InvariantCulture);
        var zone = options.Zone.ToString(CultureInfo.InvariantCulture);
        var seats = stats.GetProperty("seatsSold").TryGetProperty(performance, out var p) && p.TryGetProperty(zone, out var z) ? z.GetInt32() : 0;
        JsonElement? queue = null;
        foreach (var q in status.GetProperty("queues").EnumerateArray())
        {
            if (q.GetProperty("performanceId").GetInt32() == options.Performance)
            {
                queue = q;
            }
        }

        return new Sample(
            t,
            calls,
            stats.GetProperty("rejected").GetInt64(),
            seats,
            stats.GetProperty("orders").GetInt32(),
            stats.GetProperty("oversold").GetInt64(),
            queue?.GetProperty("admissionLimit").GetInt32() ?? -1,
            queue?.GetProperty("activeBuyers").GetInt32() ?? 0,
            queue?.GetProperty("waiting").GetInt32() ?? 0,
            queue?.GetProperty("lobby").GetInt32() ?? 0,
            queue?.GetProperty("soldOut").GetBoolean() ?? false,
            status.GetProperty("parked").GetInt32(),
            status.GetProperty("breaker").GetString() ?? "?",
            status.GetProperty("backend").TryGetProperty("averageLatencyMs", out var l) ? l.GetDouble() : 0,
            availability?.GetProperty("zones").EnumerateArray().Where(z => z.GetProperty("zoneId").GetInt32() == options.Zone).Select(z => z.GetProperty("available").GetInt32()).FirstOrDefault(-1) ?? -1,
            status.GetProperty("backend").TryGetProperty("budget", out var b) ? b.GetProperty("callsPerSecond").GetDouble() : -1);
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
