using System.Diagnostics;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// The gateway's own spans: one per backend call, one per replay round and per replayed purchase. Without a listener
/// (no trace exporter configured) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and
/// costs a check.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "OnSale.Gateway";

    public static readonly ActivitySource Source = new(SourceName);
}
