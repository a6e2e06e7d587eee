using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>The mock's control API and the gateway's admin status and metrics, on a connection pool of their own.</summary>
internal sealed class ControlClient(HttpClient http, SimulationOptions options)
{
    public async Task SetFaultsAsync(object settings, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(new Uri(options.Mock, "/control/faults"), settings, cancellationToken);
        await EnsureAsync(response, "PUT /control/faults", cancellationToken);
    }

    /// <summary>Fault settings that change by themselves: each step replaces them <c>afterSeconds</c> from now.</summary>
    public async Task ScheduleFaultsAsync(IReadOnlyList<(double AfterSeconds, object Faults)> steps, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(
            new Uri(options.Mock, "/control/faults/schedule"),
            new { steps = steps.Select(s => new { afterSeconds = s.AfterSeconds, faults = s.Faults }).ToList() },
            cancellationToken);
        await EnsureAsync(response, "PUT /control/faults/schedule", cancellationToken);
    }

    public async Task SetAvailableAsync(int zoneId, int available, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(
            new Uri(options.Mock, $"/control/performances/{options.Performance}/zones/{zoneId}"), new { available }, cancellationToken);
        await EnsureAsync(response, $"PUT zone {zoneId}", cancellationToken);
    }

    public async Task SetOnSaleAtAsync(DateTimeOffset onSaleAt, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(
            new Uri(options.Mock, $"/control/performances/{options.Performance}"),
            new { onSaleAt = onSaleAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
            cancellationToken);
        await EnsureAsync(response, "PUT onSaleAt", cancellationToken);
    }

    /// <summary>The performance's <c>onSaleAt</c> as the gateway tells buyers now (its cached list), or null.</summary>
    public async Task<DateTimeOffset?> GatewayOnSaleAtAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(options.Gateway, "/api/v1/performances"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.EnumerateArray()
            .Where(p => p.GetProperty("id").GetInt32() == options.Performance)
            .Select(p => (DateTimeOffset?)p.GetProperty("onSaleAt").GetDateTimeOffset())
            .FirstOrDefault();
    }

    public Task<JsonElement> MockStatsAsync(CancellationToken cancellationToken) => GetJsonAsync(new Uri(options.Mock, "/control/stats"), null, cancellationToken);

    public Task<JsonElement> MockOrdersAsync(CancellationToken cancellationToken) => GetJsonAsync(new Uri(options.Mock, "/control/orders"), null, cancellationToken);

    public Task<JsonElement> AdminStatusAsync(CancellationToken cancellationToken) =>
        GetJsonAsync(new Uri(options.Gateway, "/admin/api/status"), options.AdminKey, cancellationToken);

    /// <summary>The zone counts buyers see (the gateway's public availability read), or null if it has none to give.</summary>
    public async Task<JsonElement?> GatewayAvailabilityAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(options.Gateway, $"/api/v1/performances/{options.Performance}/availability"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.Clone();
    }

    /// <summary>The gateway's Prometheus lines whose name starts with one of <paramref name="prefixes"/>.</summary>
    public async Task<IReadOnlyList<string>> MetricsAsync(IReadOnlyList<string> prefixes, CancellationToken cancellationToken)
    {
        var text = await GetTextAsync(new Uri(options.Gateway, "/metrics"), options.AdminKey, cancellationToken);
        return [.. text.Split('\n').Where(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal)))];
    }

    private async Task<string> GetTextAsync(Uri uri, string? bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureAsync(response, "GET " + uri.AbsolutePath, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<JsonElement> GetJsonAsync(Uri uri, string? bearer, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await GetTextAsync(uri, bearer, cancellationToken));
        return document.RootElement.Clone();
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {body}");
        }
    }
}
