using OnSale.Gateway;
using OnSale.Mocks.VenueBackend;
using OnSale.Samples.OnSaleDemo;
using OnSale.Samples.VenueSite;

// The on-sale demo: the mock venue backend, the gateway (Embedded store) and a venue's website, in one process.
//   dotnet run --project samples/OnSaleDemo
// Ports can be changed with DEMO_MOCK_URL, DEMO_GATEWAY_URL and DEMO_SITE_URL; DEMO_CROWD=0 turns off the trickle of
// simulated buyers. Ctrl-C stops everything.
var mockUrl = Environment.GetEnvironmentVariable("DEMO_MOCK_URL") ?? "http://127.0.0.1:5090";
var gatewayUrl = Environment.GetEnvironmentVariable("DEMO_GATEWAY_URL") ?? "http://127.0.0.1:5080";
var siteUrl = Environment.GetEnvironmentVariable("DEMO_SITE_URL") ?? "http://127.0.0.1:5070";
var siteOnLocalhost = new UriBuilder(siteUrl) { Host = "localhost" }.Uri.GetLeftPart(UriPartial.Authority);
var dataPath = Path.Combine(Path.GetTempPath(), "onsale-demo");
const string AdminKey = "demo-admin-key";
const string ViewerKey = "demo-viewer-key-for-the-console-0123";
const string Quiet = "--Logging:LogLevel:Default=Warning";
var crowd = Environment.GetEnvironmentVariable("DEMO_CROWD") != "0";

var mock = VenueBackendApp.Build(["--urls", mockUrl, Quiet]);
var gateway = GatewayApp.Build(
[
    "--urls", gatewayUrl, Quiet,
    "--Logging:LogLevel:OnSale=Information",
    $"--Gateway:Backend:Url={mockUrl}/VenueService.svc",
    $"--Gateway:DataPath={dataPath}",
    $"--Gateway:Admin:ApiKey={AdminKey}",
    $"--Gateway:Admin:Operators:viewer:Key={ViewerKey}",
    "--Gateway:Admin:Operators:viewer:Role=viewer",
    $"--Gateway:Venues:royal-hall:Origins:0={siteUrl}",
    $"--Gateway:Venues:royal-hall:Origins:1={siteOnLocalhost}",
    "--Gateway:WaitingRoom:ActivationThreshold=0",
]);
var site = VenueSiteApp.Build(["--urls", siteUrl, Quiet, $"--VenueSite:GatewayUrl={gatewayUrl}"]);

try
{
    await mock.StartAsync();
    await gateway.StartAsync();
    await site.StartAsync();
}
catch (IOException ex)
{
    Console.Error.WriteLine($"Could not start the demo: {ex.Message}");
    Console.Error.WriteLine("Is another copy running? Change the ports with DEMO_MOCK_URL, DEMO_GATEWAY_URL and DEMO_SITE_URL.");
    return 1;
}

Console.WriteLine($$"""

    OnSale Gateway demo is running. Open the venue's page and buy a ticket:

      Venue site (embeds the widget)  {{siteUrl}}
      Gateway (REST API, widget)      {{gatewayUrl}}   e.g. {{gatewayUrl}}/api/v1/performances
      Mock venue backend (SOAP)       {{mockUrl}}/VenueService.svc?wsdl

    The payment token for the demo is tok_ok (anything starting with tok_declined is declined).{{(crowd ? $"\nA few simulated buyers buy a seat a second (DEMO_CROWD=0 turns them off)." : "")}}

    Support console: {{gatewayUrl}}/admin
      sign in with {{AdminKey}} (operator: may act) or {{ViewerKey}} (viewer: may look)
    Simulate an outage of the box office, and end it:
      curl -X PUT {{mockUrl}}/control/faults -H 'Content-Type: application/json' -d '{"outage":true}'
      curl -X DELETE {{mockUrl}}/control/faults
    The same controls with curl (admin key {{AdminKey}}):
      curl -X PUT {{gatewayUrl}}/admin/api/mode -H 'Authorization: Bearer {{AdminKey}}' -H 'Content-Type: application/json' -d '{"mode":"degraded","reason":"demo"}'
      curl -X PUT {{gatewayUrl}}/admin/api/banner -H 'Authorization: Bearer {{AdminKey}}' -H 'Content-Type: application/json' -d '{"message":"Doors open at 19:00","level":"info"}'
      curl {{gatewayUrl}}/admin/api/status -H 'Authorization: Bearer {{AdminKey}}'

    Data: {{dataPath}}. Press Ctrl-C to stop.

    """);

// Ctrl-C reaches each host's console lifetime; wait until all three have stopped.
using var stopping = new CancellationTokenSource();
var buyers = crowd ? DemoCrowd.RunAsync(new Uri(gatewayUrl), stopping.Token) : Task.CompletedTask;
await Task.WhenAll(site.WaitForShutdownAsync(), gateway.WaitForShutdownAsync(), mock.WaitForShutdownAsync());
await stopping.CancelAsync();
await buyers;
await site.DisposeAsync();
await gateway.DisposeAsync();
await mock.DisposeAsync();
Console.WriteLine("Demo stopped.");
return 0;
