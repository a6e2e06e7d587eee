using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace OnSale.Samples.OnSaleDemo;

/// <summary>
/// A trickle of buyers for the demo, so that the support console has something to show: a new buyer a second joins the
/// line of a performance already on sale, waits to be let in, and buys a seat, each an ordinary buyer's calls to the
/// gateway's public API on loopback. At most <see cref="MaxWaiting"/> wait at once; it stops by itself after
/// <see cref="MaxBuyers"/> or once everything is sold, and on Ctrl-C.
/// </summary>
internal static class DemoCrowd
{
    public const int MaxBuyers = 3_600;
    public const int MaxWaiting = 50;
    private static readonly int[] OnSale = [1001, 1002];

    public static async Task RunAsync(Uri gateway, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var soldOut = new HashSet<int>();
        var waiting = new Queue<Buyer>();
        try
        {
            for (var n = 1; n <= MaxBuyers && soldOut.Count < OnSale.Length && await timer.WaitForNextTickAsync(cancellationToken); n++)
            {
                var performance = OnSale[n % OnSale.Length];
                if (!soldOut.Contains(performance) && waiting.Count < MaxWaiting)
                {
                    waiting.Enqueue(new Buyer(n, performance, null));
                }

                for (var polls = Math.Min(waiting.Count, 5); polls > 0; polls--)
                {
                    var buyer = waiting.Dequeue();
                    switch (await StepAsync(http, buyer, cancellationToken))
                    {
                        case { State: "sold_out" }:
                            soldOut.Add(buyer.Performance);
                            break;
                        case { State: "waiting" or "lobby", QueueToken: { } token }:
                            waiting.Enqueue(buyer with { QueueToken = token });
                            break;
                        case null:
                            waiting.Enqueue(buyer); // the gateway did not answer: ask again later
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C.
        }
    }

    /// <summary>Joins (or asks where the buyer stands) and buys once admitted; null when the gateway did not answer.</summary>
    private static async Task<QueueAnswer?> StepAsync(HttpClient http, Buyer buyer, CancellationToken cancellationToken)
    {
        try
        {
            using var ask = new HttpRequestMessage(
                buyer.QueueToken is null ? HttpMethod.Post : HttpMethod.Get,
                string.Create(CultureInfo.InvariantCulture, $"api/v1/performances/{buyer.Performance}/queue"));
            if (buyer.QueueToken is not null)
            {
                ask.Headers.Authorization = new AuthenticationHeaderValue("Bearer", buyer.QueueToken);
            }

            using var answered = await http.SendAsync(ask, cancellationToken);
            var answer = await answered.Content.ReadFromJsonAsync<QueueAnswer>(cancellationToken);
            if (answer is { State: "admitted", AccessToken: { } access })
            {
                await BuyAsync(http, buyer, access, cancellationToken);
            }

            return answer;
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or NotSupportedException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static async Task BuyAsync(HttpClient http, Buyer buyer, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/purchases")
        {
            Content = JsonContent.Create(new
            {
                performanceId = buyer.Performance,
                zoneId = 1 + (buyer.Number % 2),
                quantity = 1,
                paymentToken = buyer.Number % 25 == 0 ? "tok_declined_demo" : "tok_ok",
                email = string.Create(CultureInfo.InvariantCulture, $"buyer{buyer.Number}@example.com"),
            }),
        };
        request.Headers.Add("Idempotency-Key", string.Create(CultureInfo.InvariantCulture, $"demo-crowd-{buyer.Number}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
    }

    private sealed record Buyer(int Number, int Performance, string? QueueToken);

    private sealed record QueueAnswer(string? State, string? QueueToken, string? AccessToken);
}
