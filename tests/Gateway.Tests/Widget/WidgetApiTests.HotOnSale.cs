using System.Net;

namespace OnSale.Gateway.Tests.Widget;

/// <summary>What the widget needs for hot on-sales: the solver script and its worker, and the venue's identity passed on.</summary>
public sealed partial class WidgetApiTests
{
    [Fact]
    public async Task Frame_AllowsItsOwnScriptAsAWorkerAndLoadsTheSolverBeforeTheApp()
    {
        using var response = await Client.GetAsync(FrameOf + Uri.EscapeDataString(WidgetGatewayFixture.VenueSite));
        var html = await response.Content.ReadAsStringAsync();
        var csp = Header(response, "Content-Security-Policy");

        Assert.Equal("'self'", Directive(csp, "worker-src"));
        Assert.Equal("'self'", Directive(csp, "script-src"));
        var solver = html.IndexOf("<script src=\"assets/proof-of-work.js?v=", StringComparison.Ordinal);
        Assert.InRange(solver, 0, html.IndexOf("<script src=\"assets/frame.js?v=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Asset_ProofOfWorkScript_IsServedAsJavaScript()
    {
        using var response = await Client.GetAsync("/widget/v1/assets/proof-of-work.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("OnSaleProofOfWork", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_IdentityFromTheLoader_IsPassedToTheApp()
    {
        const string identity = "royal-hall.1001.acct-42.1796162455.AbCdEf_-0123456789";

        using var response = await Client.GetAsync(ContractAddress + "&identity=" + identity);
        var config = Config(await response.Content.ReadAsStringAsync());

        Assert.Equal(identity, config.GetProperty("identity").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("&identity=%3Cscript%3E")]
    [InlineData("&identity=a&identity=b")]
    public async Task Frame_NoOrUnusableIdentity_GivesTheAppNone(string extra)
    {
        using var response = await Client.GetAsync(ContractAddress + extra);
        var config = Config(await response.Content.ReadAsStringAsync());

        Assert.Equal(System.Text.Json.JsonValueKind.Null, config.GetProperty("identity").ValueKind);
    }

    [Fact]
    public async Task Cors_PreflightForAJoinOfAHotOnSale_AllowsTheProofAndIdentityHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/performances/2001/queue");
        request.Headers.Add("Origin", WidgetGatewayFixture.VenueSite);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "onsale-proof-of-work, onsale-identity");

        using var response = await Client.SendAsync(request);

        var allowed = Header(response, "Access-Control-Allow-Headers").ToLowerInvariant();
        Assert.Contains("onsale-proof-of-work", allowed, StringComparison.Ordinal);
        Assert.Contains("onsale-identity", allowed, StringComparison.Ordinal);
    }
}
