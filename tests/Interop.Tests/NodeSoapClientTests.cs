using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Interop.Tests;

/// <summary>
/// node-soap's client built from the WSDL our mock serves (scripts/soap_client.js) against the mock's
/// <c>/VenueService.svc</c>: proves the served WSDL is usable and unchanged but for its address, and that the mock's
/// envelopes, types and faults are what a WSDL-driven stack expects.
/// </summary>
public sealed class NodeSoapClientTests
{
    [Fact]
    public async Task Scenario_AgainstMock_PassesAndItsOrderIsRecorded()
    {
        PeerScripts.RequireNodeSoap();
        await using var host = await MockBackendHost.StartAsync();
        var reference = $"node-soap-{Guid.NewGuid():N}";

        var run = await PeerProcess.RunToEndAsync(
            "node",
            [PeerScripts.Script("soap_client.js"), $"{host.SoapUrl}?wsdl", reference, PeerScripts.WsdlPath],
            PeerScripts.RunTimeout);

        var report = PeerClientReport.Parse(run);
        Assert.True(report.Ok && run.ExitCode == 0, report.Describe(run));
        await MockAssertions.OrderRecordedAsync(host, report, reference);
    }
}
