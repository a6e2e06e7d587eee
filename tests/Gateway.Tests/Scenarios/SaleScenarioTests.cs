using System.Net;
using System.Text.Json;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OnSale.Gateway.Tests.Scenarios;

/// <summary>
/// Small on-sales with WireMock.Net between the gateway and the mock: it passes calls through, or lets the real
/// backend act and then delays, corrupts or loses what comes back; an outage or refused calls are the mock's own
/// faults. After each sale the invariants are checked against the mock's own books: nothing oversold, every 202 ends
/// confirmed or failed, confirmed purchases equal backend orders.
/// </summary>
public sealed class SaleScenarioTests : IAsyncLifetime
{
    private const int Buyers = 24;
    private const int SeatsOnSale = 18;

    private static readonly Dictionary<string, string?> FastSettings = new()
    {
        ["Gateway:Http:RequestDeadline"] = "00:00:01.500",
        ["Gateway:Resilience:AttemptTimeout"] = "00:00:00.600",
        ["Gateway:Resilience:MinimumThroughput"] = "5",
        ["Gateway:Resilience:SamplingDuration"] = "00:00:02",
        ["Gateway:Resilience:BreakDuration"] = "00:00:00.500",
        ["Gateway:Resilience:ReadRetries"] = "1",
        ["Gateway:Purchasing:ParkReserve"] = "00:00:00.400",
        ["Gateway:Purchasing:ReplayMaxBackoff"] = "00:00:01",
        ["Gateway:Availability:FreshFor"] = "00:00:00.500",
    };

    private readonly Random _random = new(20261122);
    private MockBackendHost _mock = null!;
    private WireMockServer _proxy = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockBackendHost.StartAsync();
        _proxy = WireMockLoopback.Start();
        await PassThrough();
        _gateway = await GatewayHost.StartAsync(mock: _mock, backendUrl: new Uri(_proxy.Url + "/VenueService.svc"), settings: FastSettings);
        await _mock.Control.SetAvailableAsync(1001, 1, SeatsOnSale);
        await _gateway.KnowAvailabilityAsync(1001);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _proxy.Dispose();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task OutageMidSale_BuyersParkedThenSettled_InvariantsHold()
    {
        var results = await SellAsync(buyer => buyer switch
        {
            8 => _mock.Control.SetFaultsAsync(new FaultSettings { Outage = true }),
            16 => _mock.Control.ClearFaultsAsync(),
            _ => Task.CompletedTask,
        });

        Assert.Contains(results, r => r.Status == HttpStatusCode.Accepted);
        await AssertInvariantsAsync(results);
    }

    [Fact]
    public async Task SlowBackend_AnswersLaterThanTheDeadline_InvariantsHold()
    {
        var results = await SellAsync(buyer => buyer switch
        {
            4 => AnswerLate(TimeSpan.FromMilliseconds(900)),
            14 => PassThrough(),
            _ => Task.CompletedTask,
        });

        Assert.Contains(results, r => r.Status == HttpStatusCode.Accepted);
        await AssertInvariantsAsync(results);
    }

    [Fact]
    public async Task FlappingBackend_HalfTheCallsRefused_InvariantsHold()
    {
        var results = await SellAsync(buyer => buyer switch
        {
            0 => _mock.Control.SetFaultsAsync(new FaultSettings { ErrorRate = 0.5 }),
            18 => _mock.Control.ClearFaultsAsync(),
            _ => Task.CompletedTask,
        });

        await AssertInvariantsAsync(results);
    }

    [Fact]
    public async Task HostileAnswers_IncludingLostCheckoutAnswers_InvariantsHold()
    {
        var results = await SellAsync(buyer => buyer switch
        {
            4 => AnswerWithHostility(),
            16 => PassThrough(),
            _ => Task.CompletedTask,
        });

        await AssertInvariantsAsync(results);
        Assert.Contains(_proxy.LogEntries, e => e.RequestMessage.Body?.Contains("<FindOrder", StringComparison.Ordinal) == true);
    }

