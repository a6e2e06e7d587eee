using System.Text.Json;

namespace OnSale.Gateway.Caching;

/// <summary>
/// What an L2 entry holds: the value and the instants it was written with, so that another instance reading it
/// knows whether it is fresh or only good for fail-safe, and its tags. Serialized with System.Text.Json (web
/// defaults, reflection-based: the cached types are the gateway's own records); <c>IHybridCacheSerializer&lt;T&gt;</c>
/// registrations are not consulted.
/// </summary>
internal sealed class DistributedCacheEnvelope<T>
{
    /// <summary>The envelope's format; an entry of another format is treated as absent.</summary>
    public int Format { get; set; } = DistributedCacheEnvelope.CurrentFormat;

    public DateTimeOffset Timestamp { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public string[]? Tags { get; set; }

    public T Value { get; set; } = default!;
}

internal static class DistributedCacheEnvelope
{
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize<T>(CacheEntry<T> entry) => JsonSerializer.SerializeToUtf8Bytes(
        new DistributedCacheEnvelope<T>
        {
            Timestamp = entry.Timestamp,
            ExpiresAt = entry.ExpiresAt,
            Tags = entry.Tags.Length == 0 ? null : entry.Tags,
            Value = entry.Value,
        },
        SerializerOptions);

    /// <summary>Reads an envelope; null when it is of another format. Throws <see cref="JsonException"/> on garbage.</summary>
    public static DistributedCacheEnvelope<T>? Deserialize<T>(byte[] payload)
    {
        var envelope = JsonSerializer.Deserialize<DistributedCacheEnvelope<T>>(payload, SerializerOptions);
        return envelope is { Format: CurrentFormat } ? envelope : null;
    }
}
