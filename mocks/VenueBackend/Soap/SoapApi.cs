using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OnSale.Mocks.VenueBackend.Soap;

/// <summary>The SOAP 1.1 binding at <c>/VenueService.svc</c>, with its WSDL at <c>?wsdl</c> (or <c>?singleWsdl</c>).</summary>
internal static class SoapApi
{
    public const string Path = "/VenueService.svc";

    public static IServiceCollection AddSoapBinding(this IServiceCollection services)
    {
        services.TryAddSingleton<SoapOperations>();
        services.TryAddSingleton<SoapService>();
        services.TryAddSingleton<WsdlDocument>();
        return services;
    }

    public static IEndpointRouteBuilder MapSoapApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, static (HttpContext context, SoapService service) => service.HandleAsync(context))
            .WithName("SoapCall")
            .WithTags("SOAP");
        endpoints.MapGet(Path, GetWsdl)
            .WithName("SoapWsdl")
            .WithTags("SOAP");
        return endpoints;
    }

    private static IResult GetWsdl(HttpRequest request, WsdlDocument wsdl)
    {
        if (!request.Query.ContainsKey("wsdl") && !request.Query.ContainsKey("singleWsdl"))
        {
            return TypedResults.Text(
                $"VenueService (SOAP 1.1). POST SOAP envelopes here; the WSDL is at {Path}?wsdl",
                "text/plain; charset=utf-8");
        }

        var serviceUrl = $"{request.Scheme}://{request.Host}{request.PathBase}{Path}";
        return TypedResults.Text(wsdl.Render(serviceUrl), XmlResult.TextXmlUtf8);
    }
}
