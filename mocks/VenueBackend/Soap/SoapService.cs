using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using OnSale.Mocks.VenueBackend.Faults;
using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Soap;

/// <summary>Handles POST /VenueService.svc: transport checks, envelope, fault injection, operation, answer.</summary>
internal sealed class SoapService(SoapOperations operations, FaultInjector faults, ILogger<SoapService> logger)
{
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var cancellationToken = context.RequestAborted;

        if (!IsTextXml(request.ContentType))
        {
            return Refuse(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be text/xml (SOAP 1.1)");
        }

        var body = await XmlRequestBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, $"The request body exceeds {XmlRequestBody.MaxBytes} bytes");
        }

        SoapRequest soapRequest;
        try
        {
            soapRequest = SoapCodec.ReadRequest(body, request.Headers["SOAPAction"].FirstOrDefault());
        }
        catch (VenueFaultException ex)
        {
            Log.SoapRequestRefused(logger, StatusCodes.Status500InternalServerError, ex.Message);
            return Fault(ex.Code, ex.Message);
        }

        try
        {
            using var lease = await faults.EnterAsync(soapRequest.Operation, cancellationToken).ConfigureAwait(false);
            var writeResult = operations.Invoke(soapRequest);
            return new XmlResult(SoapCodec.WriteResponse(soapRequest.Operation, writeResult), StatusCodes.Status200OK);
        }
        catch (VenueFaultException ex)
        {
            Log.SoapFaultReturned(logger, soapRequest.Operation, ex.Code, ex.Message);
            return Fault(ex.Code, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.CallAborted(logger, soapRequest.Operation);
            return TypedResults.Empty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in the mock still answers in the binding's terms, as a server fault a client can handle.
            Log.SoapCallFailed(logger, soapRequest.Operation, ex);
            return Fault(VenueFaultCodes.Unavailable, $"Internal error: {ex.Message}");
        }
    }

    private static bool IsTextXml(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase);

    private static XmlResult Fault(int code, string message) =>
        new(SoapCodec.WriteFault(code, message), StatusCodes.Status500InternalServerError);

    private XmlResult Refuse(int statusCode, string reason)
    {
        Log.SoapRequestRefused(logger, statusCode, reason);
        return new XmlResult(SoapCodec.WriteFault(VenueFaultCodes.InvalidArgument, reason), statusCode);
    }
}
