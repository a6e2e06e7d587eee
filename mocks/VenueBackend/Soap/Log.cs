using Microsoft.Extensions.Logging;

namespace OnSale.Mocks.VenueBackend.Soap;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.SoapFaultReturned, Level = LogLevel.Debug, Message = "SOAP {Operation} answered with fault {Code}: {Message}")]
    public static partial void SoapFaultReturned(ILogger logger, string operation, int code, string message);

    [LoggerMessage(EventId = EventIds.SoapRequestRefused, Level = LogLevel.Debug, Message = "SOAP request refused with HTTP {StatusCode}: {Reason}")]
    public static partial void SoapRequestRefused(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = EventIds.CallAborted, Level = LogLevel.Debug, Message = "SOAP {Operation}: the caller went away before the answer")]
    public static partial void CallAborted(ILogger logger, string operation);

    [LoggerMessage(EventId = EventIds.CallFailed, Level = LogLevel.Error, Message = "SOAP {Operation} failed")]
    public static partial void SoapCallFailed(ILogger logger, string operation, Exception exception);
}
