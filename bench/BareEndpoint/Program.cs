// The baseline of the availability benchmark: a bare ASP.NET Core endpoint on the same machine returning exactly the
// bytes the gateway returns (captured from it by bench/run.sh), with nothing else in the pipeline.
//   dotnet OnSale.Bench.BareEndpoint.dll --urls http://127.0.0.1:5098 --body availability.json
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var body = await File.ReadAllBytesAsync(app.Configuration["body"] ?? throw new InvalidOperationException("--body {file} is required"));
app.MapGet("/api/v1/performances/{performanceId}/availability", (string performanceId) => Results.Bytes(body, "application/json"));

app.Run();
