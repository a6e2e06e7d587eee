OnSale.Gateway.GatewayApp.Build(args).Run();

/// <summary>The gateway's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
