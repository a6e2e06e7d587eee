using System.Net;
using System.Net.Http.Headers;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Hostile;

/// <summary>Limits keyed on the right thing: status polls per place in line, never per address.</summary>
public sealed class RateLimitKeyTests
{
    [Fact]
    public async Task Status_FourBuyersBehindOneAddressPollingEveryTwoSeconds_AreNeverThrottled()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, settings: new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PerClientPerMinute"] = "20", // polls do not spend the address's budget
            ["Gateway:WaitingRoom:ActivationThreshold"] = "0",
            ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
        });
        var tokens = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var joined = await gateway.PostAsync("/api/v1/performances/1001/queue", new { });
            tokens.Add((await GatewayHost.JsonAsync(joined)).GetProperty("queueToken").GetString()!);
        }

        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 30; round++)
        {
            foreach (var token in tokens)
            {
                using var response = await StatusAsync(gateway, token);
                statuses.Add(response.StatusCode);
            }

            time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal(120, statuses.Count);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Status_OneTokenPollingFasterThanItsBudget_Gets429WithRetryAfterAndOthersDoNot()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time, settings: new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:StatusPollsPerMinute"] = "6",
            ["Gateway:RateLimits:StatusPollBurst"] = "2",
            ["Gateway:WaitingRoom:ActivationThreshold"] = "0",
        });
        using var first = await gateway.PostAsync("/api/v1/performances/1001/queue", new { });
        using var second = await gateway.PostAsync("/api/v1/performances/1001/queue", new { });
        var eager = (await GatewayHost.JsonAsync(first)).GetProperty("queueToken").GetString()!;
        var calm = (await GatewayHost.JsonAsync(second)).GetProperty("queueToken").GetString()!;

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await StatusAsync(gateway, eager);
            codes.Add(response.StatusCode);
            if (response.StatusCode == (HttpStatusCode)429)
            {
                await Problems.AssertAsync(response, (HttpStatusCode)429, "rate_limited");
                Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 10);
            }
        }

        using var other = await StatusAsync(gateway, calm);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429, (HttpStatusCode)429], codes);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        time.Advance(TimeSpan.FromSeconds(10));
        using var later = await StatusAsync(gateway, eager);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    private static Task<HttpResponseMessage> StatusAsync(GatewayHost gateway, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/queue");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return gateway.Client.SendAsync(request);
    }
}
