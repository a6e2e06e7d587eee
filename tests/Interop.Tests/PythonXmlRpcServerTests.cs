namespace OnSale.Interop.Tests;

/// <summary>
/// Our XML-RPC client against Python's standard <c>xmlrpc.server</c> (scripts/xmlrpc_server.py): proves our
/// method calls, parameter types and response decoding are XML-RPC as another implementation speaks it.
/// </summary>
public sealed class PythonXmlRpcServerTests(PythonXmlRpcServerFixture peer)
    : VenueBackendPeerServerTests(peer), IClassFixture<PythonXmlRpcServerFixture>;
