using System.Net.Http.Headers;
using WireMock;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace OnSale.Tests.Common.Http;

/// <summary>WireMock.Net servers for tests: on 127.0.0.1 only, each on a port of its own.</summary>
public static class WireMockLoopback
{
    private static readonly HttpClient Forwarder = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Starts a server on <c>http://127.0.0.1:{a port the system picks}</c>; its address is <c>server.Url</c>.</summary>
    /// <remarks>
    /// Port 0 on 127.0.0.1 is bound to IPv4 loopback alone. WireMock's <c>Port</c> setting would bind every interface, and
    /// <c>127.0.0.1:P</c> with a fixed port binds [::1] too (and races other tests for the port).
    /// </remarks>
    public static WireMockServer Start() => WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });

    /// <summary>An answer for a callback to return: <paramref name="body"/> as UTF-8 with its content type.</summary>
    public static ResponseMessage Answer(int statusCode, string contentType, string body)
    {
        var answer = new ResponseMessage
        {
            StatusCode = statusCode,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
        };
        answer.AddHeader("Content-Type", contentType);
        return answer;
    }

    /// <summary>
    /// Sends what WireMock received on to <paramref name="target"/> (same method, path, body, content type and
    /// SOAPAction) and returns the answer, so that a callback can let the real backend act and then delay, lose or
    /// corrupt what it answered. Plain pass-through is WireMock's own <c>WithProxy</c>.
    /// </summary>
    public static async Task<ResponseMessage> ForwardAsync(IRequestMessage request, Uri target)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.AbsolutePath + request.RawQuery));
        if (request.BodyAsBytes is { } body)
        {
            message.Content = new ByteArrayContent(body);
            if (request.Headers?.TryGetValue("Content-Type", out var type) == true)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type.ToString());
            }
        }

        if (request.Headers?.TryGetValue("SOAPAction", out var action) == true)
        {
            message.Headers.TryAddWithoutValidation("SOAPAction", action.ToString());
        }

        using var response = await Forwarder.SendAsync(message).ConfigureAwait(false);
        var answer = new ResponseMessage
        {
            StatusCode = (int)response.StatusCode,
            BodyData = new BodyData
            {
                BodyAsBytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false),
                DetectedBodyType = BodyType.Bytes,
            },
        };
        if (response.Content.Headers.ContentType is { } contentType)
        {
            answer.AddHeader("Content-Type", contentType.ToString());
        }

        return answer;
    }
}
