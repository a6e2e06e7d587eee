var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/healthz");
app.Run();

/// <summary>The gateway's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
