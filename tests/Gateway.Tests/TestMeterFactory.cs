using System.Diagnostics.Metrics;

namespace OnSale.Gateway.Tests;

/// <summary>Meters for a test's own <see cref="OnSale.Gateway.Infrastructure.GatewayMetrics"/>, disposed with it.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
