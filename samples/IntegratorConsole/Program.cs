using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnSale.LegacyAdapters;

// An integrator's program: lists performances, holds seats and buys them, over SOAP or XML-RPC.
//   dotnet run --project samples/IntegratorConsole -- --protocol xmlrpc --backend http://127.0.0.1:5090
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables()
    .AddCommandLine(args, new Dictionary<string, string>
    {
        ["--protocol"] = "Gateway:Backend:Protocol",
        ["--backend"] = "Backend",
        ["--performance"] = "Performance",
        ["--zone"] = "Zone",
        ["--quantity"] = "Quantity",
        ["--token"] = "PaymentToken",
    })
    .Build();

var baseUrl = new Uri((configuration["Backend"] ?? "http://127.0.0.1:5090").TrimEnd('/') + "/");
var protocol = Enum.Parse<VenueBackendProtocol>(configuration["Gateway:Backend:Protocol"] ?? "Soap", ignoreCase: true);
configuration["Gateway:Backend:Protocol"] = protocol.ToString();
configuration["Gateway:Backend:Url"] ??= new Uri(baseUrl, protocol == VenueBackendProtocol.Soap ? "VenueService.svc" : "RPC2").ToString();

var services = new ServiceCollection();
services.AddVenueBackend(configuration);
await using var provider = services.BuildServiceProvider();
var backend = provider.GetRequiredService<IVenueBackend>();

try
{
    Console.WriteLine($"Backend: {configuration["Gateway:Backend:Url"]} ({protocol})");
    var performances = await backend.GetPerformancesAsync();
    foreach (var p in performances)
    {
        Console.WriteLine($"  {p.Id}  {p.Title} at {p.Venue}, starts {p.StartsAt:u}, on sale {p.OnSaleAt:u}");
    }

    var performanceId = configuration.GetValue("Performance", performances[0].Id);
    var zones = await backend.GetAvailabilityAsync(performanceId);
    foreach (var z in zones)
    {
        Console.WriteLine($"    zone {z.ZoneId} {z.Name}: {z.Available}/{z.Capacity} free at {z.PriceCents / 100m:0.00}");
    }

    var zoneId = configuration.GetValue("Zone", zones[0].ZoneId);
    var session = await backend.GetNewSessionKeyAsync();
    var hold = await backend.ReserveTicketsAsync(session, performanceId, zoneId, configuration.GetValue("Quantity", 2));
    Console.WriteLine($"Held {string.Join(", ", hold.Seats)} until {hold.ExpiresAt:u} (line item {hold.LineItemId})");

    var reference = $"console-{Guid.NewGuid():N}";
    var order = await backend.CheckoutAsync(session, configuration["PaymentToken"] ?? "tok_ok", reference);
    Console.WriteLine($"Bought order {order.OrderId}: seats {string.Join(", ", order.Seats)}, total {order.TotalCents / 100m:0.00}");

    var found = await backend.FindOrderAsync(reference);
    Console.WriteLine($"FindOrder({reference}) -> order {found.OrderId}");
    return 0;
}
catch (VenueBackendException ex)
{
    Console.Error.WriteLine($"The backend said no: {ex.GetType().Name} (fault {ex.FaultCode?.ToString() ?? "none"}): {ex.Message}");
    return 1;
}
