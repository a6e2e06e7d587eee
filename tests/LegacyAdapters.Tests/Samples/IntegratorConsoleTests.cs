using System.Diagnostics;
using OnSale.Tests.Common;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.LegacyAdapters.Tests.Samples;

/// <summary>The integrator console, run as a user runs it, buys a ticket over either binding.</summary>
public sealed class IntegratorConsoleTests
{
    [Theory]
    [InlineData("soap")]
    [InlineData("xmlrpc")]
    public async Task Console_AgainstTheMock_BuysTickets(string protocol)
    {
        await using var mock = await MockBackendHost.StartAsync();
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepositoryRoot.Path, "samples", "IntegratorConsole", "bin", configuration, "net10.0", "OnSale.Samples.IntegratorConsole.dll");

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--protocol", protocol, "--backend", mock.BaseAddress.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await output}{await errors}");
        var order = Assert.Single(await mock.Control.GetOrdersAsync());
        Assert.Contains($"Bought order {order.OrderId}", await output, StringComparison.Ordinal);
        Assert.Equal(2, order.Seats.Count);
    }
}
