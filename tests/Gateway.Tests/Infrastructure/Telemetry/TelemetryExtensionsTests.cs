using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure.Telemetry;
using OnSale.Tests.Common;
using System.Text;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WireMock;
using WireMock.Server;

namespace OnSale.Gateway.Tests.Infrastructure.Telemetry;

public sealed class TelemetryExtensionsTests
{
    [Fact]
    public void AddGatewayTelemetry_ConfiguredMeterNames_ReplaceTheDefaults()
    {
        using var services = Build(new()
        {
            ["Gateway:Metrics:MeterNames:0"] = "Only.This",
            ["Gateway:Metrics:MeterNames:1"] = "And.These.*",
            ["Gateway:Metrics:MaxTagSetsPerInstrument"] = "50",
        });

        var options = services.GetRequiredService<IOptions<MetricsOptions>>().Value;

        Assert.Equal(["Only.This", "And.These.*"], options.MeterNames);
        Assert.Equal(50, options.MaxTagSetsPerInstrument);
    }

    [Fact]
    public void AddGatewayTelemetry_NoMeterNamesConfigured_KeepsTheDefaults()
    {
        using var services = Build(new() { ["Gateway:Metrics:MaxTagSetsPerInstrument"] = "7" });

        var options = services.GetRequiredService<IOptions<MetricsOptions>>().Value;

        Assert.Equal(
            [
                "OnSale.Gateway", "OnSale.Gateway.Cache", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Diagnostics", "System.Net.Http", "System.Net.NameResolution",
                "System.Runtime",
            ],
            options.MeterNames);
        Assert.Equal(7, options.MaxTagSetsPerInstrument);
    }

    [Fact]
    public void AddGatewayTelemetry_ZeroTagSetsPerInstrument_FailsValidation()
    {
        using var services = Build(new() { ["Gateway:Metrics:MaxTagSetsPerInstrument"] = "0" });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MetricsOptions>>().Value);

        Assert.Contains(nameof(MetricsOptions.MaxTagSetsPerInstrument), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGatewayTelemetry_OtlpEndpointConfigured_RegistersTheOtlpExporterAndTracing()
    {
        var services = new ServiceCollection().AddGatewayTelemetry(Configuration(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318" }));

        Assert.Contains(services, d => d.ServiceType == typeof(IOptionsFactory<OtlpExporterOptions>));
        Assert.Contains(services, d => d.ServiceType == typeof(TracerProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(MeterProvider));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AddGatewayTelemetry_NoOtlpEndpoint_RegistersNoExporterAndNoTracing(string? endpoint)
    {
        var services = new ServiceCollection().AddGatewayTelemetry(Configuration(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint }));

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IOptionsFactory<OtlpExporterOptions>));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(TracerProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(MeterProvider)); // /metrics is always there
    }

    [Fact]
    public async Task Gateway_OtlpEndpointSetting_PushesTracesAndMetricsToTheReceiver()
    {
        using var receiver = OtlpReceiver.Start();
        await using var gateway = await GatewayHost.StartAsync(settings: OtlpReceiver.Settings(receiver));

        using var response = await gateway.PurchaseAsync(Requests.Purchase());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var traces = await ExportAsync(receiver, "/v1/traces", "/api/v1/purchases");
        var metrics = await ExportAsync(receiver, "/v1/metrics", "onsale.backend.call.duration");
        Assert.Equal(["application/x-protobuf"], traces.Headers!["Content-Type"]);
        Assert.Equal(["application/x-protobuf"], metrics.Headers!["Content-Type"]);
    }

    internal static async Task<IRequestMessage> ExportAsync(WireMockServer receiver, string path, string containing)
    {
        // OTLP is protobuf; its strings (span and instrument names) are plain UTF-8 inside it.
        bool IsExport(IRequestMessage r) =>
            r.Method == "POST" && r.Path == path && Encoding.UTF8.GetString(r.BodyAsBytes ?? []).Contains(containing, StringComparison.Ordinal);
        var requests = await Eventually.HoldsAsync(
            () => Task.FromResult(receiver.LogEntries.Select(e => e.RequestMessage).ToList()),
            all => all.Exists(IsExport),
            $"an OTLP export to {path} with {containing}");
        return requests.First(IsExport);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddGatewayTelemetry(Configuration(settings)).BuildServiceProvider();

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}

/// <summary>Tests that change the process's environment run alone: every host started meanwhile would read it.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment
{
}

[Collection(nameof(ProcessEnvironment))]
public sealed class TelemetryEnvironmentTests
{
    [Fact]
    public async Task Gateway_OtlpEndpointEnvironmentVariable_PushesTracesToTheReceiver()
    {
        using var receiver = OtlpReceiver.Start();
        var settings = OtlpReceiver.Settings(receiver);
        foreach (var (key, value) in settings)
        {
            Environment.SetEnvironmentVariable(key, value);
        }

        try
        {
            await using var gateway = await GatewayHost.StartAsync();
            using var response = await gateway.PurchaseAsync(Requests.Purchase());
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);

            await TelemetryExtensionsTests.ExportAsync(receiver, "/v1/traces", "/api/v1/purchases");
        }
        finally
        {
            foreach (var key in settings.Keys)
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }
    }
}
