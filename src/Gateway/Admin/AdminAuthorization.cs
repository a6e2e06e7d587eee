using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Admin;

/// <summary>
/// Guards <c>/admin/api/*</c>: 404 when no key is configured (the API does not exist), 401 unless the bearer key
/// matches. Keys are compared as SHA-256 digests in constant time, so neither the content nor the length leaks through
/// timing. The caller's key id (the digest's first 8 hex digits) is what audit lines name.
/// </summary>
internal sealed partial class AdminAuthorization(IOptions<AdminOptions> options, ILogger<AdminAuthorization> logger) : IEndpointFilter
{
    private static readonly object KeyIdItem = new();

    public static string KeyIdOf(HttpContext context) => context.Items[KeyIdItem] as string ?? "unknown";

    public static string KeyId(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Authorize(context.HttpContext) ?? await next(context);

    /// <summary>Null when the request carries the admin key (its id is then kept for the audit); otherwise the problem to answer.</summary>
    public Problem? Authorize(HttpContext context)
    {
        var configured = options.Value.ApiKey;
        if (string.IsNullOrEmpty(configured))
        {
            return Problem.NotFound("not_found", "There is nothing here.");
        }

        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : string.Empty;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            LogUnauthorized(logger, context.Connection.RemoteIpAddress?.ToString());
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return new Problem(401, "unauthorized", "A valid admin key is required.", "Send Authorization: Bearer {Gateway:Admin:ApiKey}.");
        }

        context.Items[KeyIdItem] = KeyId(presented);
        return null;
    }

    [LoggerMessage(Infrastructure.EventIds.AdminUnauthorized, LogLevel.Warning, "Admin API call without a valid key from {RemoteAddress}")]
    private static partial void LogUnauthorized(ILogger logger, string? remoteAddress);
}
