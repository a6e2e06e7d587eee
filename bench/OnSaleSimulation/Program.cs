// The on-sale simulation (bench/README.md): 20,000 buyers in one process join a lobby, wait their turn and buy
// through the gateway while the mock backend is capped at 100 calls per second. It speaks only HTTP, to the gateway
// and to the mock's control API, on loopback. Writes {--out}.md (a results fragment) and {--out}.json.
//   dotnet OnSale.Bench.OnSaleSimulation.dll --gateway http://127.0.0.1:5291 --mock http://127.0.0.1:5290 [--buyers 20000] ...
// Exit code 0 when the hard goals hold (backend under its cap, no oversell, gateway and backend agree, every buyer
// ended), 1 when one does not, 2 when the run itself failed.
using OnSale.Bench.OnSaleSimulation;

try
{
    var options = SimulationOptions.Parse(args);
    var run = await Simulation.RunAsync(options);
    return Report.Write(run) ? 0 : 1;
}
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or HttpRequestException)
{
    await Console.Error.WriteLineAsync("simulation failed: " + ex.Message);
    return 2;
}
