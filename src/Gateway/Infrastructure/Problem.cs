using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// An RFC 9457 problem with the machine-readable <c>code</c> every gateway error carries (CONTRACT.md §2), and an
/// optional <c>Retry-After</c>. The one way any endpoint says no.
/// </summary>
internal sealed class Problem(int status, string code, string title, string detail) : IResult, IStatusCodeHttpResult
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Extra members written beside the standard ones (for example <c>available</c>).</summary>
    public Dictionary<string, object?>? Extensions { get; init; }

    int? IStatusCodeHttpResult.StatusCode => Status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = Status;
        response.ContentType = "application/problem+json";
        if (RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var body = new ProblemBody
        {
            Type = "urn:onsale-gateway:problem:" + Code,
            Title = Title,
            Status = Status,
            Detail = Detail,
            Code = Code,
            Instance = httpContext.Request.Path,
            TraceId = httpContext.TraceIdentifier,
            Extensions = Extensions,
        };
        await JsonSerializer.SerializeAsync(response.Body, body, InfrastructureJsonContext.Default.ProblemBody, httpContext.RequestAborted);
    }

    public static Problem Validation(string detail) => new(400, "validation_failed", "The request is not valid.", detail);

    public static Problem NotFound(string code, string detail) => new(404, code, "Not found.", detail);

    public static Problem BackendUnavailable(string detail, TimeSpan retryAfter) =>
        new(503, "backend_unavailable", "The box office is not answering right now.", detail) { RetryAfter = retryAfter };

    public static Problem AvailabilityUnknown(string detail, TimeSpan retryAfter) =>
        new(503, "availability_unknown", "Availability is not known yet.", detail) { RetryAfter = retryAfter };

    public static Problem NotEnoughSeats(string detail, int? available) =>
        new(409, "not_enough_seats", "Not enough seats.", detail)
        {
            Extensions = available is null ? null : new Dictionary<string, object?> { ["available"] = available },
        };
}

/// <summary>The JSON of a <see cref="Problem"/>.</summary>
internal sealed class ProblemBody
{
    public required string Type { get; init; }

    public required string Title { get; init; }

    public required int Status { get; init; }

    public required string Detail { get; init; }

    public required string Code { get; init; }

    public required string Instance { get; init; }

    public required string TraceId { get; init; }

    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; set; }
}
