using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace OnSale.Mocks.VenueBackend.XmlRpc;

/// <summary>An XML-RPC struct: named members in order.</summary>
internal sealed class XmlRpcStruct(IReadOnlyList<KeyValuePair<string, object?>> members)
{
    public IReadOnlyList<KeyValuePair<string, object?>> Members { get; } = members;

    public object? this[string name] => Members.FirstOrDefault(m => m.Key == name).Value;
}

/// <summary>A parsed call: method name and positional parameters.</summary>
internal sealed record XmlRpcCall(string MethodName, IReadOnlyList<object?> Params);

/// <summary>The request is not well-formed XML or not an XML-RPC methodCall (fault -32700).</summary>
internal sealed class XmlRpcParseException(string message) : Exception(message);

/// <summary>
/// A small strict XML-RPC 1.0 codec (xmlrpc.com, what Python's xmlrpc module speaks). Values map to CLR types:
/// int/i4 ↔ int, boolean ↔ bool, string or untyped text ↔ string, double ↔ double, dateTime.iso8601 ↔
/// DateTimeOffset (UTC), base64 ↔ byte[], struct ↔ <see cref="XmlRpcStruct"/>, array ↔ list, nil ↔ null.
/// </summary>
internal static class XmlRpcCodec
{
    /// <summary>Fault code for a request that does not parse (the de facto XML-RPC fault code interop spec).</summary>
    public const int ParseErrorCode = -32700;

    /// <summary>Fault code for an unknown method.</summary>
    public const int MethodNotFoundCode = -32601;

    private const string DateTimeFormat = "yyyyMMdd'T'HH':'mm':'ss";

