using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// <c>Gateway:Http:ForwardedHeaders</c>: the proxies (load balancers) in front of the gateway whose
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> it believes, so that per-client limits key on the buyer and
/// not on the balancer. Nothing is believed unless configured: a header from anyone else is ignored.
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    public const string SectionName = "Gateway:Http:ForwardedHeaders";

    /// <summary>Addresses of the proxies in front (IPv4 or IPv6), e.g. <c>10.0.0.5</c>.</summary>
    public IList<string> KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in (CIDR), e.g. <c>10.0.0.0/8</c>.</summary>
    public IList<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies deep to believe, from the nearest (each must be known). Default: 1.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    internal bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

internal static class ForwardedHeadersSetup
{
    public static IServiceCollection AddForwardedHeadersSettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ForwardedHeadersSettings>().Bind(configuration.GetSection(ForwardedHeadersSettings.SectionName))
            .ValidateDataAnnotations()
            .Validate(s => s.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Gateway:Http:ForwardedHeaders:KnownProxies must be IP addresses.")
            .Validate(s => s.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Gateway:Http:ForwardedHeaders:KnownNetworks must be networks in CIDR form (10.0.0.0/8).")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((forwarded, settings) =>
        {
            var s = settings.Value;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = s.ForwardLimit;

            // ASP.NET Core believes loopback by default; we believe exactly what is configured.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in s.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in s.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>First in the pipeline when proxies are configured; nothing at all otherwise.</summary>
    public static IApplicationBuilder UseConfiguredForwardedHeaders(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.Any ? app.UseForwardedHeaders() : app;
}
