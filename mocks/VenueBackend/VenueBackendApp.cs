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
        // Content root = the app's own folder, so the seed in appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
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
}
