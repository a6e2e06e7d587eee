using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>Turns a run into figures, a markdown fragment (<c>{Out}.md</c>) and a JSON summary (<c>{Out}.json</c>).</summary>
internal static class Report
{
    /// <summary>Backend calls one purchase needs at least: GetNewSessionKey, ReserveTickets, Checkout.</summary>
    private const int CallsPerPurchase = 3;

    public static bool Write(RunResult run)
    {
        var o = run.Options;
        var r = run.Recorder;
        var samples = run.Samples.OrderBy(s => s.T).ToList();
        var inv = CultureInfo.InvariantCulture;

        // (a) The backend's load, as the mock counted it.
        var rejected = run.FinalStats.GetProperty("rejected").GetInt64() - run.BaselineStats.GetProperty("rejected").GetInt64();
        var (maxCalls, maxCallsSpan, maxCallsAt) = Sampler.MaxCallsWithinOneSecond(run.CallSamples);
        var callRtts = run.CallSamples.Select(c => c.RoundTripMs).ToList();

        var callsByOp = run.FinalStats.GetProperty("calls").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetInt64() - run.BaselineStats.GetProperty("calls").GetProperty(p.Name).GetInt64(), StringComparer.Ordinal);
        var totalCalls = callsByOp.Values.Sum();

        // (c) What was sold, at the backend and at the gateway.
        var performance = o.Performance.ToString(inv);
        var zone = o.Zone.ToString(inv);
        var mockSeats = run.FinalStats.GetProperty("seatsSold").GetProperty(performance).EnumerateObject().Sum(z => z.Value.GetInt32());
        var oversold = run.FinalStats.GetProperty("oversold").GetInt64();
        var orders = run.Orders.EnumerateArray().Where(e => e.GetProperty("performanceId").GetInt32() == o.Performance).ToList();
        var orderSeats = orders.Sum(e => e.GetProperty("seats").GetArrayLength());
        var references = orders.Select(e => e.GetProperty("clientReference").GetString()!).ToHashSet(StringComparer.Ordinal);
        var confirmed = r.Confirmed.Values.ToList();
        var confirmedIds = confirmed.Select(c => c.PurchaseId).ToHashSet(StringComparer.Ordinal);
        var confirmedSeats = confirmed.Sum(c => c.Seats);
        var gatewayConfirmedMetric = MetricValue(run.Metrics, "onsale_purchases_total", "outcome=\"confirmed\"");
        var sameSet = references.SetEquals(confirmedIds);
        var notSeenByBuyers = references.Count(x => !confirmedIds.Contains(x));
        var notAtBackend = confirmedIds.Count(x => !references.Contains(x));
        var noOversell = oversold == 0 && mockSeats <= o.Seats && orderSeats <= o.Seats;

        // (b) Goodput: seats sold per second from opening until the last seat sold, against what the cap allows.
        var finalSeats = samples.Count > 0 ? samples[^1].SeatsSold : 0;
        var soldOutSample = samples.FirstOrDefault(s => s.T >= 0 && s.SeatsSold == finalSeats && finalSeats > 0);
        var firstSaleSample = samples.FirstOrDefault(s => s.SeatsSold > 0);
        var soldOutAt = soldOutSample?.T ?? double.NaN;
        var meanSeats = orders.Count == 0 ? double.NaN : (double)orderSeats / orders.Count;
        var goodput = finalSeats / soldOutAt;
        var meanCap = MeanCap(o, soldOutAt);
        var ideal = meanCap / CallsPerPurchase * meanSeats;
        var idealTwoCalls = meanCap / 2 * meanSeats;
        var idealGateway = o.GatewayCap > 0 ? (double)o.GatewayCap / CallsPerPurchase * meanSeats : double.NaN;
        var callsInSale = soldOutSample is null ? 0 : soldOutSample.Calls - (samples.LastOrDefault(s => s.T <= 0)?.Calls ?? samples[0].Calls);
        var callRateInSale = callsInSale / soldOutAt;

        // (d)–(e) What buyers saw.
        var outcomes = Grouped(r.Counts, "outcome:");
        var stuck = outcomes.Where(p => p.Key.StartsWith("stuck", StringComparison.Ordinal)).Sum(p => p.Value);
        var errors = outcomes.Where(p => p.Key.StartsWith("error", StringComparison.Ordinal)).Sum(p => p.Value);
        var lobbyAtOpening = samples.LastOrDefault(s => s.T < 0)?.Lobby ?? 0;

