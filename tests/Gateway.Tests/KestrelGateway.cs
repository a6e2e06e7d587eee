using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests;

/// <summary>
/// The gateway on real Kestrel at <c>127.0.0.1</c>, in this process, in front of a mock: for what only the real server
/// does (its headers, its handling of broken HTTP, the port a request arrived on). Most tests use <see cref="GatewayHost"/>.
/// </summary>
public sealed class KestrelGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MockBackendHost _mock;
    private readonly string _dataPath;

    private KestrelGateway(WebApplication app, MockBackendHost mock, string dataPath, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        _mock = mock;
        _dataPath = dataPath;
        Addresses = addresses;
        BaseAddress = addresses[0];
    }

    /// <summary>The first listening address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Every listening address, in the order given.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>Starts it on the given ports (0: any free one), with extra configuration.</summary>
    /// <summary>The mock behind it.</summary>
    public MockBackendHost Mock => _mock;

    public static async Task<KestrelGateway> StartAsync(IDictionary<string, string?>? settings = null, params int[] ports)
    {
        var mock = await MockBackendHost.StartAsync();
        var dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        var chosen = ports.Length == 0 ? [FreePort()] : ports.Select(p => p == 0 ? FreePort() : p).ToArray();
        var all = new Dictionary<string, string?>
        {
            ["Gateway:Backend:Url"] = mock.SoapUrl.ToString(),
            ["Gateway:DataPath"] = dataPath,
            ["Gateway:Admin:ApiKey"] = GatewayHost.AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var args = new List<string> { "--urls", string.Join(';', chosen.Select(p => $"http://127.0.0.1:{p}")) };
        args.AddRange(all.Where(kv => kv.Value is not null).Select(kv => $"--{kv.Key}={kv.Value}"));
        var app = GatewayApp.Build([.. args], builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new KestrelGateway(app, mock, dataPath, [.. chosen.Select(p => new Uri($"http://127.0.0.1:{p}/"))]);
    }

    /// <summary>
    /// A client whose connections come from <paramref name="localAddress"/> (any of 127.0.0.0/8 is this machine's
    /// loopback), so that the gateway sees distinct buyers' addresses without leaving the machine.
    /// </summary>
    public HttpClient ClientFrom(string localAddress)
    {
        var local = IPAddress.Parse(localAddress);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends <paramref name="request"/> byte for byte on a new connection and reads the answer until the server closes or 5 s pass.</summary>
    public async Task<string> SendRawAsync(string request, Uri? address = null)
    {
        var target = address ?? BaseAddress;
        using var client = new TcpClient();
        await client.ConnectAsync(target.Host, target.Port);
        using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var answer = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
                if (Complete(answer))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // What arrived is the answer.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _mock.DisposeAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }

    // An answer with Content-Length is complete once that many body bytes are in.
    private static bool Complete(MemoryStream answer)
    {
        var text = Encoding.Latin1.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var header = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return header is not null && int.TryParse(header["Content-Length:".Length..].Trim(), out var length) && text.Length - end - 4 >= length;
    }
}
