using System.Net;
using System.ServiceModel;
using System.Text;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// One call made when the backend is built and answered in process by <see cref="FactoryPipelineHandler"/>: it runs
/// WCF's whole client path once (XmlSerializer's code generation, about 260 ms; the channel proxy, the encoder, the
/// WSDL check) so that the first real call does not pay for it inside its timeout. Nothing goes over the network or
/// through the host's handlers.
/// </summary>
internal static class WarmUpCall
{
    /// <summary>The host the warm-up call goes to; <c>.invalid</c> is reserved, so no real host can have it (RFC 2606).</summary>
    public const string Host = "warm-up.invalid";

    private const string Reply =
        """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetAvailabilityResponse xmlns="urn:venue-backend:v1"><GetAvailabilityResult><Zone><ZoneId>1</ZoneId><Name>Warm-up</Name><PriceCents>1</PriceCents><Capacity>1</Capacity><Available>1</Available></Zone></GetAvailabilityResult></GetAvailabilityResponse></s:Body></s:Envelope>""";

    public static HttpResponseMessage Answer() =>
        new(HttpStatusCode.OK) { Content = new StringContent(Reply, Encoding.UTF8, "text/xml") };

    public static void Run(ChannelFactory<IVenueService> factory, Uri url)
    {
        // Same scheme as the backend's: the binding takes only that one.
        var channel = factory.CreateChannel(new EndpointAddress(new UriBuilder(url) { Host = Host, Port = -1 }.Uri));
        try
        {
            // Off the caller's synchronization context, so that a UI thread never waits for a continuation it would run.
            Task.Run(() => channel.GetAvailabilityAsync(0)).GetAwaiter().GetResult();
        }
        finally
        {
            ((ICommunicationObject)channel).Abort();
        }
    }
}