        // Where seats and calls went, from the gateway's own counters (calls that never reached the backend included).
        var reserveOk = MetricValue(run.Metrics, "onsale_backend_call_duration_seconds_count", "operation=\"ReserveTickets\",outcome=\"success\"");
        var checkoutOk = MetricValue(run.Metrics, "onsale_backend_call_duration_seconds_count", "operation=\"Checkout\",outcome=\"success\"");
        var checkoutTimeouts = MetricValue(run.Metrics, "onsale_backend_call_duration_seconds_count", "operation=\"Checkout\",outcome=\"timeout\"");
        var timeouts = run.Metrics.Where(m => m.StartsWith("onsale_backend_call_duration_seconds_count", StringComparison.Ordinal) && m.Contains("outcome=\"timeout\"", StringComparison.Ordinal))
            .Sum(m => double.Parse(m[(m.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        var unsold = o.Seats - mockSeats;
        var processing = confirmed.Where(c => c.Path == "processing").ToList();
        var lastFree = samples.LastOrDefault()?.GatewayFree ?? -1;
        var soldOutFlips = 0;
        for (var i = 1; i < samples.Count; i++)
        {
            soldOutFlips += samples[i - 1].SoldOut && !samples[i].SoldOut && samples[i].T > 0 ? 1 : 0;
        }

        var waits = confirmed.Select(c => c.WaitSeconds * 1000).ToList();
        var liveWaits = confirmed.Where(c => c.Path == "201").Select(c => c.WaitSeconds * 1000).ToList();
        var parkedWaits = confirmed.Where(c => c.Path != "201").Select(c => c.WaitSeconds * 1000).ToList();

        // (f) Admission over the sale.
        var inSale = samples.Where(s => s.T >= 0 && s.T <= (double.IsNaN(soldOutAt) ? double.MaxValue : soldOutAt)).ToList();

        var refusedShare = totalCalls == 0 ? 0 : (double)rejected / totalCalls;
        var openingSample = samples.LastOrDefault(s => s.T <= 0);
        var callsBeforeOpening = openingSample is null ? 0 : openingSample.Calls - run.BaselineStats.GetProperty("calls").EnumerateObject().Sum(p => p.Value.GetInt64());
        var rejectedInSale = soldOutSample is null || openingSample is null ? 0 : soldOutSample.Rejected - openingSample.Rejected;
        var statusP99 = Recorder.Percentile(r.StatusMs, 99);

        // Sold out, told: from the last seat sold until the last buyer still waiting heard it (their last run of
        // sold-out answers began; told earlier, while the box still showed seats, counts as at once).
        var told = r.ToldSoldOut.Select(t => Math.Max(0, t - soldOutAt)).ToList();
        var toldLast = told.Count == 0 || double.IsNaN(soldOutAt) ? double.NaN : told.Max();
        var toldMet = !double.IsNaN(toldLast) && toldLast <= 10;

        // Status checks per second, opening to 10 s after the last seat: against the budget the gateway states.
        var statusBySecond = r.StatusTimed.Where(x => x.T >= 0 && x.T < (double.IsNaN(soldOutAt) ? double.MaxValue : soldOutAt + 10))
            .GroupBy(x => (int)Math.Floor(x.T)).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        var statusSeconds = statusBySecond.Values.ToList();
        var statusPeak = statusSeconds.Count == 0 ? 0 : statusSeconds.Max();
        var statusMean = statusSeconds.Count == 0 ? 0 : statusSeconds.Average();
        var budgetMet = statusPeak <= o.StatusBudget;
        var capMet = refusedShare <= o.RefusedGoal;
        var goodputMet = goodput / ideal >= o.GoodputGoal;
        var accountingMet = sameSet && confirmed.Count == orders.Count && confirmedSeats == orderSeats && gatewayConfirmedMetric == orders.Count;
        var endedMet = stuck == 0 && errors == 0;

        var md = new StringBuilder();
        md.Append(inv, $"""
            #### {o.Label}

            | measure | result | goal |
            |---|---|---|
            | goodput ÷ maximum | **{goodput / ideal:F2}** ({goodput:F1} seats/s; maximum {ideal:F1} = mean cap {meanCap:F1} calls/s ÷ {CallsPerPurchase} calls × {meanSeats:F2} seats; against two calls a purchase, {goodput / idealTwoCalls:F2}) | ≥ {o.GoodputGoal:F2} {Mark(goodputMet)} |
            | calls refused by the box ÷ all calls | **{refusedShare:P1}** ({rejected:N0} of {totalCalls:N0}; during the sale {rejectedInSale:N0}) | ≤ {o.RefusedGoal:P0} {Mark(capMet)} |
            | seconds to sold out | **{soldOutAt:F1}** (seats sold {mockSeats:N0} of {o.Seats:N0}) | — |
            | queue-status p99 (client-side) | **{statusP99:F1} ms** | < 50 ms {Mark(statusP99 < 50)} |
            | seconds from the last seat sold to the last waiting buyer told | **{toldLast:F1}** ({told.Count:N0} buyers told; p50 {Recorder.Percentile(told, 50):F1} s, p99 {Recorder.Percentile(told, 99):F1} s; 1-s sampling of the last seat) | ≤ 10 s {Mark(toldMet)} |
            | status checks per second, opening to 10 s after the last seat | **peak {statusPeak:N0}, mean {statusMean:N0}** | ≤ the stated budget {o.StatusBudget:N0} {Mark(budgetMet)} |
            | oversold | **{oversold}** | 0 {Mark(noOversell)} |
            | buyers without a terminal answer | **{stuck + errors}** | 0 {Mark(endedMet)} |

            The gateway {(o.GatewayCap > 0 ? $"was told `MaxBackendCallsPerSecond={o.GatewayCap}`" : "was told nothing of the box's caps")}; the box bore
            {o.MockCap} calls/s{(o.MockConcurrency > 0 ? $" and {o.MockConcurrency} in flight" : string.Empty)}{(o.CapChangeAt >= 0 ? $", ×{o.CapChangeFactor} from {o.CapChangeAt:F0} s to {o.CapChangeAt + o.CapChangeFor:F0} s after the opening" : string.Empty)}.
            Calls before the opening (session keys fetched ahead, warm-up reads): {callsBeforeOpening:N0}, counted above.
            Per second of the sale (calls the box received, of them refused, its cap, the gateway's learned budget): {CallSeries(samples, o, soldOutAt)}.

            """);
        md.Append(inv, $"""
            ### On-sale simulation (`bench/OnSaleSimulation`)

            {o.Buyers:N0} buyers join the lobby of performance {o.Performance} before it opens (the mock's `onSaleAt` announced through its control API
            {Simulation.AnnouncedAheadSeconds + o.OpenInSeconds} s ahead; once the gateway's performance list shows it, the crowd arrives {o.OpenInSeconds} s before the opening); {o.Seats:N0} seats (zone {o.Zone} = {o.Seats:N0} available, the other zones 0);
            the mock capped at **{o.MockCap} calls/s** (`maxCallsPerSecond`); the gateway with `MaxBackendCallsPerSecond={o.GatewayCap}`, default
            waiting-room settings (ActivationThreshold 100, MaxActiveBuyers 500), rate limits lifted. Each buyer polls honouring
            `Retry-After` (+0–{o.JitterMs} ms client jitter), and when admitted makes one one-shot purchase (quantity 1–4 with P = .35/.40/.15/.10,
            mean 2.0, seeded {o.Seed}; one retry with fewer seats on `409 not_enough_seats`); a `202` is polled until it ends; `sold_out` for
            {o.SoldOutPatienceSeconds} s in a row ends a buyer's wait. Run cap {o.MaxRunSeconds} s. Times are seconds from opening.

            | goal | result | met |
            |---|---|---|
            | (a) backend refusals | rejected by the mock: **{rejected}**; most calls the mock received within one second: **{maxCalls}** ({maxCalls} between two reads {maxCallsSpan:F2} s apart, ending t={maxCallsAt:F1} s) | {Mark(capMet)} |
            | (b) goodput | **{goodput:F1} seats/s** from opening to the last seat sold (t={soldOutAt:F1} s) = **{goodput / ideal:P0}** of the cap's ideal {ideal:F1} seats/s{(o.GatewayCap > 0 ? $" ({goodput / idealGateway:P0} of the ideal at the gateway's own cap {o.GatewayCap}: {idealGateway:F1} seats/s)" : string.Empty)} | {Mark(goodputMet)} |
            | (c) zero oversold | mock `oversold` **{oversold}**; seats sold **{mockSeats:N0}** of {o.Seats:N0}; orders {orders.Count:N0} ({orderSeats:N0} seats) | {Mark(noOversell)} |
            | (c) gateway = backend | confirmed to buyers **{confirmed.Count:N0}** ({confirmedSeats:N0} seats), gateway metric confirmed {gatewayConfirmedMetric:F0}, mock orders **{orders.Count:N0}**; same purchase ids as the orders' clientReferences: **{(sameSet ? "yes" : $"no ({notSeenByBuyers} orders no buyer saw confirmed, {notAtBackend} confirmations without an order)")}** | {Mark(accountingMet)} |
            | (e) every buyer ended | stuck at the run cap **{stuck}**, errors **{errors}** | {Mark(endedMet)} |

            Calls within one second: the mock's call counter (`/control/stats`) read {run.CallSamples.Count:N0} times, every 250 ms, each read timed at
            the middle of its request (round trip p50 {Recorder.Percentile(callRtts, 50):F1} ms, p99 {Recorder.Percentile(callRtts, 99):F1} ms); the figure is the most calls counted between
            two reads no more than 1 s apart (their timing uncertainty included), a lower bound of the busiest one-second window.
            The mock's own `rejected` count (it refuses every call beyond {o.MockCap} in its fixed one-second windows) is the
            authoritative check. Backend calls per second over the sale, in 1-s samples: {CallRateSummary(samples, soldOutAt)}.

            **Goodput formula.** ideal seats/s = cap ÷ {CallsPerPurchase} backend calls per purchase (GetNewSessionKey, ReserveTickets, Checkout)
            × mean seats per purchase = {o.MockCap} ÷ {CallsPerPurchase} × {meanSeats:F2} = {ideal:F1}; goodput = seats sold ÷ seconds from opening
            until the sample that first saw the last seat sold (1-s sampling, so up to 1 s late) = {finalSeats:N0} ÷ {soldOutAt:F1} s.
            First seat sold by t={firstSaleSample?.T ?? double.NaN:F1} s; first buyer saw `admitted` at t={r.FirstAdmittedAt ?? double.NaN:F1} s.
            Backend calls during the sale: {callsInSale:N0} ({callRateInSale:F1}/s on average); over the whole run {totalCalls:N0}, that is
            {(double)totalCalls / Math.Max(1, orders.Count):F2} per order: {string.Join(", ", callsByOp.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value:N0}"))}.

            **Joining.** {r.JoinMs.Count:N0} joins in {run.JoinPhaseSeconds:F1} s ({r.JoinMs.Count / run.JoinPhaseSeconds:F0}/s over {o.Connections} connections); {Count(r, "joined_as:lobby"):N0} placed in the
            lobby; the lobby held {lobbyAtOpening:N0} just before opening. Whole simulation {run.RunSeconds:F0} s.

            | latency (client-side, ms) | samples | p50 | p99 | max |
            |---|---|---|---|---|
            {Latency("join `POST …/queue`", r.JoinMs)}
            {Latency("status `GET …/queue`", r.StatusMs)}
            {Latency("status, before opening", r.StatusTimed.Where(x => x.T < 0).Select(x => x.Ms).ToList())}
            {Latency("status, first 15 s after opening", r.StatusTimed.Where(x => x.T >= 0 && x.T < 15).Select(x => x.Ms).ToList())}
            {Latency("status, from 15 s after opening", r.StatusTimed.Where(x => x.T >= 15).Select(x => x.Ms).ToList())}
            {Latency("purchase `POST /api/v1/purchases`", r.PurchaseMs)}
            {Latency("purchase poll `GET /api/v1/purchases/{id}`", r.PurchasePollMs)}
            {Latency("time to confirmation, all confirmed (first purchase request → confirmed seen)", waits)}
            {Latency("time to confirmation, confirmed live (`201`)", liveWaits)}
            {Latency("time to confirmation, parked or processing first (`202`)", parkedWaits)}

            Server side (the gateway's `http_server_request_duration_seconds`, histogram buckets, so "≤ bucket"): status checks
            p50 ≤ {ServerPercentile(run.Metrics, "GET", "/api/v1/performances/{performanceId}/queue/", 50)}, p99 ≤ {ServerPercentile(run.Metrics, "GET", "/api/v1/performances/{performanceId}/queue/", 99)};
            purchases p50 ≤ {ServerPercentile(run.Metrics, "POST", "/api/v1/purchases/", 50)}, p99 ≤ {ServerPercentile(run.Metrics, "POST", "/api/v1/purchases/", 99)}, max ≤ {ServerPercentile(run.Metrics, "POST", "/api/v1/purchases/", 100)}.
            Client-side times include waiting for one of the simulator's {o.Connections} connections and its own scheduling on the shared cores.

            | first answer to a purchase | count |
            |---|---|
            {Rows(Grouped(r.Counts, "purchase:"))}

            | how buyers ended | count |
            |---|---|
            {Rows(outcomes)}

            **Where the seats went.** Unsold: **{unsold:N0}** of {o.Seats:N0}; free seats as the gateway served them at the end: {lastFree}.
            Holds made at the backend (ReserveTickets successes at the gateway {reserveOk:F0}; the mock received {callsByOp.GetValueOrDefault("ReserveTickets"):N0} ReserveTickets calls)
            vs orders {orders.Count:N0}: **{reserveOk - orders.Count:F0} holds never checked out**, left to expire at the backend (10 min).
            Purchases first answered `processing` (checkout outcome unknown, settled with FindOrder, then reserved afresh if not found):
            {processing.Count}, {processing.Sum(c => c.Seats)} seats. Backend calls that timed out at the gateway: {timeouts:F0}, of them Checkout
            {(double.IsNaN(checkoutTimeouts) ? 0 : checkoutTimeouts):F0}; the mock received {callsByOp.GetValueOrDefault("Checkout"):N0} Checkout calls for {orders.Count:N0} orders. `sold_out` turned back to
            waiting {soldOutFlips} time(s) after opening.


            """);

        md.Append(inv, $"""
            Admission (from `GET /admin/api/status` every second): limit min {Min(inSale, s => s.Limit)}, max {Max(inSale, s => s.Limit)} during the sale;
            breaker states seen: {string.Join(", ", samples.Select(s => s.Breaker).Distinct())}; most purchases parked at once: {Max(samples, s => s.Parked)}.

            | t (s) | admission limit | active | waiting | parked | sold out | free (gateway) | backend calls/s | seats sold | backend latency ms (as admission sees it) |
            |---|---|---|---|---|---|---|---|---|---|

            """);
        var end = double.IsNaN(soldOutAt) ? samples.LastOrDefault()?.T ?? 0 : soldOutAt + 15;
        Sample? previous = null;
        foreach (var s in samples.Where(s => s.T >= -3 && s.T <= end))
        {
            if (previous is not null && s.T - previous.T < 4.5 && s != samples.Last(x => x.T <= end))
            {
                continue;
            }

            var rate = previous is null ? double.NaN : (s.Calls - previous.Calls) / (s.T - previous.T);
            md.Append(inv, $"| {s.T:F0} | {s.Limit} | {s.Active} | {s.Waiting:N0} | {s.Parked} | {(s.SoldOut ? "yes" : "no")} | {s.GatewayFree:N0} | {(double.IsNaN(rate) ? "–" : rate.ToString("F1", inv))} | {s.SeatsSold:N0} | {s.AverageLatencyMs:F0} |\n");
            previous = s;
        }

        md.Append(inv, $"""

            Gateway metrics at the end: {string.Join("; ", run.Metrics.Where(m => m.StartsWith("onsale_", StringComparison.Ordinal) && !m.EndsWith(" 0", StringComparison.Ordinal)).Select(m => "`" + m.Trim() + "`"))}.

            """);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Out))!);
        File.WriteAllText(o.Out + ".md", md.ToString());
        var summary = new Dictionary<string, object?>
        {
            ["opensAt"] = run.OpensAt,
            ["runSeconds"] = run.RunSeconds,
            ["rejected"] = rejected,
            ["maxCallsWithinOneSecond"] = maxCalls,
            ["maxCallsWithinOneSecondSpan"] = maxCallsSpan,
            ["maxCallsWithinOneSecondAt"] = maxCallsAt,
            ["capMet"] = capMet,
            ["seatsSold"] = mockSeats,
            ["oversold"] = oversold,
            ["orders"] = orders.Count,
            ["confirmedAtGateway"] = confirmed.Count,
            ["gatewayConfirmedMetric"] = gatewayConfirmedMetric,
            ["accountingMatches"] = accountingMet,
            ["soldOutAt"] = soldOutAt,
            ["goodputSeatsPerSecond"] = goodput,
            ["meanSeatsPerPurchase"] = meanSeats,
            ["idealSeatsPerSecond"] = ideal,
            ["goodputFraction"] = goodput / ideal,
            ["goodputFractionOfGatewayCap"] = double.IsNaN(idealGateway) ? null : goodput / idealGateway,
            ["goodputFractionTwoCalls"] = goodput / idealTwoCalls,
            ["meanCap"] = meanCap,
            ["refusedShare"] = refusedShare,
            ["rejectedInSale"] = rejectedInSale,
            ["callsBeforeOpening"] = callsBeforeOpening,
            ["totalCalls"] = totalCalls,
            ["label"] = o.Label,
            ["withoutTerminalAnswer"] = stuck + errors,
            ["callsByOperation"] = callsByOp,
            ["statusP50Ms"] = Recorder.Percentile(r.StatusMs, 50),
            ["statusP99Ms"] = Recorder.Percentile(r.StatusMs, 99),
            ["soldOutToldLastSeconds"] = toldLast,
            ["soldOutToldCount"] = told.Count,
            ["statusPerSecondPeak"] = statusPeak,
            ["statusPerSecondMean"] = statusMean,
            ["statusBudget"] = o.StatusBudget,
            ["statusPerSecond"] = statusBySecond,
            ["purchaseP50Ms"] = Recorder.Percentile(r.PurchaseMs, 50),
            ["purchaseP99Ms"] = Recorder.Percentile(r.PurchaseMs, 99),
            ["confirmationP50Ms"] = Recorder.Percentile(waits, 50),
            ["confirmationP99Ms"] = Recorder.Percentile(waits, 99),
            ["unsold"] = unsold,
            ["holdsNeverCheckedOut"] = reserveOk - orders.Count,
            ["callSamples"] = run.CallSamples,
            ["soldOutFlips"] = soldOutFlips,
            ["counts"] = new SortedDictionary<string, int>(r.Counts.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal),
            ["samples"] = samples,
            ["metrics"] = run.Metrics,
            ["finalStatus"] = run.FinalStatus,
        };
        File.WriteAllText(o.Out + ".json", JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));

