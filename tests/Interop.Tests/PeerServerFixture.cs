using Microsoft.Extensions.DependencyInjection;
using OnSale.LegacyAdapters;

namespace OnSale.Interop.Tests;

/// <summary>
/// One peer server for a test class, and our adapter (<see cref="IVenueBackend"/>, built the way the gateway builds
/// it: <c>AddVenueBackend</c>) pointed at it.
/// </summary>
public abstract class PeerServerFixture : IAsyncLifetime
{
    private PeerProcess? _peer;
    private ServiceProvider? _services;

    /// <summary>The running peer server.</summary>
    public PeerProcess Peer => _peer ?? throw new InvalidOperationException("The peer server has not started.");

    /// <summary>Our adapter, talking to the peer.</summary>
    public IVenueBackend Backend => _services?.GetRequiredService<IVenueBackend>() ?? throw new InvalidOperationException("The peer server has not started.");

    /// <summary>The protocol our adapter speaks to this peer.</summary>
    public abstract VenueBackendProtocol Protocol { get; }

    /// <summary>The line the peer writes to stderr when it receives <paramref name="operation"/>.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The method (XML-RPC) or operation (SOAP) name.</returns>
    public abstract string LogLineOf(VenueOperation operation);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _peer = await StartPeerAsync();
        var services = new ServiceCollection();
        services.AddVenueBackend(o =>
        {
            o.Protocol = Protocol;
            o.Url = EndpointOf(_peer.Port);
            o.Timeout = TimeSpan.FromSeconds(10);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }

    /// <summary>Starts the peer server.</summary>
    /// <returns>The running peer.</returns>
    protected abstract Task<PeerProcess> StartPeerAsync();

    /// <summary>The endpoint our adapter posts to.</summary>
    /// <param name="port">The peer's port.</param>
    /// <returns>The endpoint URL.</returns>
    protected abstract Uri EndpointOf(int port);
}

/// <summary>Python's standard <c>xmlrpc.server</c> (scripts/xmlrpc_server.py) and our XML-RPC client.</summary>
public sealed class PythonXmlRpcServerFixture : PeerServerFixture
{
    /// <inheritdoc />
    public override VenueBackendProtocol Protocol => VenueBackendProtocol.XmlRpc;

    /// <inheritdoc />
    public override string LogLineOf(VenueOperation operation)
    {
        var name = operation.ToString();
        return "venue." + char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <inheritdoc />
    protected override Task<PeerProcess> StartPeerAsync() =>
        PeerProcess.StartAsync("python3", [PeerScripts.Script("xmlrpc_server.py"), PeerScripts.Script("fixtures.json")], PeerScripts.StartTimeout);

    /// <inheritdoc />
    protected override Uri EndpointOf(int port) => new($"http://127.0.0.1:{port}/RPC2");
}

/// <summary>node-soap's server built from our WSDL (scripts/soap_server.js) and our SOAP client.</summary>
public sealed class NodeSoapServerFixture : PeerServerFixture
{
    /// <inheritdoc />
    public override VenueBackendProtocol Protocol => VenueBackendProtocol.Soap;

    /// <inheritdoc />
    public override string LogLineOf(VenueOperation operation) => operation.ToString();

    /// <inheritdoc />
    protected override Task<PeerProcess> StartPeerAsync()
    {
        PeerScripts.RequireNodeSoap();
        return PeerProcess.StartAsync(
            "node",
            [PeerScripts.Script("soap_server.js"), PeerScripts.WsdlPath, PeerScripts.Script("fixtures.json")],
            PeerScripts.StartTimeout);
    }

    /// <inheritdoc />
    protected override Uri EndpointOf(int port) => new($"http://127.0.0.1:{port}/VenueService.svc");
}
