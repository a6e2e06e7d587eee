using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace OnSale.Gateway.Availability;

/// <summary>
/// A public read's answer, made once per version of its data: the JSON, its <c>ETag</c>, and the headers that let any
/// shared cache (a CDN, nginx, a browser) keep it for the fresh period and serve it when we cannot be reached
/// (CONTRACT.md §2; RFC 9111, RFC 5861). The hot path and the endpoints write it the same way, so an answer is the same
/// bytes and headers whichever took the request.
/// </summary>
internal sealed class CacheableAnswer : IResult
{
    private static readonly StringValues Json = new("application/json");
    private static readonly StringValues Origin = new("Origin");
    private static readonly StringValues[] SmallAges = [.. Enumerable.Range(0, 120).Select(age => new StringValues(age.ToString(CultureInfo.InvariantCulture)))];

    private readonly byte[] _body;
    private readonly StringValues _etag;
    private readonly StringValues _cacheControl;
    private readonly TimeProvider _time;

    /// <param name="body">The JSON sent.</param>
    /// <param name="asOf">When the backend produced the data: the <c>Age</c> header counts from it.</param>
    /// <param name="cacheControl">The <c>Cache-Control</c> value (<see cref="CacheControlFor"/>).</param>
    /// <param name="time">The clock of the <c>Age</c> header.</param>
    public CacheableAnswer(byte[] body, DateTimeOffset asOf, StringValues cacheControl, TimeProvider time)
    {
        _body = body;
        _cacheControl = cacheControl;
        _time = time;
        AsOf = asOf;

        // A strong tag from the bytes themselves: the same data has the same tag on every node and after a restart.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        ETag = "\"" + Convert.ToHexStringLower(hash[..12]) + "\"";
        _etag = ETag;
    }

    /// <summary>The entity tag, quoted.</summary>
    public string ETag { get; }

    /// <summary>When the backend produced the data.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>The JSON sent.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    /// <summary>
    /// <c>public, max-age={fresh}, stale-if-error={staleIfError}</c>: with <c>Age</c> counted from <c>asOf</c>, a
    /// cache keeps an answer exactly as long as we call it fresh, then asks again, or serves it when we cannot answer.
    /// </summary>
    public static StringValues CacheControlFor(TimeSpan fresh, TimeSpan staleIfError) => new(string.Create(
        CultureInfo.InvariantCulture, $"public, max-age={(long)fresh.TotalSeconds}, stale-if-error={(long)staleIfError.TotalSeconds}"));

    /// <summary>
    /// Writes the answer: <c>304</c> without a body when the request's <c>If-None-Match</c> names this version, the
    /// headers alone for <c>HEAD</c>, else the JSON. Nothing here awaits anything but the write.
    /// </summary>
    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, _time.GetUtcNow());

    private Task WriteAsync(HttpContext context, DateTimeOffset now)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        headers.CacheControl = _cacheControl;
        headers.ETag = _etag;

        // Whether CORS lets a page read the answer depends on its Origin: a shared cache must keep one copy per origin.
        headers.Vary = Origin;
        headers.Age = AgeSince(now);
        if (request.Headers.IfNoneMatch.Count != 0 && Matches(request.Headers.IfNoneMatch))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        headers.ContentType = Json;
        response.ContentLength = _body.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            // Into the response's buffer, sent with the headers when the request ends: one write, no flush of its own.
            response.BodyWriter.Write(_body);
        }

        return Task.CompletedTask;
    }

    private StringValues AgeSince(DateTimeOffset now)
    {
        var seconds = Math.Max(0, (now - AsOf).Ticks / TimeSpan.TicksPerSecond);
        return seconds < SmallAges.Length ? SmallAges[seconds] : new StringValues(seconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>If-None-Match's weak comparison (RFC 9110 §13.1.2): <c>*</c>, or this tag with or without <c>W/</c>.</summary>
    private bool Matches(StringValues ifNoneMatch)
    {
        foreach (var value in ifNoneMatch)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var tag = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? default : rest[(comma + 1)..];
                if (tag is "*" || (tag.StartsWith("W/") ? tag[2..] : tag).SequenceEqual(ETag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
