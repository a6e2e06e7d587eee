using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>One answer from the gateway: status, JSON body (if any), Retry-After, and how long the call took.</summary>
internal sealed record ApiAnswer(int Status, JsonElement? Body, TimeSpan? RetryAfter, double Milliseconds)
{
    public string? Text(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public int? Int(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    public int ArrayLength(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() : 0;
}

/// <summary>
/// The buyer-facing REST API of the gateway (CONTRACT.md §2): the line (joins, status) over one shared connection pool,
/// purchases over another. Buyers have connections of their own; sharing one pool, a status check would wait here for a
/// connection held by someone else's purchase waiting its turn at the backend, and measure this process, not the gateway.
/// </summary>
internal sealed class GatewayClient(HttpClient http, HttpClient purchases, int performanceId)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Task<ApiAnswer> JoinAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/performances/{performanceId}/queue"), cancellationToken);

    public Task<ApiAnswer> StatusAsync(string queueToken, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/performances/{performanceId}/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        return SendAsync(request, cancellationToken);
    }

    public Task<ApiAnswer> PurchaseAsync(string accessToken, string idempotencyKey, int zoneId, int quantity, string email, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["performanceId"] = performanceId,
            ["zoneId"] = zoneId,
            ["quantity"] = quantity,
            ["paymentToken"] = "tok_ok",
            ["email"] = email,
        });
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/purchases")
        {
            Content = new StringContent(body, Encoding.UTF8, Json),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync(request, cancellationToken, purchases);
    }

    public Task<ApiAnswer> GetPurchaseAsync(string purchaseId, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/purchases/{Uri.EscapeDataString(purchaseId)}"), cancellationToken, purchases);

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpClient? client = null)
    {
        using (request)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await (client ?? http).SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? body = null;
            if (text.Length > 0)
            {
                try
                {
                    using var document = JsonDocument.Parse(text);
                    body = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    body = null;
                }
            }

            var retryAfter = response.Headers.RetryAfter?.Delta;
            return new ApiAnswer((int)response.StatusCode, body, retryAfter, elapsed);
        }
    }
}
