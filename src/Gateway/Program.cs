using OnSale.Gateway.Admin;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.Storage;
using OnSale.Gateway.WaitingRoom;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddGatewayInfrastructure(builder.Configuration)
    .AddGatewayStorage(builder.Configuration)
    .AddBackend(builder.Configuration)
    .AddAvailability(builder.Configuration)
    .AddWaitingRoom(builder.Configuration)
    .AddPurchasing(builder.Configuration)
    .AddAdmin(builder.Configuration);

var app = builder.Build();

app.UseGatewayInfrastructure();
app.MapOperationsEndpoints();
app.MapAvailabilityApi();
app.MapWaitingRoomApi();
app.MapPurchasingApi();
app.MapAdminApi();

app.Run();

/// <summary>The gateway's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
