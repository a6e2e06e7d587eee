using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Interop.Tests;

/// <summary>
/// Python's standard <c>xmlrpc.client</c> (scripts/xmlrpc_client.py) against our mock's <c>/RPC2</c>: proves the
/// mock speaks XML-RPC as another implementation reads it, with the contract's types, faults and semantics.
/// </summary>
public sealed class PythonXmlRpcClientTests
{
    [Fact]
    public async Task Scenario_AgainstMock_PassesAndItsOrderIsRecorded()
    {
        await using var host = await MockBackendHost.StartAsync();
        var reference = $"py-xmlrpc-{Guid.NewGuid():N}";

        var run = await PeerProcess.RunToEndAsync(
            "python3",
            [PeerScripts.Script("xmlrpc_client.py"), $"{host.XmlRpcUrl}", reference],
            PeerScripts.RunTimeout);

        var report = PeerClientReport.Parse(run);
        Assert.True(report.Ok && run.ExitCode == 0, report.Describe(run));
        await MockAssertions.OrderRecordedAsync(host, report, reference);
    }
}
