using OnSale.Gateway.Admin;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.Storage;
using OnSale.Gateway.WaitingRoom;
using OnSale.Gateway.Widget;

namespace OnSale.Gateway;

/// <summary>Composes the gateway: one line per feature. Program.cs runs it; the on-sale demo hosts it in-process.</summary>
public static class GatewayApp
{
    /// <summary>Builds the gateway. <paramref name="configure"/> runs after the default registrations.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.Services
            .AddGatewayInfrastructure(builder.Configuration)
            .AddGatewayStorage(builder.Configuration)
            .AddBackend(builder.Configuration)
            .AddAvailability(builder.Configuration)
            .AddWaitingRoom(builder.Configuration)
            .AddPurchasing(builder.Configuration)
            .AddAdmin(builder.Configuration)
            .AddWidget(builder.Configuration);
        builder.Services.AddHostedService<StateRestorer>();
        builder.Services.AddHostedService<SettingsFollower>();
        configure?.Invoke(builder);

        var app = builder.Build();

        app.UseConfiguredForwardedHeaders(); // the buyer's address, as a configured load balancer saw it
        app.UseHotPaths(WidgetExtensions.CorsPolicyName); // then: a fresh availability answer or a status check needs nothing of what follows
        app.UseRouting();
        app.UseWidgetCors(); // before the rest, so that error answers to venues' pages carry CORS headers too
        app.UseGatewayInfrastructure();
        app.MapOperationsEndpoints();
        app.MapAvailabilityApi();
        app.MapWaitingRoomApi();
        app.MapPurchasingApi();
        app.MapAdminApi();
        app.MapWidgetApi();
        return app;
    }
}
