using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Admin;

/// <summary>What an operator may do.</summary>
internal enum OperatorRole
{
    /// <summary>Reads status, audit and purchases; every change is refused with <c>403 forbidden</c>.</summary>
    Viewer,

    /// <summary>Reads, and changes mode, banner and queues.</summary>
    Operator,
}

/// <summary>A named operator as configured: the name audit lines carry, the role, and the SHA-256 of the key.</summary>
internal sealed record Operator(string Name, OperatorRole Role, byte[] KeyDigest)
{
    public const int MinimumKeyLength = 32;

    /// <summary>The operator <c>Gateway:Admin:ApiKey</c> stands for (CONTRACT.md §3).</summary>
    public const string AdminName = "admin";

    public string RoleName => Role == OperatorRole.Viewer ? "viewer" : "operator";
}

/// <summary>
/// Guards <c>/admin/api/*</c>: 404 when no operator is configured (the API does not exist), 401 unless the bearer key is
/// an operator's, 403 <c>forbidden</c> when a viewer tries a change. Keys are compared as SHA-256 digests in constant
/// time against every operator's (no early exit), so neither a key's content nor its length nor which operator matched
/// leaks through timing. The caller is kept for the request: audit lines name them.
/// </summary>
internal sealed partial class AdminAuthorization : IEndpointFilter
{
    private static readonly object CallerItem = new();
    private readonly Operator[] _operators;
    private readonly ILogger<AdminAuthorization> _logger;

    public AdminAuthorization(IOptions<AdminOptions> options, ILogger<AdminAuthorization> logger)
    {
        _logger = logger;
        _operators = [.. Read(options.Value, logger)];
    }

    /// <summary>The operators that may sign in, as configured (with those whose key was refused left out).</summary>
    public IReadOnlyList<Operator> Operators => _operators;

    public bool Enabled => _operators.Length > 0;

    /// <summary>The operator who made this request (after <see cref="Authorize"/>).</summary>
    public static Operator? CallerOf(HttpContext context) => context.Items[CallerItem] as Operator;

    /// <summary>The name audit lines carry for this request's operator.</summary>
    public static string KeyIdOf(HttpContext context) => CallerOf(context)?.Name ?? "unknown";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Authorize(context.HttpContext, HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method))
        ?? await next(context);

    /// <summary>
    /// Null when the request carries an operator's key allowed to do this (<paramref name="readOnly"/>: a viewer's is
    /// enough); otherwise the problem to answer.
    /// </summary>
    public Problem? Authorize(HttpContext context, bool readOnly = true)
    {
        if (_operators.Length == 0)
        {
            return Problem.NotFound("not_found", "There is nothing here.");
        }

        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : string.Empty;
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        Operator? caller = null;
        foreach (var candidate in _operators)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate.KeyDigest, digest) && caller is null)
            {
                caller = candidate;
            }
        }

        if (presented.Length == 0 || caller is null)
        {
            LogUnauthorized(_logger, context.Connection.RemoteIpAddress?.ToString());
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return new Problem(401, "unauthorized", "A valid operator key is required.", "Send Authorization: Bearer {an operator's key}.");
        }

        context.Items[CallerItem] = caller;
        if (!readOnly && caller.Role == OperatorRole.Viewer)
        {
            LogForbidden(_logger, caller.Name, context.Request.Method, context.Request.Path.Value);
            return new Problem(403, "forbidden", $"{caller.Name} is a viewer: viewers may look, not change.", "Ask an operator, or sign in with an operator's key.");
        }

        return null;
    }

    private static IEnumerable<Operator> Read(AdminOptions options, ILogger logger)
    {
        var digests = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            digests.Add(Digest(options.ApiKey));
            yield return new Operator(Operator.AdminName, OperatorRole.Operator, SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey)));
        }

        foreach (var (name, configured) in options.Operators.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (name.Length is 0 or > 64 || !Printable.IsPrintable(name, allowSpaces: false))
            {
                LogOperatorRefused(logger, name.Length > 64 ? name[..64] : name, "the name must be 1-64 printable characters without spaces");
                continue;
            }

            if (configured.Key is not { Length: >= Operator.MinimumKeyLength } key)
            {
                LogOperatorRefused(logger, name, $"its Key must be at least {Operator.MinimumKeyLength} characters");
                continue;
            }

            if (!digests.Add(Digest(key)))
            {
                LogOperatorRefused(logger, name, "its Key is another operator's: the audit could not tell them apart");
                continue;
            }

            var role = configured.Role?.Trim().ToLowerInvariant() switch
            {
                null or "" or "operator" => OperatorRole.Operator,
                "viewer" => OperatorRole.Viewer,
                _ => (OperatorRole?)null,
            };
            if (role is null)
            {
                // The least an unknown role can mean: a key may look but not change.
                LogUnknownRole(logger, name, configured.Role!);
            }

            yield return new Operator(name, role ?? OperatorRole.Viewer, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }
    }

    private static string Digest(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [LoggerMessage(Infrastructure.EventIds.AdminUnauthorized, LogLevel.Warning, "Admin API call without a valid key from {RemoteAddress}")]
    private static partial void LogUnauthorized(ILogger logger, string? remoteAddress);

    [LoggerMessage(Infrastructure.EventIds.AdminForbidden, LogLevel.Warning, "Viewer {Operator} refused: {Method} {Path} changes the gateway")]
    private static partial void LogForbidden(ILogger logger, string @operator, string method, string? path);

    [LoggerMessage(Infrastructure.EventIds.AdminOperatorRefused, LogLevel.Error, "Gateway:Admin:Operators:{Operator} cannot sign in: {Why}")]
    private static partial void LogOperatorRefused(ILogger logger, string @operator, string why);

    [LoggerMessage(Infrastructure.EventIds.AdminOperatorUnknownRole, LogLevel.Error, "Gateway:Admin:Operators:{Operator}:Role '{Role}' is neither viewer nor operator: read as viewer")]
    private static partial void LogUnknownRole(ILogger logger, string @operator, string role);
}