    private static readonly byte[] Declaration = Encoding.ASCII.GetBytes("<?xml version=\"1.0\"?>");

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = true,
        Indent = false,
        NewLineHandling = NewLineHandling.Entitize, // a CR in a string is written &#xD;, which every reader keeps as CR
        CheckCharacters = true,
        ConformanceLevel = ConformanceLevel.Document,
    };

    /// <summary>Parses a methodCall; <see cref="XmlRpcParseException"/> when it is not one.</summary>
    public static XmlRpcCall ReadCall(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        XDocument document;
        try
        {
            document = XmlRequestBody.Load(body);
        }
        catch (XmlException ex)
        {
            throw new XmlRpcParseException($"Parse error: not well-formed XML (DTDs are not allowed): {ex.Message}");
        }

        var root = document.Root;
        if (root is null || root.Name != "methodCall")
        {
            throw new XmlRpcParseException("Parse error: the document is not a methodCall");
        }

        var unexpected = root.Elements().FirstOrDefault(e => e.Name != "methodName" && e.Name != "params");
        if (unexpected is not null)
        {
            throw new XmlRpcParseException($"Parse error: unexpected element <{unexpected.Name}> in methodCall");
        }

        var methodNames = root.Elements("methodName").ToList();
        if (methodNames.Count != 1 || string.IsNullOrWhiteSpace(methodNames[0].Value) || methodNames[0].HasElements)
        {
            throw new XmlRpcParseException("Parse error: methodCall needs exactly one non-empty methodName");
        }

        var paramsElements = root.Elements("params").ToList();
        if (paramsElements.Count > 1)
        {
            throw new XmlRpcParseException("Parse error: methodCall has more than one params element");
        }

        var parameters = new List<object?>();
        foreach (var param in paramsElements.SelectMany(p => p.Elements()))
        {
            if (param.Name != "param")
            {
                throw new XmlRpcParseException($"Parse error: unexpected element <{param.Name}> in params");
            }

            parameters.Add(ReadValue(SingleValue(param, "param")));
        }

        return new XmlRpcCall(methodNames[0].Value.Trim(), parameters);
    }

    /// <summary>A methodResponse holding <paramref name="value"/>.</summary>
    public static byte[] WriteResponse(object? value) => Write(writer =>
    {
        writer.WriteStartElement("methodResponse");
        writer.WriteStartElement("params");
        writer.WriteStartElement("param");
        WriteValue(writer, value);
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    /// <summary>A fault response: struct with faultCode (int) and faultString (string).</summary>
    public static byte[] WriteFault(int code, string message) => Write(writer =>
    {
        writer.WriteStartElement("methodResponse");
        writer.WriteStartElement("fault");
        WriteValue(writer, new XmlRpcStruct([new("faultCode", code), new("faultString", message)]));
        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    /// <summary>dateTime.iso8601 in UTC as the contract writes it: <c>20261122T09:00:00</c>.</summary>
    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>The XML-RPC type name of a parsed value, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "nil",
        int => "int",
        bool => "boolean",
        string => "string",
        double => "double",
        DateTimeOffset => "dateTime.iso8601",
        byte[] => "base64",
        XmlRpcStruct => "struct",
        _ => "array",
    };

    private static XElement SingleValue(XElement parent, string what)
    {
        var children = parent.Elements().ToList();
        if (children.Count != 1 || children[0].Name != "value")
        {
            throw new XmlRpcParseException($"Parse error: <{what}> must hold exactly one <value>");
        }

        return children[0];
    }

    private static object? ReadValue(XElement value)
    {
        var typed = value.Elements().ToList();
        if (typed.Count == 0)
        {
            return value.Value; // Untyped text is a string (spec: "If no type is indicated, the type is string").
        }

        if (typed.Count > 1)
        {
            throw new XmlRpcParseException("Parse error: <value> holds more than one element");
        }

        var element = typed[0];
        var text = element.Value;
        switch (element.Name.LocalName)
        {
            case "int":
            case "i4":
                return ParseScalar(element, int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i), i);
            case "boolean":
                return text.Trim() switch
                {
                    "0" => false,
                    "1" => true,
                    _ => throw Invalid(element),
                };
            case "string":
                return ParseScalar(element, true, text);
            case "double":
                return ParseScalar(element, double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d), d);
            case "dateTime.iso8601":
                var ok = DateTime.TryParseExact(text.Trim(), DateTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt);
                return ParseScalar(element, ok, new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)));
            case "base64":
                try
                {
                    return ParseScalar(element, true, Convert.FromBase64String(text.Trim()));
                }
                catch (FormatException)
                {
                    throw Invalid(element);
                }

            case "nil":
                return ParseScalar<object?>(element, text.Length == 0, null);
            case "struct":
                return ReadStruct(element);
            case "array":
                return ReadArray(element);
            default:
                throw new XmlRpcParseException($"Parse error: unknown value type <{element.Name}>");
        }
    }

    private static T ParseScalar<T>(XElement element, bool ok, T value) =>
        ok && !element.HasElements ? value : throw Invalid(element);

    private static XmlRpcStruct ReadStruct(XElement element)
    {
        var members = new List<KeyValuePair<string, object?>>();
        foreach (var member in element.Elements())
        {
            var parts = member.Elements().ToList();
            if (member.Name != "member" || parts.Count != 2 || parts[0].Name != "name" || parts[1].Name != "value" || parts[0].HasElements)
            {
                throw new XmlRpcParseException("Parse error: a struct member must be <member><name>…</name><value>…</value></member>");
            }

            var name = parts[0].Value;
            if (members.Any(m => m.Key == name))
            {
                throw new XmlRpcParseException($"Parse error: struct member '{name}' appears twice");
            }

            members.Add(new(name, ReadValue(parts[1])));
        }

        return new XmlRpcStruct(members);
    }

    private static List<object?> ReadArray(XElement element)
    {
        var data = element.Elements().ToList();
        if (data.Count != 1 || data[0].Name != "data")
        {
            throw new XmlRpcParseException("Parse error: an array must be <array><data>…</data></array>");
        }

        var items = new List<object?>();
        foreach (var item in data[0].Elements())
        {
            if (item.Name != "value")
            {
                throw new XmlRpcParseException($"Parse error: unexpected element <{item.Name}> in array data");
            }

            items.Add(ReadValue(item));
        }

        return items;
    }

    private static XmlRpcParseException Invalid(XElement element)
    {
        var text = element.Value;
        var shown = text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
        return new XmlRpcParseException($"Parse error: '{shown}' is not a valid <{element.Name}>");
    }

    private static void WriteValue(XmlWriter writer, object? value)
    {
        writer.WriteStartElement("value");
        switch (value)
        {
            case null:
                writer.WriteElementString("nil", "");
                break;
            case int i:
                writer.WriteElementString("int", XmlConvert.ToString(i));
                break;
            case bool b:
                writer.WriteElementString("boolean", b ? "1" : "0");
                break;
            case string s:
                writer.WriteElementString("string", s);
                break;
            case double d:
                writer.WriteElementString("double", d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset dto:
                writer.WriteElementString("dateTime.iso8601", FormatDateTime(dto));
                break;
            case byte[] bytes:
                writer.WriteElementString("base64", Convert.ToBase64String(bytes));
                break;
            case XmlRpcStruct @struct:
                writer.WriteStartElement("struct");
                foreach (var member in @struct.Members)
                {
                    writer.WriteStartElement("member");
                    writer.WriteElementString("name", member.Key);
                    WriteValue(writer, member.Value);
                    writer.WriteEndElement();
                }

                writer.WriteEndElement();
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartElement("array");
                writer.WriteStartElement("data");
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndElement();
                writer.WriteEndElement();
                break;
            default:
                throw new ArgumentException($"XML-RPC cannot carry a {value.GetType()}", nameof(value));
        }

        writer.WriteEndElement();
    }

    private static byte[] Write(Action<XmlWriter> write)
    {
        using var stream = new MemoryStream();
        stream.Write(Declaration);
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            write(writer);
        }

        return stream.ToArray();
    }
}
