using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OnSale.Mocks.VenueBackend.XmlRpc;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Generators;

namespace OnSale.Mocks.VenueBackend.Tests.XmlRpc;

public class XmlRpcCodecTests
{
    private static XmlRpcCall Read(string xml) => XmlRpcCodec.ReadCall(Encoding.UTF8.GetBytes(xml));

    private static string Call(params string[] values) =>
        "<methodCall><methodName>m</methodName><params>" + string.Concat(values.Select(v => $"<param><value>{v}</value></param>")) + "</params></methodCall>";

    [Fact]
    public void ReadCall_PythonStyleRequest_ReadsMethodAndTypedParams()
    {
        var call = Read(XmlRpcTestClient.MethodCall("venue.reserveTickets", "abc", 1001, 1, 2));

        Assert.Equal("venue.reserveTickets", call.MethodName);
        Assert.Equal(["abc", 1001, 1, 2], call.Params);
    }

    [Fact]
    public void ReadCall_I4AndUntypedText_ReadAsIntAndString()
    {
        var call = Read(Call("<i4>-7</i4>", "plain text", "", "<string/>"));

        Assert.Equal([-7, "plain text", "", ""], call.Params);
    }

    [Fact]
    public void ReadCall_EveryValueType_Decodes()
    {
        var call = Read(Call(
            "<boolean>1</boolean>",
            "<double>1.5</double>",
            "<dateTime.iso8601>20261122T09:00:00</dateTime.iso8601>",
            "<base64>AQID</base64>",
            "<struct><member><name>a</name><value><int>1</int></value></member></struct>",
            "<array><data><value><int>1</int></value><value>x</value></data></array>",
            "<nil/>"));

        Assert.Equal(true, call.Params[0]);
        Assert.Equal(1.5, call.Params[1]);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), call.Params[2]);
        Assert.Equal(new byte[] { 1, 2, 3 }, call.Params[3]);
        Assert.Equal(1, ((XmlRpcStruct)call.Params[4]!)["a"]);
        Assert.Equal(new object[] { 1, "x" }, (List<object?>)call.Params[5]!);
        Assert.Null(call.Params[6]);
    }

    [Fact]
    public void ReadCall_NoParamsElement_HasNoParams()
    {
        Assert.Empty(Read("<methodCall><methodName>venue.getPerformances</methodName></methodCall>").Params);
    }

    [Theory]
    [InlineData("not xml at all")]
    [InlineData("<methodResponse/>")]
    [InlineData("<methodCall><params/></methodCall>")]
    [InlineData("<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param><value><int>x</int></value></param></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param><value><int>99999999999</int></value></param></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param><value><boolean>true</boolean></value></param></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param><value><float>1</float></value></param></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param/></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><params><param><value><array><value/></array></value></param></params></methodCall>")]
    [InlineData("<methodCall><methodName>m</methodName><extra/></methodCall>")]
    public void ReadCall_NotAMethodCall_ThrowsParseError(string xml)
    {
        Assert.Throws<XmlRpcParseException>(() => Read(xml));
    }

    [Fact]
    public void ReadCall_Doctype_ThrowsParseErrorWithoutExpanding()
    {
        const string Bomb = "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><methodCall><methodName>&b;</methodName></methodCall>";

        var ex = Assert.Throws<XmlRpcParseException>(() => Read(Bomb));
        Assert.Contains("DTD", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteResponse_String_IsTheSpecsShape()
    {
        var text = Encoding.UTF8.GetString(XmlRpcCodec.WriteResponse("South Dakota"));

        Assert.Equal("<?xml version=\"1.0\"?><methodResponse><params><param><value><string>South Dakota</string></value></param></params></methodResponse>", text);
    }

    [Fact]
    public void WriteResponse_StructWithEveryContractType_UsesTheContractsEncodings()
    {
        var value = new XmlRpcStruct(
        [
            new("n", 5),
            new("ok", true),
            new("at", new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.FromHours(1))),
            new("seats", new[] { "A-1", "A-2" }),
            new("s", "<&>"),
        ]);

        var text = Encoding.UTF8.GetString(XmlRpcCodec.WriteResponse(value));

        Assert.Equal(
            "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>" +
            "<member><name>n</name><value><int>5</int></value></member>" +
            "<member><name>ok</name><value><boolean>1</boolean></value></member>" +
            "<member><name>at</name><value><dateTime.iso8601>20261122T09:00:00</dateTime.iso8601></value></member>" +
            "<member><name>seats</name><value><array><data><value><string>A-1</string></value><value><string>A-2</string></value></data></array></value></member>" +
            "<member><name>s</name><value><string>&lt;&amp;&gt;</string></value></member>" +
            "</struct></value></param></params></methodResponse>",
            text);
    }

    [Fact]
    public void WriteFault_CodeAndMessage_IsAStandardFaultStruct()
    {
        var text = Encoding.UTF8.GetString(XmlRpcCodec.WriteFault(201, "Not enough seats: 3 available"));

        Assert.Equal(
            "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>" +
            "<member><name>faultCode</name><value><int>201</int></value></member>" +
            "<member><name>faultString</name><value><string>Not enough seats: 3 available</string></value></member>" +
            "</struct></value></fault></methodResponse>",
            text);
    }

    [Fact]
    public void WriteResponse_ThenReadAsParam_RoundTrips()
    {
        var original = new XmlRpcStruct([new("a", 1), new("b", new List<object?> { "x", false, 2.5 })]);
        var response = Encoding.UTF8.GetString(XmlRpcCodec.WriteResponse(original));
        var asCall = response.Replace("methodResponse>", "methodCall>", StringComparison.Ordinal)
            .Replace("<methodCall>", "<methodCall><methodName>m</methodName>", StringComparison.Ordinal);

        var read = (XmlRpcStruct)Read(asCall).Params.Single()!;

        Assert.Equal(1, read["a"]);
        Assert.Equal(new object[] { "x", false, 2.5 }, (List<object?>)read["b"]!);
    }

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property WriteResponse_AnyContractValue_ReadsBackAsWritten() => Prop.ForAll(XmlRpcValues.Values(), value =>
    {
        var read = XmlRpcCodec.ReadCall(AsCall(XmlRpcCodec.WriteResponse(XmlRpcValues.ToMock(value)))).Params.Single();

        Assert.Equal(XmlRpcValues.Describe(value), XmlRpcValues.Describe(read));
    });

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property ReadCall_AnyBytes_ReadsACallOrThrowsParseError() =>
        Prop.ForAll(HostileBytes.Documents(), document => AssertReadsOrRefuses(document.Bytes));

    [Property(MaxTest = 300, Replay = PropertyRuns.Replay)]
    public Property ReadCall_AnyMutationOfAValidCall_ReadsACallOrThrowsParseError()
    {
        var valid = Gen.OneOf(
            Gen.Constant(Encoding.UTF8.GetBytes(XmlRpcTestClient.MethodCall("venue.reserveTickets", "abc", 1001, 1, 2))),
            XmlRpcValues.Values().Generator.Select(value => AsCall(XmlRpcCodec.WriteResponse(XmlRpcValues.ToMock(value)))));
        return Prop.ForAll(HostileBytes.Mutations(valid), mutation => AssertReadsOrRefuses(mutation.Apply()));
    }

    private static void AssertReadsOrRefuses(byte[] body)
    {
        var outcome = PropertyRuns.Outcome(() => XmlRpcCodec.ReadCall(body));

        Assert.True(outcome is null or XmlRpcParseException, $"expected a call or {nameof(XmlRpcParseException)}, got {outcome}");
    }

    // The codec writes responses and reads calls; the value inside is the same XML either way. Only the fixed
    // envelope changes, byte for byte, so the value's own bytes reach the reader untouched.
    private static byte[] AsCall(byte[] response)
    {
        const string Head = "<?xml version=\"1.0\"?><methodResponse><params>";
        const string Tail = "</params></methodResponse>";
        var text = Encoding.UTF8.GetString(response);
        Assert.StartsWith(Head, text, StringComparison.Ordinal);
        Assert.EndsWith(Tail, text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes("<methodCall><methodName>m</methodName><params>" + text[Head.Length..^Tail.Length] + "</params></methodCall>");
    }
}
