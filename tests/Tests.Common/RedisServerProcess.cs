using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OnSale.Tests.Common;

/// <summary>
/// Debian's <c>redis-server</c> (installed by eng/install-test-deps.sh) on a free loopback port, with its data folder
/// of its own: the append-only file on (<c>appendfsync always</c> unless told otherwise), no snapshots. It can be killed
/// with SIGKILL and started again on the same port and folder, replaying its AOF, and is removed at dispose.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly string _folder;
    private readonly string _appendFsync;
    private Process? _process;

    private RedisServerProcess(string folder, int port, string appendFsync)
    {
        _folder = folder;
        Port = port;
        _appendFsync = appendFsync;
    }

    public int Port { get; }

    /// <summary>
    /// The StackExchange.Redis configuration string of this server. Its command timeout is generous: with
    /// <c>appendfsync always</c> on a busy CI machine's disk, one write's fsync has been seen to outlast the gateway's
    /// one-second default, and what these tests check is the gateway's behaviour, not the disk's speed.
    /// </summary>
    public string Configuration => Address + ",syncTimeout=10000";

    /// <summary><c>127.0.0.1:{port}</c>, as messages name the server.</summary>
    public string Address => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <param name="appendFsync"><c>always</c>, <c>everysec</c>, or <c>off</c> for no append-only file at all.</param>
    public static async Task<RedisServerProcess> StartAsync(string appendFsync = "always")
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: eng/install-test-deps.sh installs Debian's redis-server.");
        }

        var folder = Path.Combine(Path.GetTempPath(), "onsale-redis", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var redis = new RedisServerProcess(folder, FreeLoopbackPort(), appendFsync);
        await redis.RestartAsync().ConfigureAwait(false);
        return redis;
    }

    /// <summary>SIGKILL: nothing is flushed; what survives is what the AOF already holds.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Starts the server (again) on the same port and folder, and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        Kill();
        _process?.Dispose();
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--dir", _folder, "--pidfile", Path.Combine(_folder, "redis.pid"), "--protected-mode", "yes" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_appendFsync == "off")
        {
            start.ArgumentList.Add("--appendonly");
            start.ArgumentList.Add("no");
        }
        else
        {
            start.ArgumentList.Add("--appendonly");
            start.ArgumentList.Add("yes");
            start.ArgumentList.Add("--appendfsync");
            start.ArgumentList.Add(_appendFsync);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start with code {_process.ExitCode}.");
            }

            if (await AnswersPingAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new InvalidOperationException("redis-server did not answer PING within 20 s.");
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder.
        }

        return ValueTask.CompletedTask;
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
