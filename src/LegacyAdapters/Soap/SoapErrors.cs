using System.ServiceModel;
using System.ServiceModel.Channels;
using System.Xml;

namespace OnSale.LegacyAdapters.Soap;

/// <summary>
/// Turns what WCF's client throws into the exceptions XML-RPC raises for the same failure; fault codes go through
/// <see cref="VenueFaults"/>. Timeouts and cancellation are <see cref="SoapVenueBackend"/>'s, which owns the token.
/// </summary>
internal static class SoapErrors
{
    // WCF's message for a SOAP 1.2 reply to a SOAP 1.1 binding names the version as EnvelopeVersion.ToString() prints it.
    private static readonly string Soap12 = EnvelopeVersion.Soap12.ToString();

    /// <summary>The caller's exception for <paramref name="exception"/>, or <see langword="null"/> for one that is not WCF's (a bug, left to surface).</summary>
    public static VenueBackendException? Translate(Exception exception, VenueOperation operation, VenueBackendOptions options)
    {
        var error = exception switch
        {
            FaultException<SoapVenueFault> fault => VenueFaults.FromCode(
                fault.Detail.Code, string.IsNullOrEmpty(fault.Detail.Message) ? fault.Message : fault.Detail.Message, operation),

            // A fault without our detail: a server-side failure means the box is failing; a client fault means we sent
            // something it did not understand, which is a protocol mismatch.
            FaultException fault when fault.Code.IsReceiverFault =>
                new BackendUnavailableException($"{operation}: SOAP fault {fault.Code.Name}: {fault.Message}", fault),
            FaultException fault =>
                Protocol(operation, $"SOAP fault {fault.Code.Name} without a VenueFault detail: {fault.Message}", fault),
            _ => FromFailure(exception, operation, options),
        };
        return error?.WithOperation(operation);
    }

    private static VenueBackendException? FromFailure(Exception exception, VenueOperation operation, VenueBackendOptions options)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case CommunicationException when cause.Message.Contains(Soap12, StringComparison.Ordinal):
                    return Protocol(operation, "the backend answered with a SOAP 1.2 envelope; this binding speaks SOAP 1.1", exception);
                case SoapReplyException reply when reply.BackendFailing:
                    return new BackendUnavailableException($"{operation}: {reply.Message}.", exception, faultCode: null);
                case SoapReplyException reply:
                    return Protocol(operation, reply.Message, exception);
                case QuotaExceededException:
                    return Protocol(operation, $"the backend's answer is larger than the limit of {options.MaxResponseBytes} bytes; it was not read", exception);

                // WCF's reader takes no DTD: a billion-laughs or external-entity answer stops at the DOCTYPE, which it
                // reports as "CData elements not valid at top level" (a DOCTYPE is the only other "<!" allowed there).
                case XmlException xml when IsDoctypeRefusal(xml):
                    return Protocol(operation, "the backend's answer has a DTD (or other markup before its root element), which is refused: no entity was expanded or read", exception);
                case XmlException xml when xml.Message.Contains("quota", StringComparison.OrdinalIgnoreCase):
                    return Protocol(operation, $"the backend's answer breaks a reader quota: {xml.Message}", exception);
                case XmlException xml:
                    return Protocol(operation, $"the backend's answer is not well-formed XML: {xml.Message}", exception);

                // WCF's reader reports some breaks (bytes that are not UTF-8, an empty attribute name) as ArgumentException.
                case ArgumentException broken:
                    return Protocol(operation, $"the backend's answer is not well-formed XML: {broken.Message}", exception);

                // WCF 10.1 dereferences a null stream when a chunked answer turns out to be empty.
                case NullReferenceException when cause.TargetSite?.DeclaringType?.Assembly == typeof(MessageEncoder).Assembly:
                    return Protocol(operation, "the backend's answer is empty", exception);
                case HttpRequestException http:
                    return new BackendUnavailableException($"{operation}: could not reach the backend at {options.Url}: {http.Message}", exception, faultCode: null);
                default:
                    break;
            }
        }

        return exception switch
        {
            // WCF's send timeout, a backstop behind SoapVenueBackend's own.
            TimeoutException => new BackendTimeoutException($"{operation}: the backend did not answer in time: {exception.Message}", options.Timeout, exception),

            // A wrong content type, a body WCF cannot map to the operation's reply, an unexpected HTTP status.
            CommunicationException or InvalidOperationException =>
                Protocol(operation, $"the backend's answer is not the SOAP 1.1 reply the WSDL describes: {Describe(exception)}", exception),
            _ => null,
        };
    }

    private static bool IsDoctypeRefusal(XmlException exception) =>
        exception.Message.Contains("DTD", StringComparison.Ordinal)
        || exception.Message.Contains("CData elements not valid at top level", StringComparison.Ordinal);

    private static ProtocolErrorException Protocol(VenueOperation operation, string what, Exception innerException) =>
        new($"{operation}: {what.TrimEnd('.')}.", innerException);

    private static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            messages.Add(cause.Message);
        }

        return string.Join(" ", messages);
    }
}
