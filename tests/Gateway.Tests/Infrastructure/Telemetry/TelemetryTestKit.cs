using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OnSale.Tests.Common.Http;
using OpenTelemetry;
using OpenTelemetry.Trace;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OnSale.Gateway.Tests.Infrastructure.Telemetry;

/// <summary>
/// Keeps every span the gateway's tracer provider ends. The provider listens to its sources process-wide, so spans of
/// other hosts running in parallel arrive too: tests pick theirs by trace id or by tag.
/// </summary>
internal sealed class SpanCollector : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _ended = new();

    public IReadOnlyList<Activity> Ended => [.. _ended];

    public override void OnEnd(Activity data) => _ended.Enqueue(data);

    /// <summary>Adds this collector to the gateway's tracing pipeline, beside the exporter it configures.</summary>
    public void AddTo(IServiceCollection services) => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(this));
}

internal static class OtlpReceiver
{
    /// <summary>A loopback server that accepts OTLP/HTTP exports (an empty protobuf message is a full success).</summary>
    public static WireMockServer Start()
    {
        var receiver = WireMockLoopback.Start();
        receiver.Given(Request.Create().UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/x-protobuf"));
        return receiver;
    }

    /// <summary>The standard settings that point the gateway's exporter at <paramref name="receiver"/>.</summary>
    public static Dictionary<string, string?> Settings(WireMockServer receiver) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };
}
