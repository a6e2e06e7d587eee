namespace OnSale.Gateway.Storage.Redis;

/// <summary><c>Gateway:Redis:*</c> (CONTRACT.md §3): where the nodes of one gateway keep what they share.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Gateway:Redis";

    /// <summary>A StackExchange.Redis configuration string (<c>host:port,password=…,ssl=true</c>). Required with <c>Gateway:Store=Redis</c>.</summary>
    public string? Configuration { get; set; }
}
