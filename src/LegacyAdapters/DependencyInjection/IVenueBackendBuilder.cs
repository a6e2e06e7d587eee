using OnSale.LegacyAdapters;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the <see cref="IVenueBackend"/> registered by <c>AddVenueBackend</c>.</summary>
public interface IVenueBackendBuilder
{
    /// <summary>The service collection the backend is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// The named <see cref="System.Net.Http.HttpClient"/> every call goes through, for adding message handlers
    /// (authentication, logging). Do not add a generic HTTP retry handler: every SOAP and XML-RPC call is a POST,
    /// and <see cref="VenueOperation.ReserveTickets"/> or <see cref="VenueOperation.Checkout"/> must never be retried
    /// blindly. Use <see cref="VenueBackendBuilderExtensions.AddResiliencePipeline"/> for per-operation rules instead.
    /// </summary>
    IHttpClientBuilder HttpClient { get; }
}
