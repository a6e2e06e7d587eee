using System.Diagnostics;
using System.Net;
using System.Xml.Linq;
using Microsoft.Extensions.Time.Testing;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.Time;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Mocks.VenueBackend.Tests.XmlRpc;

public sealed class XmlRpcServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestInventory.Start);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MockBackendHost _host = null!;
    private XmlRpcTestClient _rpc = null!;

    public async Task InitializeAsync()
    {
        _host = await MockBackendHost.StartAsync(_time);
        _rpc = new XmlRpcTestClient(_http, _host.XmlRpcUrl);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task HandleAsync_GetNewSessionKey_ReturnsAString()
    {
        var answer = await _rpc.CallAsync("venue.getNewSessionKey");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("text/xml; charset=utf-8", answer.ContentType);
        Assert.StartsWith("<?xml version=\"1.0\"?><methodResponse><params><param><value><string>", answer.Body, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", (string)answer.Value!);
    }

    [Fact]
    public async Task HandleAsync_GetPerformances_ReturnsStructsWithContractFields()
    {
        var performances = (await _rpc.CallAsync("venue.getPerformances")).Array.Cast<Dictionary<string, object?>>().ToList();

        Assert.Equal(4, performances.Count);
        var stadium = performances.Single(p => (int)p["id"]! == 2001);
        Assert.Equal(["id", "title", "venue", "startsAt", "onSaleAt"], stadium.Keys);
        Assert.Equal("Stadium Tour 2027", stadium["title"]);
        Assert.Equal(TestInventory.Start.AddMinutes(2), stadium["onSaleAt"]);
    }

    [Fact]
    public async Task HandleAsync_GetAvailability_ReturnsZoneStructs()
    {
        var zones = (await _rpc.CallAsync("venue.getAvailability", 2001)).Array.Cast<Dictionary<string, object?>>().ToList();

        Assert.Equal(["zoneId", "name", "priceCents", "capacity", "available"], zones[0].Keys);
        Assert.Equal(50_000, zones.Sum(z => (int)z["capacity"]!));
        Assert.Equal(50_000, zones.Sum(z => (int)z["available"]!));
    }

    [Fact]
    public async Task HandleAsync_ReserveReleaseCheckoutFindOrder_FollowTheContract()
    {
        var key = await _rpc.NewSessionKeyAsync();

        var hold = (await _rpc.CallAsync("venue.reserveTickets", key, 1001, 2, 2)).Struct;
        var released = await _rpc.CallAsync("venue.releaseTickets", key, (int)hold["lineItemId"]!);
        var second = (await _rpc.CallAsync("venue.reserveTickets", key, 1001, 2, 3)).Struct;
        var order = (await _rpc.CallAsync("venue.checkout", key, "tok_visa", "rpc-1")).Struct;
        var found = (await _rpc.CallAsync("venue.findOrder", "rpc-1")).Struct;

        Assert.Equal(["lineItemId", "performanceId", "zoneId", "quantity", "seats", "expiresAt"], hold.Keys);
        Assert.Equal(new object[] { "A-1", "A-2" }, (List<object?>)hold["seats"]!);
        Assert.Equal(TestInventory.Start.AddMinutes(10), hold["expiresAt"]);
        Assert.Contains("<boolean>1</boolean>", released.Body, StringComparison.Ordinal);
        Assert.Equal(true, released.Value);
        Assert.Equal(3, second["quantity"]);
        Assert.Equal(["orderId", "clientReference", "performanceId", "zoneId", "seats", "totalCents"], order.Keys);
        Assert.Equal(50001, order["orderId"]);
        Assert.Equal(3 * 4500, order["totalCents"]);
        Assert.Equal(order["orderId"], found["orderId"]);
        Assert.Contains("<dateTime.iso8601>20261122T09:10:00</dateTime.iso8601>", (await _rpc.CallAsync("venue.reserveTickets", key, 1001, 1, 1)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_I4AndUntypedStringParams_AreAccepted()
    {
        var key = await _rpc.NewSessionKeyAsync();

        var answer = await _rpc.CallAsync(
            "venue.reserveTickets",
            XElement.Parse($"<value>{key}</value>"),
            XElement.Parse("<value><i4>1001</i4></value>"),
            XElement.Parse("<value><i4>1</i4></value>"),
            XElement.Parse("<value><i4>1</i4></value>"));

        Assert.Null(answer.FaultCode);
        Assert.Equal(1, answer.Struct["quantity"]);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(201)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task HandleAsync_InventoryFault_IsAStandardFaultResponseWithHttp200(int code)
    {
        var key = await _rpc.NewSessionKeyAsync();
        await _host.Control.SetAvailableAsync(1003, 1, 2);
        var answer = code switch
        {
            101 => await _rpc.CallAsync("venue.reserveTickets", "expired", 1001, 1, 1),
            201 => await _rpc.CallAsync("venue.reserveTickets", key, 1003, 1, 3),
            301 => await ReserveThen(() => _rpc.CallAsync("venue.checkout", key, "tok_declined", "r")),
            302 => await _rpc.CallAsync("venue.checkout", key, "tok_visa", "r"),
            404 => await _rpc.CallAsync("venue.findOrder", "nope"),
            _ => await _rpc.CallAsync("venue.reserveTickets", key, 1001, 1, 11),
        };

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(code, answer.FaultCode);
        Assert.False(string.IsNullOrEmpty(answer.FaultString));
        if (code == 201)
        {
            Assert.Equal("Not enough seats: 2 available", answer.FaultString);
        }

        async Task<XmlRpcAnswer> ReserveThen(Func<Task<XmlRpcAnswer>> next)
        {
            await _rpc.CallAsync("venue.reserveTickets", key, 1001, 1, 1);
            return await next();
        }
    }

    [Fact]
    public async Task HandleAsync_WrongParameterCount_Faults422()
    {
        var answer = await _rpc.CallAsync("venue.getAvailability");

        Assert.Equal(422, answer.FaultCode);
        Assert.Equal("venue.getAvailability expects 1 parameter(s) (performanceId int), got 0", answer.FaultString);
    }

    [Fact]
    public async Task HandleAsync_StringWhereIntExpected_Faults422()
    {
        var answer = await _rpc.CallAsync("venue.getAvailability", "1001");

        Assert.Equal(422, answer.FaultCode);
        Assert.Equal("venue.getAvailability: parameter 1 (performanceId) must be int, got string", answer.FaultString);
    }

    [Fact]
    public async Task HandleAsync_IntWhereStringExpected_Faults422()
    {
        var answer = await _rpc.CallAsync("venue.findOrder", 5);

        Assert.Equal(422, answer.FaultCode);
    }

    [Fact]
    public async Task HandleAsync_UnknownMethod_FaultsMinus32601()
    {
        var answer = await _rpc.CallAsync("venue.buyEverything");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(-32601, answer.FaultCode);
    }

    [Theory]
    [InlineData("this is not xml")]
    [InlineData("<?xml version=\"1.0\"?><methodResponse/>")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE methodCall [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><methodCall><methodName>&x;</methodName></methodCall>")]
    public async Task HandleAsync_MalformedOrDoctype_FaultsMinus32700(string body)
    {
        var answer = await _rpc.SendAsync(body);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(-32700, answer.FaultCode);
        Assert.DoesNotContain("root:", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_SameInventoryAsSoap_SeesSoapHolds()
    {
        var soap = new SoapTestClient(_http, _host.SoapUrl);
        var key = await soap.NewSessionKeyAsync();
        await soap.CallAsync("ReserveTickets", ("sessionKey", key), ("performanceId", 1003), ("zoneId", 1), ("quantity", 4));

        var zones = (await _rpc.CallAsync("venue.getAvailability", 1003)).Array.Cast<Dictionary<string, object?>>();
        var hold = (await _rpc.CallAsync("venue.checkout", key, "tok_visa", "cross-1")).Struct;

        Assert.Equal(116, zones.Single()["available"]);
        Assert.Equal(4, ((List<object?>)hold["seats"]!).Count);
    }

    [Fact]
    public async Task HandleAsync_PythonXmlRpcClient_TalksToTheMock()
    {
        const string Script = """
            import sys, xmlrpc.client as x
            p = x.ServerProxy(sys.argv[1])
            k = p.venue.getNewSessionKey()
            assert len(k) == 32
            assert [q['id'] for q in p.venue.getPerformances()] == [1001, 1002, 1003, 2001]
            assert sum(z['available'] for z in p.venue.getAvailability(2001)) == 50000
            h = p.venue.reserveTickets(k, 1002, 2, 2)
            assert h['seats'] == ['A-1', 'A-2'] and isinstance(h['expiresAt'], x.DateTime)
            assert p.venue.releaseTickets(k, h['lineItemId']) is True
            p.venue.reserveTickets(k, 1002, 2, 1)
            o = p.venue.checkout(k, 'tok_visa', 'py-1')
            assert o == p.venue.findOrder('py-1') and o['totalCents'] == 7500
            try:
                p.venue.findOrder('missing')
                raise SystemExit('no fault')
            except x.Fault as f:
                assert f.faultCode == 404, f.faultCode
            try:
                p.venue.nope()
                raise SystemExit('no fault')
            except x.Fault as f:
                assert f.faultCode == -32601, f.faultCode
            print('ok')
            """;
        var scriptPath = Path.Combine(Path.GetTempPath(), $"venue-xmlrpc-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(scriptPath, Script);
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3", [scriptPath, _host.XmlRpcUrl.ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var output = python.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = python.StandardError.ReadToEndAsync(timeout.Token);
            await python.WaitForExitAsync(timeout.Token);

            Assert.True(python.ExitCode == 0, $"python3 failed: {await error}");
            Assert.Equal("ok", (await output).Trim());
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }
}
