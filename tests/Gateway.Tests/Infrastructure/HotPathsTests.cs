using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.Tests.Infrastructure;

public sealed class HotPathsTests
{
    [Fact]
    public async Task AHotPathThatFails_AnswersAProblemAndTheNextRequestIsServed()
    {
        var path = new FailingOnce();
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<IHotPath>(path));

        using var failed = await gateway.Client.GetAsync("/api/v1/performances/1001/failing");
        using var next = await gateway.Client.GetAsync("/api/v1/performances/1001/failing");

        await Problems.AssertAsync(failed, HttpStatusCode.InternalServerError, "internal_error");
        Assert.Equal("nosniff", failed.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        Assert.Equal(2, path.Calls);
    }

    [Theory]
    [InlineData("/api/v1/performances/1001/failing/extra")]
    [InlineData("/api/v1/performances/10x1/failing")]
    [InlineData("/api/v1/performances//failing")]
    [InlineData("/api/v1/performances/99999999999/failing")]
    [InlineData("/api/v2/performances/1001/failing")]
    public async Task APathRoutingWouldNotMatchAsItsRoute_IsLeftToTheEndpoints(string url)
    {
        var path = new FailingOnce();
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<IHotPath>(path));

        using var response = await gateway.Client.GetAsync(url);

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, path.Calls);
    }

    [Theory]
    [InlineData("/api/v1/performances/1001/FAILING")]
    [InlineData("/API/V1/Performances/1001/failing/")]
    public async Task APathInAnyCaseOrWithATrailingSlash_IsTheHotPaths(string url)
    {
        var path = new FailingOnce { Failed = true };
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<IHotPath>(path));

        using var response = await gateway.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1001, path.LastPerformance);
    }

    /// <summary>Throws on its first request, then answers 202.</summary>
    private sealed class FailingOnce : IHotPath
    {
        public bool Failed { get; set; }

        public int Calls { get; private set; }

        public int LastPerformance { get; private set; }

        public string Segment => "failing";

        public string? MetricsRoute => "/api/v1/performances/{performanceId}/failing";

        public IResult? Find(HttpContext context, int performanceId)
        {
            Calls++;
            LastPerformance = performanceId;
            if (!Failed)
            {
                Failed = true;
                throw new InvalidOperationException("a bug on the hot path");
            }

            return Results.Accepted();
        }
    }
}
