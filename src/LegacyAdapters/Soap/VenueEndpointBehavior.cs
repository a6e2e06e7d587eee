using System.ServiceModel.Channels;
using System.ServiceModel.Description;
using System.ServiceModel.Dispatcher;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// What the SOAP binding adds to WCF's client: HTTP through the library's named <see cref="HttpClient"/> pipeline,
/// so that handlers a host adds with <c>IVenueBackendBuilder.HttpClient</c> see SOAP calls as they see XML-RPC ones;
/// and every reply held to the WSDL's schema (<see cref="WsdlReplyValidator"/>).
/// </summary>
internal sealed class VenueEndpointBehavior(IHttpMessageHandlerFactory handlers, string clientName) : IEndpointBehavior
{
    public void AddBindingParameters(ServiceEndpoint endpoint, BindingParameterCollection bindingParameters) =>
        bindingParameters.Add(new Func<HttpClientHandler, HttpMessageHandler>(wcfHandler =>
        {
            // The factory's primary handler carries the connections; WCF's own is never used.
            wcfHandler.Dispose();
            return new FactoryPipelineHandler(handlers, clientName);
        }));

    public void ApplyClientBehavior(ServiceEndpoint endpoint, ClientRuntime clientRuntime)
    {
        clientRuntime.ClientMessageInspectors.Add(new WsdlReplyValidator());
    }

    public void ApplyDispatchBehavior(ServiceEndpoint endpoint, EndpointDispatcher endpointDispatcher)
    {
    }

    public void Validate(ServiceEndpoint endpoint)
    {
    }
}

/// <summary>
/// Sends each request through the handler chain <see cref="IHttpMessageHandlerFactory"/> holds for the named client,
/// looked up per request: WCF keeps one <see cref="HttpClient"/> for a factory's whole life, which would pin one
/// handler for good and defeat the factory's handler rotation (DNS changes). The backend's <see cref="WarmUpCall"/>
/// is answered here.
/// </summary>
internal sealed class FactoryPipelineHandler(IHttpMessageHandlerFactory handlers, string clientName) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.Host == WarmUpCall.Host)
        {
            return WarmUpCall.Answer();
        }

        using var invoker = new HttpMessageInvoker(handlers.CreateHandler(clientName), disposeHandler: false);
        var response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;

        // WCF reports a proxy's HTML error page like any other broken answer (a content-type ProtocolException) and
        // reads a 502 or 503 no further than its status line; only the status says the box, or the proxy in front of
        // it, is failing. A SOAP fault comes as 500 with XML and is left to WCF.
        if (status >= 500 && !(status == 500 && mediaType is ("text/xml" or "application/xml")))
        {
            response.Dispose();
            throw new SoapReplyException(
                $"the backend answered HTTP {status} ({mediaType ?? "no content type"}) instead of a SOAP envelope",
                backendFailing: true);
        }

        return response;
    }
}