        Console.WriteLine(string.Create(inv, $"""
            refused: {rejected} of {totalCalls} calls ({refusedShare:P1}), most calls within one second {maxCalls} -> {Mark(capMet)}
            goodput: {goodput:F1} seats/s ({goodput / ideal:F2} of {ideal:F1}) -> {Mark(goodputMet)}; sold {mockSeats} seats in {orders.Count} orders by t={soldOutAt:F1}s; oversold {oversold}
            accounting: confirmed {confirmed.Count} / orders {orders.Count} / metric {gatewayConfirmedMetric} -> {Mark(accountingMet)}
            status p50/p99 {Recorder.Percentile(r.StatusMs, 50):F1}/{Recorder.Percentile(r.StatusMs, 99):F1} ms; purchase p50/p99 {Recorder.Percentile(r.PurchaseMs, 50):F1}/{Recorder.Percentile(r.PurchaseMs, 99):F1} ms
            outcomes: {string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"))}
            """));
        return noOversell && accountingMet && endedMet;
    }

    /// <summary>The mock's mean calls-per-second cap from the opening until <paramref name="until"/> (its schedule included).</summary>
    private static double MeanCap(SimulationOptions o, double until)
    {
        if (double.IsNaN(until) || until <= 0)
        {
            return o.MockCap;
        }

        var steps = (int)Math.Ceiling(until * 10);
        return Enumerable.Range(0, steps).Average(i => o.CapAt((i + 0.5) / 10));
    }

    /// <summary>"t:calls/refused(cap,budget)" for each 1-s sample of the sale.</summary>
    private static string CallSeries(IReadOnlyList<Sample> samples, SimulationOptions o, double soldOutAt)
    {
        var parts = new List<string>();
        for (var i = 1; i < samples.Count; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            if (b.T <= 0 || b.T > soldOutAt + 1)
            {
                continue;
            }

            var seconds = b.T - a.T;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{b.T:F0}:{(b.Calls - a.Calls) / seconds:F0}/{(b.Rejected - a.Rejected) / seconds:F0}({o.CapAt(b.T):F0},{(b.BudgetRate < 0 ? "–" : b.BudgetRate.ToString("F0", CultureInfo.InvariantCulture))})"));
        }

        return "`" + string.Join(" ", parts) + "`";
    }

    /// <summary>Median and largest calls per second between consecutive 1-s samples while the sale ran.</summary>
    private static string CallRateSummary(IReadOnlyList<Sample> samples, double soldOutAt)
    {
        var rates = new List<double>();
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].T > 0 && samples[i].T <= soldOutAt)
            {
                rates.Add((samples[i].Calls - samples[i - 1].Calls) / (samples[i].T - samples[i - 1].T));
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"median {Recorder.Percentile(rates, 50):F1}, highest {Recorder.Percentile(rates, 100):F1} (a sample taken late shifts calls between neighbours)");
    }

    /// <summary>The gateway's own latency percentile for one route, as the upper bound of its histogram bucket.</summary>
    private static string ServerPercentile(IReadOnlyList<string> lines, string method, string route, double p)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var line in lines.Where(l => l.StartsWith("http_server_request_duration_seconds_bucket", StringComparison.Ordinal)
            && l.Contains($"http_request_method=\"{method}\"", StringComparison.Ordinal) && l.Contains($"http_route=\"{route}\"", StringComparison.Ordinal)))
        {
            var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
            le = le[..le.IndexOf('"', StringComparison.Ordinal)];
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        if (buckets.Count == 0 || buckets.Last().Value == 0)
        {
            return "n/a";
        }

        var total = buckets.Last().Value;
        var bucket = buckets.First(b => b.Value >= Math.Ceiling(p / 100 * total));
        return double.IsPositiveInfinity(bucket.Key) ? "∞" : string.Create(CultureInfo.InvariantCulture, $"{bucket.Key * 1000:0.#} ms");
    }

    private static string Mark(bool met) => met ? "yes" : "**NO**";

    private static int Count(Recorder r, string key) => r.Counts.TryGetValue(key, out var n) ? n : 0;

    private static List<KeyValuePair<string, int>> Grouped(IReadOnlyDictionary<string, int> counts, string prefix) =>
    [
        .. counts.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, int>(p.Key[prefix.Length..], p.Value))
            .OrderByDescending(p => p.Value),
    ];

    private static string Rows(IEnumerable<KeyValuePair<string, int>> rows) =>
        string.Join("\n", rows.Select(p => string.Create(CultureInfo.InvariantCulture, $"| {p.Key} | {p.Value:N0} |")));

    private static string Latency(string what, IReadOnlyCollection<double> samples) =>
        string.Create(CultureInfo.InvariantCulture, $"| {what} | {samples.Count:N0} | {Recorder.Percentile(samples, 50):F1} | {Recorder.Percentile(samples, 99):F1} | {Recorder.Percentile(samples, 100):F1} |");

    private static string Min(IReadOnlyCollection<Sample> samples, Func<Sample, int> value) => samples.Count == 0 ? "—" : samples.Min(value).ToString(CultureInfo.InvariantCulture);

    private static string Max(IReadOnlyCollection<Sample> samples, Func<Sample, int> value) => samples.Count == 0 ? "—" : samples.Max(value).ToString(CultureInfo.InvariantCulture);

    /// <summary>The value of the first Prometheus line of <paramref name="name"/> that contains <paramref name="label"/>, or NaN.</summary>
    private static double MetricValue(IReadOnlyList<string> lines, string name, string label)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
