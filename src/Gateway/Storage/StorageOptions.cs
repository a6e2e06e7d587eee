namespace OnSale.Gateway.Storage;

/// <summary>Where state lives: <c>Gateway:Store</c> and <c>Gateway:DataPath</c> (CONTRACT.md §3).</summary>
public sealed class StorageOptions
{
    /// <summary>The values <see cref="Store"/> may take.</summary>
    public static readonly string[] Stores = ["Embedded", "Redis"];

    /// <summary><c>Embedded</c> (one node, durable on local disk) or <c>Redis</c>. Default: Embedded.</summary>
    public string Store { get; set; } = "Embedded";

    /// <summary>The folder for embedded durable state. Default: <c>./data</c>.</summary>
    public string DataPath { get; set; } = "./data";
}
