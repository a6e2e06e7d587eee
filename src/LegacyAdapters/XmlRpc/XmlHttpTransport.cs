using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace OnSale.LegacyAdapters.XmlRpc;

/// <summary>An HTTP answer read whole, within the size limit.</summary>
internal readonly record struct XmlHttpResponse(HttpStatusCode StatusCode, string? MediaType, ReadOnlyMemory<byte> Body)
{
    public bool IsXml => MediaType is "text/xml" or "application/xml";

    public bool IsServerError => (int)StatusCode >= 500;

    public string Describe() => $"HTTP {(int)StatusCode} ({MediaType ?? "no content type"}, {Body.Length} bytes)";
}

/// <summary>
/// Posts one XML-RPC request and reads the answer: one named client from the factory (connections are pooled by the
/// factory's handler), a per-call timeout from <see cref="TimeProvider"/>, a response size cap, and transport failures
/// mapped to <see cref="BackendUnavailableException"/>.
/// </summary>
internal sealed class XmlHttpTransport(
    IHttpClientFactory clientFactory,
    string clientName,
    VenueBackendOptions options,
    TimeProvider timeProvider)
{
    private static readonly MediaTypeHeaderValue TextXml = new("text/xml") { CharSet = "utf-8" };

    public Uri Url { get; } = options.Url ?? throw new InvalidOperationException("Gateway:Backend:Url is required.");

    public int MaxResponseBytes => options.MaxResponseBytes;

    public async Task<XmlHttpResponse> PostAsync(
        VenueOperation operation,
        byte[] body,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = TextXml } },
        };
        try
        {
            var client = clientFactory.CreateClient(clientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var bytes = await ReadBoundedAsync(response.Content, operation, linked.Token).ConfigureAwait(false);
            return new XmlHttpResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant(), bytes);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BackendTimeoutException(
                $"{operation}: the backend did not answer within {options.Timeout.TotalMilliseconds:0} ms.", options.Timeout, ex)
                .WithOperation(operation);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Report the caller's own token, not our linked one, so that callers can tell their cancellation apart.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch (HttpRequestException ex)
        {
            throw new BackendUnavailableException($"{operation}: could not reach the backend at {Url}: {ex.Message}", ex, faultCode: null)
                .WithOperation(operation);
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpContent content, VenueOperation operation, CancellationToken cancellationToken)
    {
        var limit = options.MaxResponseBytes;
        if (content.Headers.ContentLength > limit)
        {
            throw TooLarge(operation, content.Headers.ContentLength.Value);
        }

        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream(capacity: (int)Math.Min(content.Headers.ContentLength ?? 16 * 1024, limit));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw TooLarge(operation, buffer.Length + read);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private ProtocolErrorException TooLarge(VenueOperation operation, long size) =>
        new ProtocolErrorException(
            $"{operation}: the backend's answer is larger than the limit of {options.MaxResponseBytes} bytes (at least {size}); it was not read.")
            .WithOperation(operation);
}
