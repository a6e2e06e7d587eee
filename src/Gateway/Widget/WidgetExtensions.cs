using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OnSale.Gateway.Widget;

internal static class WidgetExtensions
{
    /// <summary>The CORS policy of <c>/api/v1</c>: exactly the venues' origins.</summary>
    public const string CorsPolicyName = "OnSale.Widget.Venues";

    public static IServiceCollection AddWidget(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WidgetOptions>()
            .Configure(options => configuration.GetSection(WidgetOptions.SectionName).Bind(options.Venues))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WidgetOptions>, WidgetOptionsValidator>());
        services.TryAddSingleton<VenueRegistry>();
        services.TryAddSingleton<WidgetAssets>();

        // Bearer tokens travel in headers, never cookies, so credentials are not allowed. The exposed headers are the
        // ones a buyer's page needs to follow a parked purchase (Location), to pace polling (Retry-After) and to tell
        // how old availability is (Age).
        services.AddCors();
        services.AddSingleton<ICorsService, VaryOnceCorsService>();
        services.AddOptions<CorsOptions>().Configure<VenueRegistry>((cors, venues) => cors.AddPolicy(CorsPolicyName, policy => policy
            .WithOrigins([.. venues.AllOrigins])
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
            .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "OnSale-Proof-Of-Work", "OnSale-Identity")
            .WithExposedHeaders("Location", "Retry-After", "Age")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }

    /// <summary>
    /// Applies the venues' CORS policy to <c>/api/v1</c> only (the admin API and the widget's own files stay
    /// same-origin). Call it before <c>UseGatewayInfrastructure</c>, so that error answers (problem+json from the
    /// exception handler, the status-code pages and the request deadline) carry the headers too: without them a
    /// browser hides the error from the page that asked.
    /// </summary>
    public static IApplicationBuilder UseWidgetCors(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase),
            api => api.UseCors(CorsPolicyName));
}

/// <summary>
/// ASP.NET Core's CORS, but never a second <c>Vary: Origin</c>: cacheable answers name it themselves
/// (<c>Availability/CacheableAnswer</c>), whatever the request, and CORS would append it again to those from a page.
/// </summary>
internal sealed class VaryOnceCorsService(IOptions<CorsOptions> options, ILoggerFactory loggerFactory) : ICorsService
{
    private readonly CorsService _cors = new(options, loggerFactory);

    public CorsResult EvaluatePolicy(HttpContext context, CorsPolicy policy) => _cors.EvaluatePolicy(context, policy);

    public void ApplyResult(CorsResult result, HttpResponse response)
    {
        if (result.VaryByOrigin && response.Headers.Vary.Contains(HeaderNames.Origin))
        {
            result.VaryByOrigin = false;
        }

        _cors.ApplyResult(result, response);
    }
}

