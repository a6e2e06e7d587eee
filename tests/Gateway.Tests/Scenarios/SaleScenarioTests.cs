using System.Net;
using System.Text.Json;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Stubs;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.Scenarios;

/// <summary>
/// Small on-sales through a scripted proxy between the gateway and the mock: the proxy lets the real backend act,
/// then delays, refuses, corrupts or loses what comes back. After each sale the invariants are checked against the
/// mock's own books: nothing oversold, every 202 ends confirmed or failed, confirmed purchases equal backend orders.
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
    private StubServer _proxy = null!;
    private GatewayHost _gateway = null!;
    private volatile Func<StubRequest, CancellationToken, Task<StubResponse>> _script = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockBackendHost.StartAsync();
        _proxy = await StubServer.StartAsync();
        _script = Pass;
        _proxy.RespondWith((request, ct) => _script(request, ct));
        _gateway = await GatewayHost.StartAsync(mock: _mock, backendUrl: _proxy.Url("VenueService.svc"), settings: FastSettings);
        await _mock.Control.SetAvailableAsync(1001, 1, SeatsOnSale);
        (await _gateway.Client.GetAsync("/api/v1/performances/1001/availability")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _proxy.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task OutageMidSale_BuyersParkedThenSettled_InvariantsHold()
    {
        var results = await SellAsync(buyer => _script = buyer switch
        {
            8 => Down,
            16 => Pass,
            _ => _script,
        });

        Assert.Contains(results, r => r.Status == HttpStatusCode.Accepted);
        await AssertInvariantsAsync(results);
    }

    [Fact]
    public async Task SlowBackend_AnswersLaterThanTheDeadline_InvariantsHold()
    {
        var results = await SellAsync(buyer => _script = buyer switch
        {
            4 => Slow(TimeSpan.FromMilliseconds(900)),
            14 => Pass,
            _ => _script,
        });

        Assert.Contains(results, r => r.Status == HttpStatusCode.Accepted);
        await AssertInvariantsAsync(results);
    }

    [Fact]
    public async Task FlappingBackend_HalfTheCallsRefused_InvariantsHold()
    {
        var results = await SellAsync(buyer => _script = buyer switch
        {
            0 => Flap(0.5),
            18 => Pass,
            _ => _script,
        });

        await AssertInvariantsAsync(results);
    }

    [Fact]
    public async Task HostileAnswers_IncludingLostCheckoutAnswers_InvariantsHold()
    {
        var results = await SellAsync(buyer => _script = buyer switch
        {
            4 => Hostile,
            16 => Pass,
            _ => _script,
        });

        await AssertInvariantsAsync(results);
        Assert.Contains(_proxy.Requests, r => r.Body.Contains("<FindOrder", StringComparison.Ordinal));
    }

    private static Task<StubResponse> Down(StubRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(StubResponse.Xml(SoapFault(503, "Backend unavailable", "soap:Server"), 500));

    private static string SoapFault(int code, string message, string faultCode) =>
        $"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>{faultCode}</faultcode><faultstring>{message}</faultstring><detail><VenueFault xmlns="urn:venue-backend:v1"><Code>{code}</Code><Message>{message}</Message></VenueFault></detail></soap:Fault></soap:Body></soap:Envelope>""";

    private static bool IsCheckout(StubRequest request) =>
        request.Headers.TryGetValue("SOAPAction", out var action) && action.Contains("/Checkout", StringComparison.Ordinal);

    private Task<StubResponse> Pass(StubRequest request, CancellationToken cancellationToken) =>
        StubServer.ForwardAsync(request, _mock.BaseAddress, cancellationToken);

    /// <summary>The backend acts at once, its answer arrives late.</summary>
    private Func<StubRequest, CancellationToken, Task<StubResponse>> Slow(TimeSpan delay) => async (request, cancellationToken) =>
    {
        var answer = await Pass(request, cancellationToken);
        await Task.Delay(delay, cancellationToken);
        return answer;
    };

    private Func<StubRequest, CancellationToken, Task<StubResponse>> Flap(double refusedShare) => (request, cancellationToken) =>
    {
        bool refuse;
        lock (_random)
        {
            refuse = _random.NextDouble() < refusedShare;
        }

        return refuse ? Down(request, cancellationToken) : Pass(request, cancellationToken);
    };

    /// <summary>
    /// Every checkout reaches the backend and then its answer is garbage (the order exists; the gateway cannot know).
    /// Half of the reads (availability, FindOrder) get garbage of every kind instead of an answer. Sessions and holds
    /// pass, so that buyers do reach checkout while the breaker sees a minority of failures.
    /// </summary>
    private async Task<StubResponse> Hostile(StubRequest request, CancellationToken cancellationToken)
    {
        if (IsCheckout(request))
        {
            await Pass(request, cancellationToken);
            return StubResponse.Xml("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><CheckoutResp");
        }

        if (request.Body.Contains("<GetNewSessionKey", StringComparison.Ordinal) || request.Body.Contains("<ReserveTickets", StringComparison.Ordinal))
        {
            return await Pass(request, cancellationToken);
        }

        int pick;
        lock (_random)
        {
            pick = _random.Next(8);
        }

        return pick switch
        {
            0 => StubResponse.Xml("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>"),
            1 => StubResponse.Text("<html><body>502 Bad Gateway</body></html>", "text/html", 502),
            2 => StubResponse.Text("{\"error\": true}", "application/json"),
            3 => StubResponse.Xml("<soap:Envelope><soap:Body>"),
            _ => await Pass(request, cancellationToken),
        };
    }

    private async Task<List<(HttpStatusCode Status, JsonElement Body, int Quantity)>> SellAsync(Action<int> beforeBuyer)
    {
        var results = new List<(HttpStatusCode, JsonElement, int)>();
        using var concurrency = new SemaphoreSlim(4);
        var buyers = new List<Task>();
        for (var i = 0; i < Buyers; i++)
        {
            await concurrency.WaitAsync();
            beforeBuyer(i);
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
        _script = Pass;
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
