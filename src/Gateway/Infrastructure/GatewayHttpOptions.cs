using System.ComponentModel.DataAnnotations;

namespace OnSale.Gateway.Infrastructure;

/// <summary>HTTP-level limits of the gateway's API (section <c>Gateway:Http</c>).</summary>
public sealed class GatewayHttpOptions
{
    public const string SectionName = "Gateway:Http";

    /// <summary>Every API request is answered within this time. Default: 2.5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RequestDeadline { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>The largest JSON body accepted; larger gets 413 <c>payload_too_large</c>. Default: 16 KiB.</summary>
    [Range(256, 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;
}
