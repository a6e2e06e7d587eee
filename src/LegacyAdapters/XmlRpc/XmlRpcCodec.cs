using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace OnSale.LegacyAdapters.XmlRpc;

/// <summary>An XML-RPC fault: <c>faultCode</c> and <c>faultString</c>.</summary>
internal readonly record struct XmlRpcFault(int Code, string Message);

/// <summary>
/// A small strict codec for XML-RPC 1.0 (xmlrpc.com): writes a <c>methodCall</c>, reads a <c>methodResponse</c>.
/// Values decode to <see cref="int"/>, <see cref="long"/> (i8), <see cref="bool"/>, <see cref="string"/>,
/// <see cref="double"/>, <see cref="DateTimeOffset"/> (UTC), <see cref="byte"/>[] (base64),
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> (struct), <see cref="IReadOnlyList{T}"/> (array) and
/// <see langword="null"/> (the common <c>nil</c> extension). Anything else is refused with <see cref="XmlRpcFormatException"/>.
/// </summary>
internal static class XmlRpcCodec
{
    /// <summary>Nesting deeper than this is refused, so a hostile answer cannot exhaust the stack.</summary>
    public const int MaxDepth = 32;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly string[] DateFormats =
    [
        "yyyyMMdd'T'HH:mm:ss", "yyyyMMdd'T'HH:mm:ss'Z'", "yyyyMMdd'T'HHmmss", "yyyyMMdd'T'HHmmss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'",
    ];

    public static byte[] WriteCall(string methodName, params ReadOnlySpan<object> parameters)
    {
        using var buffer = new MemoryStream(256);
        // Entitized, a CR inside a string is written &#xD; and reaches the backend as CR, not as LF.
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8NoBom, Indent = false, NewLineHandling = NewLineHandling.Entitize }))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("methodCall");
            writer.WriteElementString("methodName", methodName);
            writer.WriteStartElement("params");
            foreach (var parameter in parameters)
            {
                writer.WriteStartElement("param");
                WriteValue(writer, parameter);
                writer.WriteEndElement();
            }

            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads the single return value, or the fault, of a <c>methodResponse</c>.</summary>
    public static object? ReadResponse(XDocument document, out XmlRpcFault? fault)
    {
        fault = null;
        var root = document.Root!;
        if (root.Name != "methodResponse")
        {
            throw new XmlRpcFormatException($"expected <methodResponse>, got <{root.Name}>");
        }

        var child = SingleElement(root, "methodResponse");
        if (child.Name == "fault")
        {
            var value = Decode(SingleElement(child, "fault", "value"), depth: 0);
            fault = ReadFault(value);
            return null;
        }

        if (child.Name != "params")
        {
            throw new XmlRpcFormatException($"<methodResponse> holds <{child.Name}>; expected <params> or <fault>");
        }

        var param = SingleElement(child, "params", "param");
        return Decode(SingleElement(param, "param", "value"), depth: 0);
    }

    private static XmlRpcFault ReadFault(object? value)
    {
        if (value is not IReadOnlyDictionary<string, object?> members
            || !members.TryGetValue("faultCode", out var code)
            || !members.TryGetValue("faultString", out var message))
        {
            throw new XmlRpcFormatException("a fault must be a struct with faultCode and faultString");
        }

        return code is int number && message is string text
            ? new XmlRpcFault(number, text)
            : throw new XmlRpcFormatException("faultCode must be an int and faultString a string");
    }

    private static void WriteValue(XmlWriter writer, object value)
    {
        writer.WriteStartElement("value");
        switch (value)
        {
            case int number:
                writer.WriteElementString("int", XmlConvert.ToString(number));
                break;
            case bool flag:
                writer.WriteElementString("boolean", flag ? "1" : "0");
                break;
            case string text:
                writer.WriteElementString("string", text);
                break;
            case DateTimeOffset time:
                writer.WriteElementString("dateTime.iso8601", time.ToUniversalTime().ToString("yyyyMMdd'T'HH:mm:ss", CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"Unsupported XML-RPC parameter type {value.GetType()}.", nameof(value));
        }

        writer.WriteEndElement();
    }

    private static object? Decode(XElement value, int depth)
    {
        if (value.Name != "value")
        {
            throw new XmlRpcFormatException($"expected <value>, got <{value.Name}>");
        }

        if (depth > MaxDepth)
        {
            throw new XmlRpcFormatException($"values nest deeper than {MaxDepth} levels");
        }

        var typed = value.Elements().ToList();
        if (typed.Count == 0)
        {
            return value.Value; // A <value> without a type element is a string.
        }

        if (typed.Count > 1 || value.Nodes().OfType<XText>().Any(t => !string.IsNullOrWhiteSpace(t.Value)))
        {
            throw new XmlRpcFormatException("a <value> must hold exactly one type element and no other text");
        }

        var element = typed[0];
        var text = element.Value;
        return element.Name.LocalName switch
        {
            "int" or "i4" => Parse(text, element, s => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            "i8" => Parse(text, element, s => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            "boolean" => text.Trim() switch
            {
                "1" => true,
                "0" => false,
                _ => throw new XmlRpcFormatException($"<boolean> must be 0 or 1, got '{Truncate(text)}'"),
            },
            "string" => text,
            "double" => Parse(text, element, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)),
            "dateTime.iso8601" => Parse(text, element, s => DateTimeOffset.ParseExact(
                s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)),
            "base64" => Parse(text, element, System.Convert.FromBase64String),
            "nil" => null,
            "struct" => DecodeStruct(element, depth),
            "array" => DecodeArray(element, depth),
            _ => throw new XmlRpcFormatException($"unknown value type <{element.Name}>"),
        };
    }

    private static Dictionary<string, object?> DecodeStruct(XElement element, int depth)
    {
        var members = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var member in element.Elements())
        {
            if (member.Name != "member")
            {
                throw new XmlRpcFormatException($"<struct> holds <{member.Name}>; expected <member>");
            }

            var name = member.Element("name")?.Value ?? throw new XmlRpcFormatException("a <member> has no <name>");
            var value = member.Element("value") ?? throw new XmlRpcFormatException($"member '{name}' has no <value>");
            if (!members.TryAdd(name, Decode(value, depth + 1)))
            {
                throw new XmlRpcFormatException($"member '{name}' appears twice in a <struct>");
            }
        }

        return members;
    }

    private static List<object?> DecodeArray(XElement element, int depth)
    {
        var data = SingleElement(element, "array", "data");
        return [.. data.Elements().Select(value => Decode(value, depth + 1))];
    }

    private static XElement SingleElement(XElement parent, string parentName, string? expectedName = null)
    {
        using var children = parent.Elements().GetEnumerator();
        if (!children.MoveNext())
        {
            throw new XmlRpcFormatException($"<{parentName}> is empty");
        }

        var first = children.Current;
        if (children.MoveNext())
        {
            throw new XmlRpcFormatException($"<{parentName}> must hold exactly one element");
        }

        return expectedName is null || first.Name == expectedName
            ? first
            : throw new XmlRpcFormatException($"<{parentName}> holds <{first.Name}>; expected <{expectedName}>");
    }

    private static T Parse<T>(string text, XElement element, Func<string, T> parse)
    {
        try
        {
            return parse(text.Trim());
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new XmlRpcFormatException($"<{element.Name}> value '{Truncate(text)}' is not valid", ex);
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}

/// <summary>An XML-RPC document that breaks the spec; turned into <see cref="ProtocolErrorException"/> by the caller.</summary>
internal sealed class XmlRpcFormatException(string message, Exception? innerException = null) : Exception(message, innerException);
