using System.Text;
using OnSale.LegacyAdapters.Soap;
using OnSale.Tests.Common.Soap;

namespace OnSale.LegacyAdapters.Tests.Soap;

/// <summary>The requests our SOAP client writes are what the WSDL describes.</summary>
public sealed class SoapEnvelopeTests
{
    public static TheoryData<VenueOperation, (string, object)[]> Requests => new()
    {
        { VenueOperation.GetNewSessionKey, [] },
        { VenueOperation.GetPerformances, [] },
        { VenueOperation.GetAvailability, [("performanceId", 1001)] },
        { VenueOperation.ReserveTickets, [("sessionKey", "k"), ("performanceId", 1001), ("zoneId", 1), ("quantity", 2)] },
        { VenueOperation.ReleaseTickets, [("sessionKey", "k"), ("lineItemId", 7)] },
        { VenueOperation.Checkout, [("sessionKey", "k"), ("paymentToken", "tok_ok"), ("clientReference", "r<&>")] },
        { VenueOperation.FindOrder, [("clientReference", "r")] },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void WriteRequest_EveryOperation_ValidatesAgainstTheWsdlSchema(VenueOperation operation, (string, object)[] parameters)
    {
        var envelope = Encoding.UTF8.GetString(SoapEnvelope.WriteRequest(operation, parameters));

        Assert.Empty(WsdlSchema.ValidateBody(envelope));
    }

    [Fact]
    public void WriteRequest_ParametersOutOfOrder_FailsSchemaValidation()
    {
        // Proves the check above can fail: the WSDL's sequence fixes the order of the parameters.
        var envelope = Encoding.UTF8.GetString(SoapEnvelope.WriteRequest(VenueOperation.ReleaseTickets, [("lineItemId", 7), ("sessionKey", "k")]));

        Assert.NotEmpty(WsdlSchema.ValidateBody(envelope));
    }

    [Fact]
    public void ActionOf_Operation_IsTheQuotedWsdlSoapAction()
    {
        Assert.Equal("\"urn:venue-backend:v1/IVenueService/Checkout\"", SoapEnvelope.ActionOf(VenueOperation.Checkout));
    }
}
