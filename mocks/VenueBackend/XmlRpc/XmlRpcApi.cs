using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OnSale.Mocks.VenueBackend.XmlRpc;

/// <summary>The XML-RPC binding at <c>/RPC2</c>.</summary>
internal static class XmlRpcApi
{
    public const string Path = "/RPC2";

    public static IServiceCollection AddXmlRpcBinding(this IServiceCollection services)
    {
        services.TryAddSingleton<XmlRpcOperations>();
        services.TryAddSingleton<XmlRpcService>();
        return services;
    }

    public static IEndpointRouteBuilder MapXmlRpcApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, static (HttpContext context, XmlRpcService service) => service.HandleAsync(context))
            .WithName("XmlRpcCall")
            .WithTags("XML-RPC");
        return endpoints;
    }
}
