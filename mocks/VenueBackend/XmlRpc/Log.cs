using Microsoft.Extensions.Logging;

namespace OnSale.Mocks.VenueBackend.XmlRpc;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.XmlRpcFaultReturned, Level = LogLevel.Debug, Message = "XML-RPC {Method} answered with fault {Code}: {Message}")]
    public static partial void XmlRpcFaultReturned(ILogger logger, string method, int code, string message);

    [LoggerMessage(EventId = EventIds.XmlRpcRequestRefused, Level = LogLevel.Debug, Message = "XML-RPC request refused with fault {Code}: {Reason}")]
    public static partial void XmlRpcRequestRefused(ILogger logger, int code, string reason);

    [LoggerMessage(EventId = EventIds.CallAborted, Level = LogLevel.Debug, Message = "XML-RPC {Method}: the caller went away before the answer")]
    public static partial void CallAborted(ILogger logger, string method);

    [LoggerMessage(EventId = EventIds.CallFailed, Level = LogLevel.Error, Message = "XML-RPC {Method} failed")]
    public static partial void XmlRpcCallFailed(ILogger logger, string method, Exception exception);
}
