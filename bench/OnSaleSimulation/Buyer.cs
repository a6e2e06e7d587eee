using System.Globalization;
using System.Text.Json;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>
/// One simulated buyer: joins the lobby, polls the queue honouring <c>Retry-After</c> (plus a little client jitter),
/// and when admitted makes one one-shot purchase, following a <c>202</c> to its end. Every buyer ends with exactly one
/// <c>outcome:*</c> count.
/// </summary>
internal sealed class Buyer(int index, SimulationOptions options, GatewayClient gateway, Recorder recorder, SemaphoreSlim joinGate)
{
    private const int MaxTransportErrors = 10;
    private readonly Random _random = new(unchecked((options.Seed * 1_000_003) + index));
    private string _phase = "joining";
    private double _purchaseStartedAt;
    private int _transportErrors;

    /// <summary>Seats wanted: 1–4 with P = 0.35, 0.40, 0.15, 0.10 (mean 2.0), drawn from the buyer's seeded generator.</summary>
    public static int DrawQuantity(Random random)
    {
        var u = random.NextDouble();
        return u < 0.35 ? 1 : u < 0.75 ? 2 : u < 0.90 ? 3 : 4;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var quantity = DrawQuantity(_random);
        try
        {
            recorder.Count("outcome:" + await BuyAsync(quantity, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            recorder.Count("outcome:stuck_at_run_cap:" + _phase);
        }
    }

    private async Task<string> BuyAsync(int quantity, CancellationToken cancellationToken)
    {
        ApiAnswer? answer = null;
        while (answer is null)
        {
            await joinGate.WaitAsync(cancellationToken);
            try
            {
                answer = await CallAsync(() => gateway.JoinAsync(cancellationToken), cancellationToken);
            }
            finally
            {
                joinGate.Release();
            }

            if (answer is null)
            {
                return "error:transport";
            }

            recorder.Count("join:" + answer.Status.ToString(CultureInfo.InvariantCulture));
            if (answer.Status != 201)
            {
                if (answer.Status is 429 or 503 && _transportErrors++ < MaxTransportErrors)
                {
                    await PauseAsync(answer.RetryAfter, cancellationToken);
                    answer = null;
                    continue;
                }

                return "error:join_" + answer.Status.ToString(CultureInfo.InvariantCulture);
            }

            recorder.Join(answer.Milliseconds);
        }

        var queueToken = answer.Text("queueToken")!;
        var state = answer.Text("state");
        recorder.Count("joined_as:" + state);
        _phase = "queue";
        double? soldOutSince = null;
        while (true)
        {
            switch (state)
            {
                case "admitted":
                    recorder.Admitted();
                    _phase = "purchase";
                    return await PurchaseAsync(answer.Text("accessToken")!, quantity, cancellationToken);
                case "expired":
                    return "expired_in_queue";
                case "sold_out":
                    soldOutSince ??= recorder.Now;
                    if (recorder.Now - soldOutSince >= options.SoldOutPatienceSeconds)
                    {
                        recorder.SoldOutTold(soldOutSince.Value);
                        return "gave_up_sold_out";
                    }

                    break;
                default:
                    soldOutSince = null;
                    break;
            }

            await PauseAsync(answer.RetryAfter, cancellationToken);
            var next = await CallAsync(() => gateway.StatusAsync(queueToken, cancellationToken), cancellationToken);
            if (next is null)
            {
                return "error:transport";
            }

            recorder.Count("status:" + next.Status.ToString(CultureInfo.InvariantCulture));
            if (next.Status == 200)
            {
                recorder.Status(next.Milliseconds);
                answer = next;
                state = next.Text("state");
            }
            else if (next.Status is 401 or 404)
            {
                return "error:status_" + next.Status.ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                answer = next with { Body = answer.Body }; // Keep the state; wait as told.
            }
        }
    }

    private async Task<string> PurchaseAsync(string accessToken, int quantity, CancellationToken cancellationToken)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"sim-{options.Seed}-{index}");
        var email = string.Create(CultureInfo.InvariantCulture, $"buyer{index}@bench.invalid");
        var retriedFewer = false;
        _purchaseStartedAt = recorder.Now;
        var busyRetries = 0;
        while (true)
        {
            var answer = await CallAsync(() => gateway.PurchaseAsync(accessToken, key, options.Zone, quantity, email, cancellationToken), cancellationToken);
            if (answer is null)
            {
                return "error:transport";
            }

            recorder.Purchase(answer.Milliseconds);
            var code = answer.Text("code");
            recorder.Count("purchase:" + answer.Status.ToString(CultureInfo.InvariantCulture) + (answer.Status == 202 ? ":" + answer.Text("status") : code is null ? string.Empty : ":" + code));
            switch (answer.Status)
            {
                case 201:
                    recorder.Confirm(Confirmed(answer, "201"));
                    return "confirmed_live";
                case 202:
                    var path = answer.Text("status") ?? "parked";
                    _phase = "pending_" + path;
                    return await FollowAsync(answer.Text("purchaseId")!, path, answer.RetryAfter, cancellationToken);
                case 200 when answer.Text("status") == "failed":
                    return "failed:" + answer.Text("failureCode");
                case 409 when code == "not_enough_seats":
                    var available = answer.Int("available");
                    if (!retriedFewer && quantity > 1 && available is null or > 0)
                    {
                        // Once, with fewer seats (what is left, if the gateway said).
                        retriedFewer = true;
                        quantity = Math.Min(quantity - 1, available ?? quantity - 1);
                        key += "-fewer";
                        recorder.Count("purchase_retry_fewer_seats");
                        continue;
                    }

                    return "not_enough_seats";
                case 429 or 503 when busyRetries++ < 5:
                    await PauseAsync(answer.RetryAfter, cancellationToken);
                    continue;
                default:
                    return "error:purchase_" + answer.Status.ToString(CultureInfo.InvariantCulture) + (code is null ? string.Empty : "_" + code);
            }
        }
    }

