using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnSale.Tests.Common;

namespace OnSale.FunctionalTests;

/// <summary>
/// The gateway as a real process (the built OnSale.Gateway.dll), on a free loopback port, so that a test can
/// <c>kill -9</c> it and start it again on the same data folder.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    public const string AdminKey = "functional-admin-key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string DllPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepositoryRoot.Path, "src", "Gateway", "bin", configuration, "net10.0", "OnSale.Gateway.dll");
        }
    }

    public static async Task<GatewayProcess> StartAsync(Uri backendUrl, string dataPath, IDictionary<string, string>? settings = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { DllPath, "--urls", "http://127.0.0.1:0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(DllPath)!,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Gateway__Backend__Url"] = backendUrl.ToString();
        start.Environment["Gateway__DataPath"] = dataPath;
        start.Environment["Gateway__Admin__ApiKey"] = AdminKey;
        start.Environment["Gateway__Purchasing__ReplayPollInterval"] = "00:00:00.100";

        // Every buyer of these tests is one client on loopback: the per-client fair share is the hostile suite's subject.
        start.Environment["Gateway__WaitingRoom__SeatsPerBuyer"] = "100";
        start.Environment["Gateway__Purchasing__MaxParkedSeatsPerClient"] = "1000";

        // The seed's performance 2001 goes on sale two minutes after start: warmed, it would add backend calls to the
        // tests that count them (ClusterTests). A test that wants the warm-up sets it.
        start.Environment["Gateway__Availability__WarmUpBefore"] = "00:00:00";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var gateway = new GatewayProcess(Process.Start(start)!);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway._process.OutputDataReceived += (_, e) => gateway.Capture(e.Data, listening);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Capture(e.Data, listening);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();

        var started = await Task.WhenAny(listening.Task, gateway._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != listening.Task)
        {
            gateway.Kill();
            throw new InvalidOperationException($"The gateway did not start:\n{gateway.Output}");
        }

        gateway.BaseAddress = listening.Task.Result;
        gateway.Client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.HoldsAsync(
            async () => (await gateway.Client.GetAsync("/readyz")).IsSuccessStatusCode,
            ready => ready,
            "the gateway is ready");
        return gateway;
    }

    /// <summary>SIGKILL, as <c>kill -9</c>: no shutdown, no flushing, nothing but what is already on disk survives.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public async Task<HttpResponseMessage> PurchaseAsync(object body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/purchases") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request);
    }

    /// <summary>Makes the gateway know a performance's availability (<see cref="OnSale.Tests.Common.Http.AvailabilityProbe"/>).</summary>
    public Task KnowAvailabilityAsync(int performanceId) => OnSale.Tests.Common.Http.AvailabilityProbe.KnowAvailabilityAsync(Client, performanceId);

    public async Task<JsonElement> GetJsonAsync(string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await Client.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Client?.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Capture(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningOn().Match(line);
        if (match.Success)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
