using OnSale.Samples.VenueSite;

// dotnet run --project samples/VenueSite -- --urls http://127.0.0.1:5070 [--VenueSite:GatewayUrl http://127.0.0.1:5080]
VenueSiteApp.Build(args).Run();
