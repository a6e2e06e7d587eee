using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests;

/// <summary>
/// The gateway hosted in-process (WebApplicationFactory) in front of the mock backend, which runs on real Kestrel
/// on loopback: every backend call is real SOAP or XML-RPC over HTTP. Each host has its own data folder.
/// With <c>ONSALE_TEST_STORE=Redis</c> (test.sh runs the suite a second time so), every host whose test does not choose
/// its store runs with <c>Gateway:Store=Redis</c> on a real redis-server of its data folder's own, so that the same tests
/// hold for both stores and a host started again on the same folder finds the same Redis.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>The store the suite runs against: <c>Embedded</c> unless <c>ONSALE_TEST_STORE</c> says <c>Redis</c>.</summary>
    public static readonly string SuiteStore = Environment.GetEnvironmentVariable("ONSALE_TEST_STORE") is { Length: > 0 } store ? store : "Embedded";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<OnSale.Tests.Common.RedisServerProcess>>> RedisOfData = CreateRedisOfData();

    public const string AdminKey = "test-admin-key-0123456789";

    private readonly WebApplicationFactory<Program> _factory;
    private readonly bool _ownsMock;
    private readonly bool _ownsData;

    private GatewayHost(WebApplicationFactory<Program> factory, MockBackendHost mock, bool ownsMock, string dataPath, bool ownsData, FakeTimeProvider? time)
    {
        _factory = factory;
        _ownsMock = ownsMock;
        _ownsData = ownsData;
        Mock = mock;
        DataPath = dataPath;
        Time = time;
        Client = factory.CreateClient();
        Admin = factory.CreateClient();
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public MockBackendHost Mock { get; }

    /// <summary>Another client of the in-process gateway (with headers of its own).</summary>
    public HttpClient CreateClient() => _factory.CreateClient();

    public HttpClient Client { get; }

    public HttpClient Admin { get; }

    public string DataPath { get; }

    /// <summary>The gateway's clock when the test asked for a manual one.</summary>
    public FakeTimeProvider? Time { get; }

    public IServiceProvider Services => _factory.Services;

    public static async Task<GatewayHost> StartAsync(
        VenueBackendProtocol protocol = VenueBackendProtocol.Soap,
        FakeTimeProvider? time = null,
        IDictionary<string, string?>? settings = null,
        MockBackendHost? mock = null,
        string? dataPath = null,
        Uri? backendUrl = null,
        Action<IServiceCollection>? services = null)
    {
        var ownsMock = mock is null;
        var ownsData = dataPath is null;
        // One clock for both: the mock's seed ("on sale a day ago") is placed relative to the gateway's "now".
        mock ??= await MockBackendHost.StartAsync(time);
        dataPath ??= Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>
        {
            ["Gateway:Backend:Protocol"] = protocol.ToString(),
            ["Gateway:Backend:Url"] = (backendUrl ?? (protocol == VenueBackendProtocol.Soap ? mock.SoapUrl : mock.XmlRpcUrl)).ToString(),
            ["Gateway:DataPath"] = dataPath,
            ["Gateway:Admin:ApiKey"] = AdminKey,
            ["Gateway:Purchasing:ReplayPollInterval"] = "00:00:00.100",
            ["Gateway:Resilience:ReadRetryDelay"] = "00:00:00.010",
            ["Gateway:RateLimits:PerClientPerMinute"] = "1000000",

            // Every request of a test comes from one client; the fair share of seats per client is the hostile suite's
            // subject (Hostile/FairShareTests), and those tests set it themselves.
            ["Gateway:WaitingRoom:SeatsPerBuyer"] = "100",

            // The learned budget starts at 10 calls a second and spreads starts over the second: on a clock that only
            // moves when a test moves it, that would stall. Its own tests (Resilience/BackendBudgetTests) drive it on a
            // fake clock; the on-sale scenarios (FunctionalTests) run it on for real, against the mock's caps.
            ["Gateway:Resilience:AdaptiveBudget"] = "false",

            // The seed's performance 2001 goes on sale two minutes after start: warmed, it would add a backend call every
            // fresh period to every test that counts them. The warm-up's own tests (Availability/WarmUpTests) turn it on.
            ["Gateway:Availability:WarmUpBefore"] = "00:00:00",
        };
        if (time is not null)
        {
            // Retry delays run on the manual clock, which only moves when a test moves it: no retries there.
            all["Gateway:Resilience:ReadRetries"] = "0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        if (string.Equals(SuiteStore, "Redis", StringComparison.OrdinalIgnoreCase) && !all.ContainsKey("Gateway:Store"))
        {
            var redis = await RedisOfData.GetOrAdd(dataPath, _ => new(() => OnSale.Tests.Common.RedisServerProcess.StartAsync("everysec"))).Value;
            all["Gateway:Store"] = "Redis";
            all["Gateway:Redis:Configuration"] = redis.Configuration;
        }

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureTestServices(collection =>
            {
                if (time is not null)
                {
                    collection.AddSingleton<TimeProvider>(time);
                }

                services?.Invoke(collection);
            });
        });
        var host = new GatewayHost(factory, mock, ownsMock, dataPath, ownsData, time);
        return host;
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public Task<HttpResponseMessage> PurchaseAsync(object body, string? idempotencyKey = null) =>
        PostAsync("/api/v1/purchases", body, idempotencyKey ?? Guid.NewGuid().ToString());

    public Task<HttpResponseMessage> PostAsync(string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType = "application/json", string? idempotencyKey = "k-raw")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> SetModeAsync(string mode, string reason = "test") =>
        Admin.PutAsJsonAsync("/admin/api/mode", new { mode, reason });

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return await JsonAsync(response);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Makes the gateway know a performance's availability (<see cref="AvailabilityProbe"/>).</summary>
    public Task KnowAvailabilityAsync(int performanceId) => AvailabilityProbe.KnowAvailabilityAsync(Client, performanceId);

    /// <summary>Waits until the purchase leaves parked/processing, moving the manual clock if there is one.</summary>
    public Task<JsonElement> SettledAsync(string purchaseId) =>
        OnSale.Tests.Common.Eventually.HoldsAsync(
            () => GetJsonAsync($"/api/v1/purchases/{purchaseId}"),
            p => p.GetProperty("status").GetString() is "confirmed" or "failed",
            $"purchase {purchaseId} settles",
            time: Time);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await _factory.DisposeAsync();
        if (_ownsMock)
        {
            await Mock.DisposeAsync();
        }

        if (_ownsData)
        {
            DeleteData();
        }
    }

    /// <summary>The Redis servers of data folders; those a test left (its folder was its own to delete) end with the test run.</summary>
    private static System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<OnSale.Tests.Common.RedisServerProcess>>> CreateRedisOfData()
    {
        var servers = new System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<OnSale.Tests.Common.RedisServerProcess>>>(StringComparer.Ordinal);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in servers.Values.Where(s => s.IsValueCreated && s.Value.IsCompletedSuccessfully))
            {
                server.Value.Result.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        };
        return servers;
    }

    /// <summary>Deletes the data folder (after the last host using it is gone), and the Redis of that folder if any.</summary>
    public void DeleteData()
    {
        if (RedisOfData.TryRemove(DataPath, out var redis) && redis.IsValueCreated && redis.Value.IsCompletedSuccessfully)
        {
            redis.Value.Result.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
