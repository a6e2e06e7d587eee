using System.Globalization;
using System.Net;
using System.Security;
using System.Text;
using System.Xml.Linq;

namespace OnSale.Mocks.VenueBackend.Tests.Support;

/// <summary>An XML-RPC answer decoded independently of the mock's codec: a value, or a fault.</summary>
internal sealed record XmlRpcAnswer(HttpStatusCode Status, string? ContentType, string Body, object? Value, int? FaultCode, string? FaultString)
{
    public Dictionary<string, object?> Struct => (Dictionary<string, object?>)Value!;

    public List<object?> Array => (List<object?>)Value!;
}

/// <summary>Sends methodCalls shaped like Python's xmlrpc.client and decodes answers strictly.</summary>
internal sealed class XmlRpcTestClient(HttpClient http, Uri url)
{
    /// <summary>An XML-RPC value: int → &lt;int&gt;, string → &lt;string&gt;, raw XML passes through when given as XElement.</summary>
    public static string Value(object value) => value switch
    {
        int i => $"<value><int>{i.ToString(CultureInfo.InvariantCulture)}</int></value>",
        string s => $"<value><string>{SecurityElement.Escape(s)}</string></value>",
        bool b => $"<value><boolean>{(b ? 1 : 0)}</boolean></value>",
        double d => $"<value><double>{d.ToString("R", CultureInfo.InvariantCulture)}</double></value>",
        XElement raw => raw.ToString(SaveOptions.DisableFormatting),
        _ => throw new ArgumentException($"unsupported {value.GetType()}"),
    };

    public static string MethodCall(string method, params object[] parameters) =>
        "<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n" +
        string.Concat(parameters.Select(p => "<param>\n" + Value(p) + "\n</param>\n")) +
        "</params>\n</methodCall>\n";

    public Task<XmlRpcAnswer> CallAsync(string method, params object[] parameters) => SendAsync(MethodCall(method, parameters));

    public async Task<XmlRpcAnswer> SendAsync(string body, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(body, Encoding.UTF8, "text/xml");
        using var response = await http.PostAsync(url, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var contentType = response.Content.Headers.ContentType?.ToString();
        var document = XDocument.Parse(text);
        var root = document.Root!;
        Assert.Equal("methodResponse", root.Name.LocalName);
        var fault = root.Element("fault");
        if (fault is not null)
        {
            var members = (Dictionary<string, object?>)Decode(fault.Element("value")!)!;
            Assert.Equal(["faultCode", "faultString"], members.Keys.Order(StringComparer.Ordinal));
            return new XmlRpcAnswer(response.StatusCode, contentType, text, null, (int)members["faultCode"]!, (string)members["faultString"]!);
        }

        var value = root.Element("params")!.Elements("param").Single().Element("value")!;
        return new XmlRpcAnswer(response.StatusCode, contentType, text, Decode(value), null, null);
    }

    public async Task<string> NewSessionKeyAsync() => (string)(await CallAsync("venue.getNewSessionKey")).Value!;

    private static object? Decode(XElement value)
    {
        var typed = value.Elements().SingleOrDefault();
        if (typed is null)
        {
            return value.Value;
        }

        return typed.Name.LocalName switch
        {
            "int" or "i4" => int.Parse(typed.Value, CultureInfo.InvariantCulture),
            "string" => typed.Value,
            "boolean" => typed.Value switch { "1" => true, "0" => false, _ => throw new FormatException(typed.Value) },
            "dateTime.iso8601" => DateTimeOffset.ParseExact(typed.Value, "yyyyMMdd'T'HH':'mm':'ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            "array" => typed.Element("data")!.Elements("value").Select(Decode).ToList(),
            "struct" => typed.Elements("member").ToDictionary(m => m.Element("name")!.Value, m => Decode(m.Element("value")!)),
            _ => throw new FormatException($"unexpected type {typed.Name}"),
        };
    }
}
