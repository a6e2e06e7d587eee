using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Mocks.VenueBackend.Faults;
using OnSale.Mocks.VenueBackend.Inventory;
using OnSale.Mocks.VenueBackend.Soap;
using OnSale.Mocks.VenueBackend.XmlRpc;

namespace OnSale.Mocks.VenueBackend;

/// <summary>Builds the mock backend's web application; tests host it in-process with their own clock.</summary>
public static class VenueBackendApp
{
    /// <summary>Builds the app. <paramref name="configure"/> runs after the default registrations, so it can replace them.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root = the app's own folder, and the seed embedded underneath every other source: the mock has its
        // demo data however and wherever it is hosted (standalone, in tests, inside the on-sale demo).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Insert(0, EmbeddedSeed());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddVenueInventory(builder.Configuration);
        builder.Services.AddFaultInjection();
        builder.Services.AddSoapBinding();
        builder.Services.AddXmlRpcBinding();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapSoapApi();
        app.MapXmlRpcApi();
        app.MapControlApi();

        // Seed now: start-up "now" is the start-up time of the (possibly replaced) TimeProvider, and a bad seed fails here.
        _ = app.Services.GetRequiredService<VenueInventoryAccessor>();
        return app;
    }

    /// <summary>The mock's own appsettings.json, compiled into the assembly (resource OnSale.Mocks.VenueBackend.appsettings.json).</summary>
    public static JsonConfigurationSource EmbeddedSeed()
    {
        var source = new JsonConfigurationSource
        {
            FileProvider = new EmbeddedFileProvider(typeof(VenueBackendApp).Assembly, "OnSale.Mocks.VenueBackend"),
            Path = "appsettings.json",
            Optional = false,
        };
        return source;
    }
}
