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

    /// <summary>
    /// Requests one client may make per minute to join queues, hold and buy (an IPv4 address, or an IPv6 /64: one
    /// household or phone gets a whole /64, so counting single IPv6 addresses would let it rotate freely). Default: 120.
    /// </summary>
    [Range(1, 10_000_000)]
    public int PerClientPerMinute { get; set; } = 120;

    /// <summary>
    /// Status polls one queue token may make per minute on average. Polls are budgeted per place in line, not per
    /// address, so that many buyers behind one address (a campus, a mobile carrier) are not throttled as one; a poll over
    /// budget gets <c>429</c> but still counts as the buyer being there. Default: 60.
    /// </summary>
    [Range(1, 10_000_000)]
    public int StatusPollsPerMinute { get; set; } = 60;

    /// <summary>Polls a queue token may make at once beyond its average (a reload, a second tab). Default: 10.</summary>
    [Range(0, 1_000_000)]
    public int StatusPollBurst { get; set; } = 10;
}

/// <summary>Who a request comes from, for per-client limits: the IPv4 address, or the IPv6 /64 it belongs to.</summary>
internal static class ClientKeys
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return Convert.ToHexStringLower(bytes[..8]) + "/64";
    }
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
                    ClientKeys.Of(context),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(30);
                await new Problem(429, "rate_limited", "Too many requests.",
                    $"This address (or IPv6 /64) made too many requests. Wait {Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s before trying again.")
                {
                    RetryAfter = retryAfter,
                }.ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
