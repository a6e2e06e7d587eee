using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OnSale.Tests.Common;

/// <summary>
/// Debian's nginx (<c>/usr/sbin/nginx</c>, installed by eng/install-test-deps.sh) as a shared cache in front of a
/// server under test: one process (<c>daemon off; master_process off;</c>) on a free loopback port, with its pid file,
/// error log, temp folders and a cache zone in a temp folder of its own, killed and removed at dispose. It never reads
/// /etc/nginx and never listens anywhere else, so a system nginx the package may have started on port 80 does not
/// matter.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    /// <summary>The cache zone the fixture declares (<c>proxy_cache_path {folder}/cache keys_zone=cache:1m</c>), for <c>proxy_cache</c>.</summary>
    public const string CacheZone = "cache";

    private const string Executable = "/usr/sbin/nginx";

    // A probe of the fixture's own, so that waiting for nginx sends nothing to the server behind it.
    private const string ReadyPath = "/nginx-fixture-ready";

    private readonly Process _process;
    private readonly string _folder;

    private NginxProcess(Process process, string folder, Uri baseAddress)
    {
        _process = process;
        _folder = folder;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>What nginx wrote to its error log so far (start-up notices, upstream errors, cache events).</summary>
    public string ErrorLog => File.Exists(Path.Combine(_folder, "error.log")) ? File.ReadAllText(Path.Combine(_folder, "error.log")) : string.Empty;

    /// <summary>
    /// Starts nginx with one server whose <c>location / { … }</c> holds <paramref name="location"/>, e.g.
    /// <c>proxy_cache cache; proxy_pass http://127.0.0.1:5000;</c>, and waits until it answers.
    /// </summary>
    /// <param name="location">The directives of <c>location /</c>; the http block declares <see cref="CacheZone"/> and nothing else of caching.</param>
    /// <returns>The running nginx.</returns>
    /// <param name="http">Directives added to the http block (an <c>upstream</c> for a load balancer), if any.</param>
    public static async Task<NginxProcess> StartAsync(string location, string http = "")
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: eng/install-test-deps.sh installs Debian's nginx.");
        }

        // The free port is picked, released and then bound by nginx: another process may take it in between, in which
        // case nginx exits at once and another port is tried.
        const int Attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var folder = Path.Combine(Path.GetTempPath(), "onsale-nginx", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(folder, "temp"));
            var port = FreeLoopbackPort();
            await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), Configuration(folder, port, location, http)).ConfigureAwait(false);

            var process = Process.Start(new ProcessStartInfo(Executable)
            {
                ArgumentList = { "-p", folder + "/", "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log") },
            })!;

            var nginx = new NginxProcess(process, folder, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
            if (await nginx.AnswersAsync().ConfigureAwait(false))
            {
                return nginx;
            }

            var log = nginx.ErrorLog;
            await nginx.DisposeAsync().ConfigureAwait(false);
            if (attempt == Attempts || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"nginx did not start:\n{log}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder.
        }
    }

    private static string Configuration(string folder, int port, string location, string http) => $$"""
        daemon off;
        master_process off;
        pid {{folder}}/nginx.pid;
        error_log {{folder}}/error.log info;
        worker_rlimit_nofile 4096;
        events {
            worker_connections 2048;
        }
        http {
            access_log off;
            client_body_temp_path {{folder}}/temp/body;
            proxy_temp_path {{folder}}/temp/proxy;
            fastcgi_temp_path {{folder}}/temp/fastcgi;
            uwsgi_temp_path {{folder}}/temp/uwsgi;
            scgi_temp_path {{folder}}/temp/scgi;
            proxy_cache_path {{folder}}/cache keys_zone={{CacheZone}}:1m;
            {{http}}
            server {
                listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}};
                location = {{ReadyPath}} {
                    return 204;
                }
                location / {
                    {{location}}
                }
            }
        }
        """;

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True once nginx answers its probe, false if it exited first (a bad configuration, a taken port).</summary>
    private async Task<bool> AnswersAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 200 && !_process.HasExited; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(ReadyPath, UriKind.Relative)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return false;
    }
}
