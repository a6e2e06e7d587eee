namespace OnSale.Mocks.VenueBackend;

/// <summary>An XML body written exactly as given, with the status and content type the binding requires.</summary>
internal sealed class XmlResult(byte[] body, int statusCode, string contentType = XmlResult.TextXmlUtf8) : IResult
{
    public const string TextXmlUtf8 = "text/xml; charset=utf-8";

    public byte[] Body { get; } = body;

    public int StatusCode { get; } = statusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = contentType;
        httpContext.Response.ContentLength = Body.Length;
        return httpContext.Response.Body.WriteAsync(Body, httpContext.RequestAborted).AsTask();
    }
}
