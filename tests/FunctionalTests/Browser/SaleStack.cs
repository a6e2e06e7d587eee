using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OnSale.Gateway;
using OnSale.Samples.VenueSite;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// What a buyer's browser talks to, in-process on real loopback ports: the mock backend, the gateway at
/// <c>http://localhost:…</c> and the venue's site at <c>http://127.0.0.1:…</c>. Two hosts of the same machine are two
/// sites to the browser, so the widget runs as a third-party frame, as it does on a real venue's page.
/// </summary>
public sealed class SaleStack : IAsyncDisposable
{
    public const string AdminKey = "browser-admin-key";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "onsale-browser", Guid.NewGuid().ToString("N"));
    private readonly List<WebApplication> _apps = [];

    private SaleStack(MockBackendHost mock)
    {
        Mock = mock;
    }

    public MockBackendHost Mock { get; }

    public Uri GatewayUrl { get; private set; } = null!;

    public Uri SiteUrl { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Starts the stack; the venue site is the only origin allowed to embed the widget unless told otherwise.</summary>
    public static async Task<SaleStack> StartAsync(
        IDictionary<string, string>? gatewaySettings = null, WidgetEmbedding embedding = WidgetEmbedding.Loader, IDictionary<string, string>? siteSettings = null)
    {
        var stack = new SaleStack(await MockBackendHost.StartAsync());
        var gatewayPort = FreePort();
        var sitePort = FreePort();
        stack.GatewayUrl = new Uri($"http://localhost:{gatewayPort}/");
        stack.SiteUrl = new Uri($"http://127.0.0.1:{sitePort}/");

        var args = new List<string>
        {
            "--urls", $"http://localhost:{gatewayPort}",
            "--Logging:LogLevel:Default=Warning",
            $"--Gateway:Backend:Url={stack.Mock.SoapUrl}",
            $"--Gateway:DataPath={stack._dataPath}",
            $"--Gateway:Admin:ApiKey={AdminKey}",
            $"--Gateway:Venues:royal-hall:Origins:0=http://127.0.0.1:{sitePort}",
            "--Gateway:RateLimits:PerClientPerMinute=100000",
        };
        foreach (var (key, value) in gatewaySettings ?? new Dictionary<string, string>())
        {
            args.Add($"--{key}={value}");
        }

        await stack.StartAsync(GatewayApp.Build([.. args]));
        await stack.StartAsync(VenueSite(sitePort, stack.GatewayUrl, embedding, siteSettings));
        stack.Admin = new HttpClient { BaseAddress = stack.GatewayUrl };
        stack.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return stack;
    }

    /// <summary>Another site, whose origin the gateway does not know, embedding the same widget.</summary>
    public async Task<Uri> StartForeignSiteAsync(WidgetEmbedding embedding = WidgetEmbedding.Loader)
    {
        var port = FreePort();
        await StartAsync(VenueSite(port, GatewayUrl, embedding));
        return new Uri($"http://127.0.0.1:{port}/");
    }

    public async Task SetModeAsync(string mode, string reason) =>
        (await Admin.PutAsJsonAsync("admin/api/mode", new { mode, reason })).EnsureSuccessStatusCode();

    public async Task SetBannerAsync(string message, string level) =>
        (await Admin.PutAsJsonAsync("admin/api/banner", new { message, level })).EnsureSuccessStatusCode();

    /// <summary>Joins the queue as another buyer (not the browser), returning the answer.</summary>
    public async Task<JsonElement> JoinAsAnotherBuyerAsync(int performanceId)
    {
        using var client = new HttpClient { BaseAddress = GatewayUrl };
        using var response = await client.PostAsync($"api/v1/performances/{performanceId}/queue", null);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Gateway settings for a waiting room of one place, whose rounds run five times a second.</summary>
    public static Dictionary<string, string> OnePlace() => new()
    {
        ["Gateway:WaitingRoom:ActivationThreshold"] = "0",
        ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
        ["Gateway:WaitingRoom:AdmissionInterval"] = "00:00:00.200",
    };

    /// <summary>Joins as another buyer and waits until they are admitted, returning the answer with their access token.</summary>
    public async Task<JsonElement> AdmitAnotherBuyerAsync(int performanceId)
    {
        var joined = await JoinAsAnotherBuyerAsync(performanceId);
        return await OnSale.Tests.Common.Eventually.HoldsAsync(
            () => StatusAsync(performanceId, joined.GetProperty("queueToken").GetString()!),
            s => s.GetProperty("state").GetString() == "admitted",
            "the other buyer is admitted");
    }

    /// <summary>A buyer's place in line, as their browser would ask for it.</summary>
    public async Task<JsonElement> StatusAsync(int performanceId, string queueToken)
    {
        using var client = new HttpClient { BaseAddress = GatewayUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", queueToken);
        return await client.GetFromJsonAsync<JsonElement>($"api/v1/performances/{performanceId}/queue");
    }

    /// <summary>Pauses or resumes admission of a performance, as support does from the console.</summary>
    public async Task SetAdmissionAsync(int performanceId, bool paused, string reason, string? message = null) =>
        (await Admin.PutAsJsonAsync($"admin/api/performances/{performanceId}/admission", new { paused, reason, message })).EnsureSuccessStatusCode();

    /// <summary>Buys as another buyer with their access token, which frees their place for the next in line.</summary>
    public async Task BuyAsAnotherBuyerAsync(int performanceId, string accessToken)
    {
        using var response = await PurchaseAsync(performanceId, "other@example.com", accessToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>One purchase of a seat in zone 2 by the buyer <paramref name="email"/>, as the widget would send it.</summary>
    public async Task<HttpResponseMessage> PurchaseAsync(int performanceId, string email, string? accessToken = null)
    {
        using var client = new HttpClient { BaseAddress = GatewayUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/purchases")
        {
            Content = JsonContent.Create(new { performanceId, zoneId = 2, quantity = 1, paymentToken = "tok_ok", email }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Reads the performance's availability once, so that the gateway knows it (and may park purchases for it).</summary>
    public async Task KnowAvailabilityAsync(int performanceId)
    {
        using var client = new HttpClient { BaseAddress = GatewayUrl };
        (await client.GetAsync($"api/v1/performances/{performanceId}/availability")).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Mock.DisposeAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder.
        }
    }

    private static WebApplication VenueSite(int port, Uri gatewayUrl, WidgetEmbedding embedding, IDictionary<string, string>? settings = null) =>
        VenueSiteApp.Build([
            "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning",
            $"--VenueSite:GatewayUrl={gatewayUrl}", $"--VenueSite:Embedding={embedding}",
            .. (settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}"),
        ]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartAsync(WebApplication app)
    {
        _apps.Add(app);
        await app.StartAsync();
    }
}
