using Microsoft.Extensions.DependencyInjection;

namespace OnSale.LegacyAdapters.Tests;

/// <summary>Builds an <see cref="IVenueBackend"/> the way an integrator does: through <c>AddVenueBackend</c>.</summary>
internal static class TestBackends
{
    public static (IVenueBackend Backend, ServiceProvider Services) Create(
        VenueBackendProtocol protocol,
        Uri url,
        TimeSpan? timeout = null,
        int? maxResponseBytes = null,
        TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddVenueBackend(o =>
        {
            o.Protocol = protocol;
            o.Url = url;
            o.Timeout = timeout ?? TimeSpan.FromSeconds(10);
            o.MaxResponseBytes = maxResponseBytes ?? o.MaxResponseBytes;
        });
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IVenueBackend>(), provider);
    }
}
