namespace Microsoft.Extensions.DependencyInjection;

internal sealed class VenueBackendBuilder(IServiceCollection services, IHttpClientBuilder httpClient) : IVenueBackendBuilder
{
    public IServiceCollection Services { get; } = services;

    public IHttpClientBuilder HttpClient { get; } = httpClient;
}
