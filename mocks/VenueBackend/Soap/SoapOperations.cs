using System.Xml;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Soap;

/// <summary>The one place that knows the SOAP binding's operations: binds each wrapper's parameters and runs it.</summary>
internal sealed class SoapOperations(VenueInventoryAccessor inventory)
{
    /// <summary>Runs <paramref name="request"/> and returns the writer of its result; throws <see cref="VenueFaultException"/>.</summary>
    public Action<XmlWriter> Invoke(SoapRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wrapper = request.Wrapper;
        var current = inventory.Current;
        switch (request.Operation)
        {
            case VenueOperations.GetNewSessionKey:
                var key = current.GetNewSessionKey();
                return writer => writer.WriteString(key);

            case VenueOperations.GetPerformances:
                var performances = current.GetPerformances();
                return writer => SoapCodec.WritePerformances(writer, performances);

            case VenueOperations.GetAvailability:
                var zones = current.GetAvailability(SoapCodec.ReadInt(wrapper, "performanceId"));
                return writer => SoapCodec.WriteZones(writer, zones);

            case VenueOperations.ReserveTickets:
                var hold = current.ReserveTickets(
                    SoapCodec.ReadString(wrapper, "sessionKey"),
                    SoapCodec.ReadInt(wrapper, "performanceId"),
                    SoapCodec.ReadInt(wrapper, "zoneId"),
                    SoapCodec.ReadInt(wrapper, "quantity"));
                return writer => SoapCodec.WriteHold(writer, hold);

            case VenueOperations.ReleaseTickets:
                var released = current.ReleaseTickets(
                    SoapCodec.ReadString(wrapper, "sessionKey"),
                    SoapCodec.ReadInt(wrapper, "lineItemId"));
                return writer => writer.WriteString(XmlConvert.ToString(released));

            case VenueOperations.Checkout:
                var order = current.Checkout(
                    SoapCodec.ReadString(wrapper, "sessionKey"),
                    SoapCodec.ReadString(wrapper, "paymentToken"),
                    SoapCodec.ReadString(wrapper, "clientReference"));
                return writer => SoapCodec.WriteOrder(writer, order);

            case VenueOperations.FindOrder:
                var found = current.FindOrder(SoapCodec.ReadString(wrapper, "clientReference"));
                return writer => SoapCodec.WriteOrder(writer, found);

            default:
                throw new VenueFaultException(VenueFaultCodes.InvalidArgument, $"Unknown operation {request.Operation}");
        }
    }
}
