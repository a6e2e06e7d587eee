// Hot on-sale benchmark (bench/README.md): a farm of a few addresses joining a lobby many times against a handful of
// real buyers joining once each, with and without the protection of hot on-sales; and the widget's solver timed in
// headless Chromium. Speaks only HTTP to the gateway and the mock on loopback; writes a JSON result.
//   dotnet OnSale.Bench.HotOnSale.dll lobby --gateway http://127.0.0.1:5491 --performances 1003,2001 [--identity-secret S] --out x.json
//   dotnet OnSale.Bench.HotOnSale.dll calibrate --gateway http://127.0.0.1:5491 --performance 2001 --runs 30 --out y.json
//   dotnet OnSale.Bench.HotOnSale.dll rate
using System.Text.Json;
using OnSale.Bench.HotOnSale;

var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
try
{
    var options = BenchOptions.Parse(args);
    object result = options.Mode switch
    {
        "lobby" => await Lobby.RunAsync(options),
        "calibrate" => await BrowserCalibration.RunAsync(options),
        "rate" => Solver.MeasureRate(TimeSpan.FromSeconds(2)),
        _ => throw new ArgumentException($"unknown mode '{options.Mode}': lobby, calibrate or rate"),
    };
    var text = JsonSerializer.Serialize(result, json);
    if (options.Out is { } path)
    {
        await File.WriteAllTextAsync(path, text);
    }

    Console.WriteLine(text);
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or HttpRequestException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync("hot on-sale bench failed: " + ex.Message);
    return 2;
}