    /// <summary>Every call goes to the mock and its answer comes back unchanged.</summary>
    private Task PassThrough()
    {
        _proxy.ResetMappings();
        _proxy.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithProxy(_mock.BaseAddress.ToString().TrimEnd('/')));
        return Task.CompletedTask;
    }

    /// <summary>The backend acts at once, its answer arrives late.</summary>
    private Task AnswerLate(TimeSpan delay)
    {
        _proxy.ResetMappings();
        _proxy.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(async request =>
        {
            var answer = await WireMockLoopback.ForwardAsync(request, _mock.BaseAddress);
            await Task.Delay(delay);
            return answer;
        }));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every checkout reaches the backend and then its answer is garbage (the order exists; the gateway cannot know).
    /// Half of the reads (availability, FindOrder) get garbage of every kind instead of an answer. Sessions and holds
    /// pass, so that buyers do reach checkout while the breaker sees a minority of failures.
    /// </summary>
    private Task AnswerWithHostility()
    {
        _proxy.ResetMappings();
        _proxy.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(HostileAsync));
        return Task.CompletedTask;
    }

    private async Task<IResponseMessage> HostileAsync(IRequestMessage request)
    {
        var body = request.Body ?? string.Empty;
        if (request.Headers?.TryGetValue("SOAPAction", out var action) == true && action.ToString().Contains("/Checkout", StringComparison.Ordinal))
        {
            await WireMockLoopback.ForwardAsync(request, _mock.BaseAddress);
            return WireMockLoopback.Answer(200, "text/xml; charset=utf-8", "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><CheckoutResp");
        }

        if (body.Contains("<GetNewSessionKey", StringComparison.Ordinal) || body.Contains("<ReserveTickets", StringComparison.Ordinal))
        {
            return await WireMockLoopback.ForwardAsync(request, _mock.BaseAddress);
        }

        int pick;
        lock (_random)
        {
            pick = _random.Next(8);
        }

        return pick switch
        {
            0 => WireMockLoopback.Answer(200, "text/xml; charset=utf-8", "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>"),
            1 => WireMockLoopback.Answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>"),
            2 => WireMockLoopback.Answer(200, "application/json", "{\"error\": true}"),
            3 => WireMockLoopback.Answer(200, "text/xml; charset=utf-8", "<soap:Envelope><soap:Body>"),
            _ => await WireMockLoopback.ForwardAsync(request, _mock.BaseAddress),
        };
    }

    private async Task<List<(HttpStatusCode Status, JsonElement Body, int Quantity)>> SellAsync(Func<int, Task> beforeBuyer)
    {
        var results = new List<(HttpStatusCode, JsonElement, int)>();
        using var concurrency = new SemaphoreSlim(4);
        var buyers = new List<Task>();
        for (var i = 0; i < Buyers; i++)
        {
            await concurrency.WaitAsync();
            await beforeBuyer(i);
            var quantity = i % 2 + 1;
            buyers.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await _gateway.PurchaseAsync(Requests.Purchase(1001, 1, quantity));
                    var body = await GatewayHost.JsonAsync(response);
                    lock (results)
                    {
                        results.Add((response.StatusCode, body, quantity));
                    }
                }
                finally
                {
                    concurrency.Release();
                }
            }));
        }

        await Task.WhenAll(buyers);
        await _mock.Control.ClearFaultsAsync();
        await PassThrough();
        return results;
    }

    private async Task AssertInvariantsAsync(List<(HttpStatusCode Status, JsonElement Body, int Quantity)> results)
    {
        Assert.All(results, r => Assert.Contains(r.Status, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted, HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable }));

        var confirmed = new Dictionary<string, (int OrderId, int Quantity)>();
        foreach (var (status, body, quantity) in results)
        {
            if (status == HttpStatusCode.Created)
            {
                confirmed[body.GetProperty("purchaseId").GetString()!] = (body.GetProperty("orderId").GetInt32(), quantity);
            }
            else if (status == HttpStatusCode.Accepted)
            {
                var id = body.GetProperty("purchaseId").GetString()!;
                var settled = await Eventually.HoldsAsync(
                    () => _gateway.GetJsonAsync($"/api/v1/purchases/{id}"),
                    p => p.GetProperty("status").GetString() is "confirmed" or "failed",
                    $"202 purchase {id} reaches a terminal state");
                if (settled.GetProperty("status").GetString() == "confirmed")
                {
                    confirmed[id] = (settled.GetProperty("orderId").GetInt32(), quantity);
                }
                else
                {
                    Assert.False(string.IsNullOrEmpty(settled.GetProperty("failureCode").GetString()));
                    Assert.False(string.IsNullOrEmpty(settled.GetProperty("message").GetString()));
                }
            }
        }

        var stats = await _mock.Control.GetStatsAsync();
        var orders = await _mock.Control.GetOrdersAsync();
        Assert.Equal(0, stats.Oversold);
        Assert.Equal(confirmed.Keys.Order(), orders.Select(o => o.ClientReference).Order());
        Assert.All(orders, o => Assert.Equal(confirmed[o.ClientReference].OrderId, o.OrderId));
        Assert.All(orders, o => Assert.Equal(confirmed[o.ClientReference].Quantity, o.Seats.Count));
        Assert.True(orders.Sum(o => o.Seats.Count) <= SeatsOnSale, "more seats sold than were on sale");
    }
}
