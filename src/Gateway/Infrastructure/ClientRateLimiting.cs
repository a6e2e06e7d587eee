using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure;

/// <summary>Per-client request limits (section <c>Gateway:RateLimits</c>, CONTRACT.md §3).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    /// <summary>Requests one client address may make per minute to the queue, hold and purchase endpoints. Default: 120.</summary>
    [Range(1, 10_000_000)]
    public int PerClientPerMinute { get; set; } = 120;
}

/// <summary>
/// ASP.NET Core rate limiting, one fixed one-minute window per client address, so that farming queue places or
/// hammering holds costs real effort. Over the limit: <c>429 rate_limited</c> with <c>Retry-After</c>. Behind a load
/// balancer, enable the forwarded-headers middleware for the proxy so the client address is the buyer's.
/// </summary>
internal static class ClientRateLimiting
{
    public const string Policy = "per-client";

    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.PerClientPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(30);
                await new Problem(429, "rate_limited", "Too many requests.",
                    $"This address made too many requests. Wait {Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s before trying again.")
                {
                    RetryAfter = retryAfter,
                }.ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
