using System.Text;
using System.Xml.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OnSale.LegacyAdapters.XmlRpc;
using OnSale.Tests.Common.Generators;

namespace OnSale.LegacyAdapters.Tests.XmlRpc;

public sealed class XmlRpcCodecTests
{
    [Fact]
    public void WriteCall_AllParameterTypes_WritesSpecTypes()
    {
        var xml = Encoding.UTF8.GetString(XmlRpcCodec.WriteCall(
            "venue.x", 42, "a<b", true, new DateTimeOffset(2026, 11, 22, 9, 5, 7, TimeSpan.FromHours(1))));

        Assert.Contains("<value><int>42</int></value>", xml, StringComparison.Ordinal);
        Assert.Contains("<value><string>a&lt;b</string></value>", xml, StringComparison.Ordinal);
        Assert.Contains("<value><boolean>1</boolean></value>", xml, StringComparison.Ordinal);
        Assert.Contains("<value><dateTime.iso8601>20261122T08:05:07</dateTime.iso8601></value>", xml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<int>-7</int>", -7)]
    [InlineData("<i4>12</i4>", 12)]
    [InlineData("<i8>9000000000</i8>", 9_000_000_000L)]
    [InlineData("<boolean>0</boolean>", false)]
    [InlineData("<string> padded </string>", " padded ")]
    [InlineData("untyped", "untyped")]
    [InlineData("<double>1.5</double>", 1.5)]
    public void ReadResponse_ScalarTypes_DecodeToClrValues(string value, object expected)
    {
        Assert.Equal(expected, Read($"<value>{value}</value>"));
    }

    [Theory]
    [InlineData("20261122T09:00:00")]
    [InlineData("20261122T09:00:00Z")]
    [InlineData("2026-11-22T09:00:00")]
    public void ReadResponse_DateTimeForms_DecodeAsUtc(string text)
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), Read($"<value><dateTime.iso8601>{text}</dateTime.iso8601></value>"));
    }

    [Fact]
    public void ReadResponse_Base64AndNil_Decode()
    {
        Assert.Equal("hi"u8.ToArray(), Read("<value><base64>aGk=</base64></value>"));
        Assert.Null(Read("<value><nil/></value>"));
    }

    [Fact]
    public void ReadResponse_StructOfArray_DecodesNested()
    {
        var value = Read("<value><struct><member><name>seats</name><value><array><data><value>A-1</value><value><string>A-2</string></value></data></array></value></member></struct></value>");

        var members = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(value);
        Assert.Equal(["A-1", "A-2"], Assert.IsAssignableFrom<IReadOnlyList<object?>>(members["seats"]));
    }

    [Fact]
    public void ReadResponse_ValuesNestedDeeperThanMaxDepth_Throws()
    {
        var levels = XmlRpcCodec.MaxDepth + 1;
        var nested = string.Concat(Enumerable.Repeat("<value><array><data>", levels)) + "<value>1</value>" + string.Concat(Enumerable.Repeat("</data></array></value>", levels));

        var error = Assert.Throws<XmlRpcFormatException>(() => Read(nested));

        Assert.Contains($"deeper than {XmlRpcCodec.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadResponse_Fault_ReturnsCodeAndMessage()
    {
        var document = XDocument.Parse("<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>201</int></value></member><member><name>faultString</name><value><string>Not enough seats: 3 available</string></value></member></struct></value></fault></methodResponse>");

        XmlRpcCodec.ReadResponse(document, out var fault);

        Assert.Equal(new XmlRpcFault(201, "Not enough seats: 3 available"), fault);
    }

    [Theory]
    [InlineData("<methodResponse><fault><value><struct><member><name>faultCode</name><value><string>x</string></value></member><member><name>faultString</name><value>m</value></member></struct></value></fault></methodResponse>")]
    [InlineData("<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>")]
    [InlineData("<methodCall><methodName>x</methodName></methodCall>")]
    [InlineData("<methodResponse></methodResponse>")]
    [InlineData("<methodResponse><params><param><value><dateTime.iso8601>yesterday</dateTime.iso8601></value></param></params></methodResponse>")]
    public void ReadResponse_OffSpec_Throws(string xml)
    {
        Assert.Throws<XmlRpcFormatException>(() => XmlRpcCodec.ReadResponse(XDocument.Parse(xml), out _));
    }

    [Theory]
    [InlineData(VenueOperation.GetNewSessionKey, "venue.getNewSessionKey")]
    [InlineData(VenueOperation.ReserveTickets, "venue.reserveTickets")]
    [InlineData(VenueOperation.FindOrder, "venue.findOrder")]
    public void MethodName_Operation_IsVenueLowerCamel(VenueOperation operation, string expected)
    {
        Assert.Equal(expected, XmlRpcVenueBackend.MethodName(operation));
    }

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property WriteCall_AnyParameters_ReadBackAsWritten() => Prop.ForAll(XmlRpcValues.Parameters(), parameters =>
    {
        var call = Load(XmlRpcCodec.WriteCall("venue.x", [.. parameters.Items.Select(p => p!)]));

        // The reader reads responses; a parameter's <value> is the same XML as a return value's.
        var read = call.Root!.Element("params")!.Elements("param")
            .Select(param => XmlRpcCodec.ReadResponse(new XDocument(new XElement("methodResponse", new XElement("params", param))), out _))
            .ToList();

        Assert.Equal(XmlRpcValues.Describe(parameters), XmlRpcValues.Describe(read));
    });

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property ReadResponse_AnyValueTheBackendWrites_ReadsTheSameValue() => Prop.ForAll(XmlRpcValues.Values(), value =>
    {
        // Arrays and structs only ever travel from the backend, so the mock backend's codec writes them.
        var read = XmlRpcCodec.ReadResponse(Load(XmlRpcValues.WrittenByTheMock(value)), out var fault);

        Assert.Null(fault);
        Assert.Equal(XmlRpcValues.Describe(value), XmlRpcValues.Describe(read));
    });

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property ReadResponse_AnyBytes_ReadsAValueOrRefuses() =>
        Prop.ForAll(HostileBytes.Documents(), document => AssertReadsOrRefuses(document.Bytes));

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property ReadResponse_AnyMutationOfAValidResponse_ReadsAValueOrRefuses()
    {
        var valid = Gen.OneOf(
            Gen.Constant(Encoding.UTF8.GetBytes(Hostile.WireSamples.XmlRpcFault(201, "Not enough seats: 3 available"))),
            XmlRpcValues.Values().Generator.Select(XmlRpcValues.WrittenByTheMock));
        return Prop.ForAll(HostileBytes.Mutations(valid), mutation => AssertReadsOrRefuses(mutation.Apply()));
    }

    // What the binding does with an answer's bytes: HardenedXml refuses what is not safe, well-formed XML
    // (ProtocolErrorException), the codec what is not XML-RPC (XmlRpcFormatException). Nothing else may escape.
    private static void AssertReadsOrRefuses(byte[] body)
    {
        var outcome = PropertyRuns.Outcome(() => XmlRpcCodec.ReadResponse(Load(body), out _));

        Assert.True(
            outcome is null or ProtocolErrorException or XmlRpcFormatException,
            $"expected a value, {nameof(ProtocolErrorException)} or {nameof(XmlRpcFormatException)}, got {outcome}");
    }

    private static XDocument Load(byte[] body) => HardenedXml.Load(body, new VenueBackendOptions().MaxResponseBytes, VenueOperation.GetAvailability);

    private static object? Read(string value)
    {
        var result = XmlRpcCodec.ReadResponse(XDocument.Parse($"<methodResponse><params><param>{value}</param></params></methodResponse>"), out var fault);
        Assert.Null(fault);
        return result;
    }
}
