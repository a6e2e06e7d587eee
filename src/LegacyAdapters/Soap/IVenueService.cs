using System.ServiceModel;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// The port type <c>IVenueService</c> of venue-backend.wsdl, declared by hand for WCF's client: document/literal
/// wrapped (request wrapper = operation name, response wrapper = operation name + <c>Response</c> holding
/// <c>{Operation}Result</c>), parameters qualified in the target namespace and in the WSDL's order, the WSDL's
/// <c>soapAction</c>s, and <c>VenueFault</c> details read as <see cref="FaultException{TDetail}"/>.
/// </summary>
/// <remarks>
/// XmlSerializer rather than DataContract: DataContract orders members alphabetically and puts <c>&lt;string&gt;</c>
/// items in its own namespace, neither of which is the WSDL. The replies' action is not checked
/// (<c>ReplyAction = "*"</c>): the WSDL's BasicHttpBinding carries no WS-Addressing headers.
/// </remarks>
[ServiceContract(Namespace = VenueService.Namespace, Name = "IVenueService")]
[XmlSerializerFormat(SupportFaults = true)]
internal interface IVenueService
{
    [OperationContract(Action = VenueService.ActionPrefix + "GetNewSessionKey", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<string> GetNewSessionKeyAsync();

    [OperationContract(Action = VenueService.ActionPrefix + "GetPerformances", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<SoapPerformance[]> GetPerformancesAsync();

    [OperationContract(Action = VenueService.ActionPrefix + "GetAvailability", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<SoapZone[]> GetAvailabilityAsync(int performanceId);

    [OperationContract(Action = VenueService.ActionPrefix + "ReserveTickets", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<SoapHold> ReserveTicketsAsync(string sessionKey, int performanceId, int zoneId, int quantity);

    [OperationContract(Action = VenueService.ActionPrefix + "ReleaseTickets", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<bool> ReleaseTicketsAsync(string sessionKey, int lineItemId);

    [OperationContract(Action = VenueService.ActionPrefix + "Checkout", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<SoapOrder> CheckoutAsync(string sessionKey, string paymentToken, string clientReference);

    [OperationContract(Action = VenueService.ActionPrefix + "FindOrder", ReplyAction = "*")]
    [FaultContract(typeof(SoapVenueFault), Name = "VenueFault", Namespace = VenueService.Namespace)]
    Task<SoapOrder> FindOrderAsync(string clientReference);
}

/// <summary>Names from venue-backend.wsdl.</summary>
internal static class VenueService
{
    /// <summary>The WSDL's target namespace: of the wrappers, the parameters, the data types and the fault detail.</summary>
    public const string Namespace = "urn:venue-backend:v1";

    /// <summary>Every <c>soapAction</c> is this followed by the operation name.</summary>
    public const string ActionPrefix = Namespace + "/IVenueService/";
}
