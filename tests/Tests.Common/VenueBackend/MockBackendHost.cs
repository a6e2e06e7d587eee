using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OnSale.Mocks.VenueBackend;

namespace OnSale.Tests.Common.VenueBackend;

/// <summary>
/// The mock venue backend running in-process on real Kestrel at <c>http://127.0.0.1:{free port}/</c>, with the
/// clock a test gives it. Configuration is hermetic: the mock's own embedded appsettings.json (never whatever
/// appsettings.json sits in the test's output folder), then the test's <c>settings</c>. Logging is quiet (Warning).
/// </summary>
public sealed class MockBackendHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _controlHttp;

    private MockBackendHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        SoapUrl = new Uri(baseAddress, "VenueService.svc");
        XmlRpcUrl = new Uri(baseAddress, "RPC2");
        _controlHttp = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Control = new MockControlClient(_controlHttp);
    }

    /// <summary><c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The SOAP endpoint, <c>…/VenueService.svc</c>.</summary>
    public Uri SoapUrl { get; }

    /// <summary>The XML-RPC endpoint, <c>…/RPC2</c>.</summary>
    public Uri XmlRpcUrl { get; }

    /// <summary>The control API.</summary>
    public MockControlClient Control { get; }

    /// <summary>The mock's services (e.g. its inventory, for white-box assertions).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the mock with <paramref name="time"/> (default <see cref="TimeProvider.System"/>) and extra configuration.</summary>
    /// <param name="time">The mock's clock; its "now" at start-up resolves the seed's relative times.</param>
    /// <param name="settings">Configuration overrides, e.g. <c>["VenueBackend:Performances:3:OnSaleAt"] = "2026-11-22T09:00:00Z"</c>.</param>
    public static async Task<MockBackendHost> StartAsync(TimeProvider? time = null, IDictionary<string, string?>? settings = null)
    {
        var app = VenueBackendApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            UseEmbeddedSettings(builder.Configuration);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Replace(ServiceDescriptor.Singleton(time ?? TimeProvider.System));

            // Hanging calls end when the host stops; never keep a test run waiting long for them.
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        });

        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Urls.First();
        var uri = new Uri(address.EndsWith('/') ? address : address + "/");
        return new MockBackendHost(app, uri);
    }

    /// <summary>Stops the mock (aborting hanging calls) and frees its port.</summary>
    public async ValueTask DisposeAsync()
    {
        _controlHttp.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // Hermetic: the mock keeps its embedded seed (VenueBackendApp.EmbeddedSeed) and ignores whatever appsettings*.json
    // files sit in the test's output folder (a gateway test's folder holds the gateway's).
    private static void UseEmbeddedSettings(IConfigurationBuilder configuration)
    {
        var sources = configuration.Sources;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is JsonConfigurationSource { FileProvider: not EmbeddedFileProvider, Path: { } path }
                && Path.GetFileName(path).StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                sources.RemoveAt(i);
            }
        }
    }
}
