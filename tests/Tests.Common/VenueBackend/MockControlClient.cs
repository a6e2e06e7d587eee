using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using OnSale.Mocks.VenueBackend.Control;

namespace OnSale.Tests.Common.VenueBackend;

/// <summary>A typed client of the mock's JSON control API (<c>/control/…</c>). Every call throws on a non-success status.</summary>
public sealed class MockControlClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    /// <summary>Wraps <paramref name="http"/>, whose BaseAddress is the mock's base address.</summary>
    public MockControlClient(HttpClient http)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
    }

    public async Task<FaultSettings> GetFaultsAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync<FaultSettings>(await _http.GetAsync(new Uri("control/faults", UriKind.Relative), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Replaces the fault settings (PUT /control/faults).</summary>
    public async Task SetFaultsAsync(FaultSettings settings, CancellationToken cancellationToken = default) =>
        await EnsureAsync(await _http.PutAsJsonAsync("control/faults", settings, Json, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Turns every fault off (DELETE /control/faults).</summary>
    public async Task ClearFaultsAsync(CancellationToken cancellationToken = default) =>
        await EnsureAsync(await _http.DeleteAsync(new Uri("control/faults", UriKind.Relative), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Puts a fault schedule: each step's settings replace the current ones that many seconds from now.</summary>
    public async Task<IReadOnlyList<FaultScheduleStep>> ScheduleFaultsAsync(IReadOnlyList<FaultScheduleStep> steps, CancellationToken cancellationToken = default) =>
        await ReadAsync<List<FaultScheduleStep>>(
            await _http.PutAsJsonAsync("control/faults/schedule", new FaultScheduleRequest(steps), Json, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    /// <summary>The steps of the fault schedule still pending, with the seconds left until each.</summary>
    public async Task<IReadOnlyList<FaultScheduleStep>> GetFaultScheduleAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync<List<FaultScheduleStep>>(await _http.GetAsync(new Uri("control/faults/schedule", UriKind.Relative), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task<MockStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync<MockStats>(await _http.GetAsync(new Uri("control/stats", UriKind.Relative), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Back to the seed: inventory, on-sale times, sessions, holds, orders; faults off; stats zeroed.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default) =>
        await EnsureAsync(await _http.PostAsync(new Uri("control/reset", UriKind.Relative), null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task SetOnSaleAtAsync(int performanceId, DateTimeOffset onSaleAt, CancellationToken cancellationToken = default) =>
        await EnsureAsync(
            await _http.PutAsJsonAsync(
                string.Create(CultureInfo.InvariantCulture, $"control/performances/{performanceId}"),
                new { onSaleAt },
                Json,
                cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    /// <summary>Withdraws or restores free seats so exactly <paramref name="available"/> are free (409 when impossible).</summary>
    public async Task SetAvailableAsync(int performanceId, int zoneId, int available, CancellationToken cancellationToken = default) =>
        await EnsureAsync(
            await _http.PutAsJsonAsync(
                string.Create(CultureInfo.InvariantCulture, $"control/performances/{performanceId}/zones/{zoneId}"),
                new { available },
                Json,
                cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<MockOrder>> GetOrdersAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync<List<MockOrder>>(await _http.GetAsync(new Uri("control/orders", UriKind.Relative), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureAsync(response, cancellationToken, dispose: false).ConfigureAwait(false);
        using (response)
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The control API answered {typeof(T).Name} with null.");
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken, bool dispose = true)
    {
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new HttpRequestException(
                    $"Control API {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}",
                    null,
                    response.StatusCode);
            }
        }
        finally
        {
            if (dispose || !response.IsSuccessStatusCode)
            {
                response.Dispose();
            }
        }
    }
}
