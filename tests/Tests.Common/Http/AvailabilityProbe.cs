using System.Net;

namespace OnSale.Tests.Common.Http;

/// <summary>Waits until a gateway knows a performance's availability.</summary>
public static class AvailabilityProbe
{
    /// <summary>
    /// Asks until the read answers 200: the first backend call of a fresh gateway may miss the request's deadline on a
    /// loaded machine. Knowing availability is the precondition of parking honestly.
    /// </summary>
    /// <param name="client">A client of the gateway.</param>
    /// <param name="performanceId">The performance.</param>
    /// <returns>A task that completes once the gateway answered 200.</returns>
    public static Task KnowAvailabilityAsync(HttpClient client, int performanceId) =>
        Eventually.HoldsAsync(
            async () => (await client.GetAsync(new Uri($"/api/v1/performances/{performanceId}/availability", UriKind.Relative))).StatusCode,
            status => status == HttpStatusCode.OK,
            $"availability of {performanceId} is known",
            attempts: 100);
}
