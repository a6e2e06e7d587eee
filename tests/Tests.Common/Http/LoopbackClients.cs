using System.Net;
using System.Net.Sockets;

namespace OnSale.Tests.Common.Http;

/// <summary>
/// HTTP clients whose connections come from a chosen loopback address (127.0.0.2, 127.0.0.3, …: all of 127.0.0.0/8 is
/// this machine), so that a server sees several client addresses without leaving loopback.
/// </summary>
public static class LoopbackClients
{
    /// <summary>A client for <paramref name="baseAddress"/> whose socket is bound to <c>127.0.0.{<paramref name="lastByte"/>}</c>.</summary>
    public static HttpClient From(byte lastByte, Uri baseAddress)
    {
        var local = new IPAddress([127, 0, 0, lastByte]);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
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
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}
