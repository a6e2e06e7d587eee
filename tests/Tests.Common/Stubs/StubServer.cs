using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OnSale.Tests.Common.Stubs;

/// <summary>One scripted answer: status, content type, body and an optional delay before the headers are sent.</summary>
public sealed record StubResponse(int StatusCode, string? ContentType, byte[] Body, TimeSpan Delay = default)
{
    public static StubResponse Xml(string body, int statusCode = 200, TimeSpan delay = default) =>
        new(statusCode, "text/xml; charset=utf-8", Encoding.UTF8.GetBytes(body), delay);

    public static StubResponse Text(string body, string contentType, int statusCode = 200, TimeSpan delay = default) =>
        new(statusCode, contentType, Encoding.UTF8.GetBytes(body), delay);
}

/// <summary>A request the stub received.</summary>
public sealed record StubRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// An in-process HTTP server on real Kestrel (127.0.0.1, free port) that answers what a test scripts: fixed bodies,
/// status codes, delays, hostile XML. Stands in for WireMock.Net, which cannot be restored here (PACKAGES.md).
/// </summary>
public sealed class StubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _requests = new();
    private static readonly HttpClient Forwarder = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private volatile Func<StubRequest, CancellationToken, Task<StubResponse>> _responder =
        (_, _) => Task.FromResult(StubResponse.Text("no script", "text/plain", 500));

    private StubServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The server's address, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyCollection<StubRequest> Requests => _requests;

    public static async Task<StubServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var stub = new StubServer(app);
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return stub;
    }

    /// <summary>Answers every request with <paramref name="response"/>.</summary>
    public void Always(StubResponse response) => _responder = (_, _) => Task.FromResult(response);

    /// <summary>Answers each request with the result of <paramref name="responder"/>.</summary>
    public void RespondWith(Func<StubRequest, StubResponse> responder) => _responder = (request, _) => Task.FromResult(responder(request));

    /// <summary>Answers each request with the result of <paramref name="responder"/>, which may forward it (<see cref="ForwardAsync"/>).</summary>
    public void RespondWith(Func<StubRequest, CancellationToken, Task<StubResponse>> responder) => _responder = responder;

    /// <summary>Answers with <paramref name="responses"/> in turn, then repeats the last one.</summary>
    public void Sequence(params StubResponse[] responses)
    {
        var index = -1;
        _responder = (_, _) => Task.FromResult(responses[Math.Min(Interlocked.Increment(ref index), responses.Length - 1)]);
    }

    /// <summary>Acts as a transparent proxy to <paramref name="target"/> (same path and query).</summary>
    public void ProxyTo(Uri target) => _responder = (request, ct) => ForwardAsync(request, target, ct);

    /// <summary>
    /// Sends <paramref name="request"/> on to <paramref name="target"/> and returns its answer, so a script can let the
    /// real backend act and then delay, drop or corrupt what comes back.
    /// </summary>
    public static async Task<StubResponse> ForwardAsync(StubRequest request, Uri target, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.Path));
        if (request.Method != "GET")
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8);
            message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(
                request.Headers.TryGetValue("Content-Type", out var type) ? type : "text/xml; charset=utf-8");
        }

        if (request.Headers.TryGetValue("SOAPAction", out var action))
        {
            message.Headers.TryAddWithoutValidation("SOAPAction", action);
        }

        using var response = await Forwarder.SendAsync(message, cancellationToken);
        return new StubResponse(
            (int)response.StatusCode,
            response.Content.Headers.ContentType?.ToString(),
            await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    public Uri Url(string path) => new(BaseAddress, path);

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new StubRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);
        _requests.Enqueue(request);

        StubResponse response;
        try
        {
            response = await _responder(request, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // The caller gave up while the script was waiting.
        }

        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // The caller gave up, which is what a delay test is about.
            }
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.ContentType is not null)
        {
            context.Response.ContentType = response.ContentType;
        }

        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
