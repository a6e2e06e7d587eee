using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// Reads a JSON request body strictly and boundedly, turning every way it can be wrong into a clear problem:
/// wrong media type (415), too large (413), malformed or wrong types (400 <c>validation_failed</c>, naming the field).
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Value, Problem? Problem)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var request = context.Request;
        var limit = context.RequestServices.GetRequiredService<IOptions<GatewayHttpOptions>>().Value.MaxRequestBodyBytes;
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new Problem(415, "unsupported_media_type", "Send JSON.", "The body must be application/json."));
        }

        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var chunk = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.WrittenCount + read > limit)
                {
                    return (null, TooLarge(limit));
                }

                buffer.Write(chunk.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (buffer.WrittenCount == 0)
        {
            return (null, Problem.Validation("The request body is empty; a JSON object is required."));
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.WrittenSpan, typeInfo);
            return value is null ? (null, Problem.Validation("The request body must be a JSON object, not null.")) : (value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at '{path}'" : string.Empty;
            return (null, Problem.Validation($"The body is not valid JSON for this request{where}: {FirstSentence(ex.Message)}"));
        }
    }

    private static Problem TooLarge(int limit) =>
        new(413, "payload_too_large", "The request body is too large.", $"Bodies are limited to {limit} bytes.");

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "Path: … | LineNumber: …" which we already report in a friendlier form.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
