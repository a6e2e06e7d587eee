using Microsoft.Extensions.Logging;
using OnSale.Mocks.VenueBackend.Faults;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.XmlRpc;

/// <summary>Handles POST /RPC2: body, methodCall, fault injection, method, answer. Faults go out with HTTP 200.</summary>
internal sealed class XmlRpcService(XmlRpcOperations operations, FaultInjector faults, ILogger<XmlRpcService> logger)
{
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;

        var body = await XmlRequestBody.ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            // A transport-level refusal, like any HTTP server's; the body still explains it in XML-RPC terms.
            var reason = $"The request body exceeds {XmlRequestBody.MaxBytes} bytes";
            Log.XmlRpcRequestRefused(logger, XmlRpcCodec.ParseErrorCode, reason);
            return new XmlResult(XmlRpcCodec.WriteFault(XmlRpcCodec.ParseErrorCode, reason), StatusCodes.Status413PayloadTooLarge);
        }

        XmlRpcCall call;
        try
        {
            call = XmlRpcCodec.ReadCall(body);
        }
        catch (XmlRpcParseException ex)
        {
            Log.XmlRpcRequestRefused(logger, XmlRpcCodec.ParseErrorCode, ex.Message);
            return Fault(XmlRpcCodec.ParseErrorCode, ex.Message);
        }

        var operation = XmlRpcOperations.OperationOf(call.MethodName);
        if (operation is null)
        {
            var message = $"Unknown method '{call.MethodName}'";
            Log.XmlRpcRequestRefused(logger, XmlRpcCodec.MethodNotFoundCode, message);
            return Fault(XmlRpcCodec.MethodNotFoundCode, message);
        }

        try
        {
            using var lease = await faults.EnterAsync(operation, cancellationToken).ConfigureAwait(false);
            return new XmlResult(XmlRpcCodec.WriteResponse(operations.Invoke(call)), StatusCodes.Status200OK);
        }
        catch (VenueFaultException ex)
        {
            Log.XmlRpcFaultReturned(logger, call.MethodName, ex.Code, ex.Message);
            return Fault(ex.Code, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.CallAborted(logger, call.MethodName);
            return TypedResults.Empty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in the mock still answers in the binding's terms, as a fault a client can handle.
            Log.XmlRpcCallFailed(logger, call.MethodName, ex);
            return Fault(VenueFaultCodes.Unavailable, $"Internal error: {ex.Message}");
        }
    }

    private static XmlResult Fault(int code, string message) =>
        new(XmlRpcCodec.WriteFault(code, message), StatusCodes.Status200OK);
}
