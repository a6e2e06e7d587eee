namespace OnSale.Interop.Tests;

/// <summary>
/// Our SOAP client against node-soap's server built from our WSDL (scripts/soap_server.js): proves our envelopes,
/// SOAPAction headers and namespaces are what a WSDL-driven stack expects, and that we read its answers and faults.
/// </summary>
public sealed class NodeSoapServerTests(NodeSoapServerFixture peer)
    : VenueBackendPeerServerTests(peer), IClassFixture<NodeSoapServerFixture>;