    /// <summary>Polls a parked or processing purchase until it is confirmed or failed.</summary>
    private async Task<string> FollowAsync(string purchaseId, string path, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        while (true)
        {
            await PauseAsync(retryAfter, cancellationToken);
            var answer = await CallAsync(() => gateway.GetPurchaseAsync(purchaseId, cancellationToken), cancellationToken);
            if (answer is null)
            {
                return "error:transport";
            }

            recorder.PurchasePoll(answer.Milliseconds);
            if (answer.Status != 200)
            {
                recorder.Count("purchase_poll:" + answer.Status.ToString(CultureInfo.InvariantCulture));
                retryAfter = answer.RetryAfter;
                continue;
            }

            switch (answer.Text("status"))
            {
                case "confirmed":
                    recorder.Confirm(Confirmed(answer, path));
                    return "confirmed_after_" + path;
                case "failed":
                    return "failed_after_" + path + ":" + answer.Text("failureCode");
                default:
                    retryAfter = answer.RetryAfter;
                    break;
            }
        }
    }

    private ConfirmedPurchase Confirmed(ApiAnswer answer, string path) =>
        new(answer.Text("purchaseId")!, answer.Int("orderId") ?? -1, answer.ArrayLength("seats"), path, recorder.Now, recorder.Now - _purchaseStartedAt);

    private async Task PauseAsync(TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var wait = (retryAfter ?? TimeSpan.FromSeconds(2)) + TimeSpan.FromMilliseconds(_random.Next(0, Math.Max(1, options.JitterMs)));
        await Task.Delay(wait, cancellationToken);
    }

    /// <summary>One call; a transport failure (refused, reset, client timeout) is counted and retried after a second.</summary>
    private async Task<ApiAnswer?> CallAsync(Func<Task<ApiAnswer>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var answer = await call();
                _transportErrors = 0;
                return answer;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                recorder.Count("transport_error:" + ex.GetType().Name);
                if (++_transportErrors > MaxTransportErrors)
                {
                    return null;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
