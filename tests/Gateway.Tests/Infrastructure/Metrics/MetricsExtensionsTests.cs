using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure.Metrics;

namespace OnSale.Gateway.Tests.Infrastructure.Metrics;

public sealed class MetricsExtensionsTests
{
    [Fact]
    public async Task MapPrometheusMetrics_RealKestrelHost_ServesSamplesAsPrometheusText()
    {
        var meterName = MetricsTestContext.UniqueMeterName(nameof(MapPrometheusMetrics_RealKestrelHost_ServesSamplesAsPrometheusText));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Metrics:MeterNames:0"] = meterName });
        builder.Services.AddPrometheusMetrics(builder.Configuration);
        await using var app = builder.Build();
        app.MapPrometheusMetrics();
        await app.StartAsync(timeout.Token);

        // Recorded before anything asked for the collector: only a collector created at startup sees it.
        var counter = app.Services.GetRequiredService<IMeterFactory>().Create(meterName).CreateCounter<long>("e2e.tickets", "{ticket}", "Tickets sold.");
        counter.Add(3, new KeyValuePair<string, object?>("zone", "stalls"));

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(
            MetricsTestContext.Lines(
                "# HELP e2e_tickets_total Tickets sold.",
                "# TYPE e2e_tickets_total counter",
                "e2e_tickets_total{zone=\"stalls\"} 3"),
            body);
        await app.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task MapPrometheusMetrics_CustomPattern_ServesThereOnlyForGet()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddPrometheusMetrics();
        await using var app = builder.Build();
        app.MapPrometheusMetrics("/internal/prometheus");
        await app.StartAsync(timeout.Token);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        using var get = await client.GetAsync(new Uri("/internal/prometheus", UriKind.Relative), timeout.Token);
        using var post = await client.PostAsync(new Uri("/internal/prometheus", UriKind.Relative), null, timeout.Token);
        using var old = await client.GetAsync(new Uri("/metrics", UriKind.Relative), timeout.Token);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        await app.StopAsync(timeout.Token);
    }

    [Fact]
    public void AddPrometheusMetrics_ConfiguredMeterNames_ReplaceTheDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Metrics:MeterNames:0"] = "Only.This",
            ["Gateway:Metrics:MeterNames:1"] = "And.These.*",
            ["Gateway:Metrics:MaxTagSetsPerInstrument"] = "50",
        }).Build();
        using var services = new ServiceCollection().AddPrometheusMetrics(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<PrometheusExporterOptions>>().Value;

        Assert.Equal(["Only.This", "And.These.*"], options.MeterNames);
        Assert.Equal(50, options.MaxTagSetsPerInstrument);
    }

    [Fact]
    public void AddPrometheusMetrics_NoMeterNamesConfigured_KeepsTheDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Metrics:MaxTagSetsPerInstrument"] = "7",
        }).Build();
        using var services = new ServiceCollection().AddPrometheusMetrics(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<PrometheusExporterOptions>>().Value;

        Assert.Equal(
            ["OnSale.Gateway", "OnSale.Gateway.Cache", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "System.Runtime"],
            options.MeterNames);
        Assert.Equal(7, options.MaxTagSetsPerInstrument);
    }

    [Fact]
    public void AddPrometheusMetrics_ZeroTagSetsPerInstrument_FailsValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Metrics:MaxTagSetsPerInstrument"] = "0",
        }).Build();
        using var services = new ServiceCollection().AddPrometheusMetrics(configuration).BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PrometheusExporterOptions>>().Value);

        Assert.Contains(nameof(PrometheusExporterOptions.MaxTagSetsPerInstrument), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrometheusMetrics_CalledTwice_RegistersOneCollectorAndOneActivator()
    {
        var services = new ServiceCollection().AddPrometheusMetrics().AddPrometheusMetrics();

        Assert.Single(services, d => d.ServiceType == typeof(PrometheusMetricsCollector));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PrometheusMetricsActivator));
    }
}
