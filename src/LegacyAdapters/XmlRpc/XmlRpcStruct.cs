namespace OnSale.LegacyAdapters.XmlRpc;

/// <summary>Typed reads of a decoded XML-RPC struct; a missing member or a wrong type is a protocol error naming the field.</summary>
internal readonly struct XmlRpcStruct
{
    private readonly IReadOnlyDictionary<string, object?> _members;
    private readonly VenueOperation _operation;

    public XmlRpcStruct(object? value, VenueOperation operation)
    {
        _operation = operation;
        _members = value as IReadOnlyDictionary<string, object?> ?? throw XmlRpcVenueBackend.Shape(operation, "expected a struct");
    }

    public int Int(string name) => Get(name) is int value ? value : throw Wrong(name, "int");

    public string String(string name) => Get(name) is string value ? value : throw Wrong(name, "string");

    public DateTimeOffset Date(string name) => Get(name) is DateTimeOffset value ? value : throw Wrong(name, "dateTime.iso8601");

    public IReadOnlyList<string> Strings(string name) =>
        Get(name) is IReadOnlyList<object?> items && items.All(item => item is string)
            ? [.. items.Cast<string>()]
            : throw Wrong(name, "array of strings");

    private object? Get(string name) =>
        _members.TryGetValue(name, out var value) ? value : throw XmlRpcVenueBackend.Shape(_operation, $"member '{name}' is missing");

    private ProtocolErrorException Wrong(string name, string type) =>
        XmlRpcVenueBackend.Shape(_operation, $"member '{name}' is not a {type}");
}
