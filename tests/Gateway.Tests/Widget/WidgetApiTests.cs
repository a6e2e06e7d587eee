using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OnSale.Gateway.Tests.Widget;

public sealed partial class WidgetApiTests(WidgetGatewayFixture fixture) : IClassFixture<WidgetGatewayFixture>
{
    /// <summary>The frame's address as CONTRACT.md §3 writes it, without anything the loader adds.</summary>
    private const string ContractAddress = "/widget/v1/frame?venue=royal-hall&performance=1001";

    private const string FrameOf = ContractAddress + "&host=";

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Loader_Get_ServesJavaScriptWithStrongETagAndFiveMinuteCaching()
    {
        using var response = await Client.GetAsync("/widget/v1/loader.js");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/javascript; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromSeconds(300), response.Headers.CacheControl?.MaxAge);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("onsale:resize", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loader_IfNoneMatchWithItsETag_Returns304WithoutBody()
    {
        using var first = await Client.GetAsync("/widget/v1/loader.js");
        var etag = first.Headers.ETag!;

        using var strong = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/loader.js");
        strong.Headers.IfNoneMatch.Add(etag);
        using var notModified = await Client.SendAsync(strong);
        using var weak = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/loader.js");
        weak.Headers.TryAddWithoutValidation("If-None-Match", "\"other\", W/" + etag.Tag);
        using var weakNotModified = await Client.SendAsync(weak);
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/loader.js");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-build\""));
        using var changed = await Client.SendAsync(stale);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, weakNotModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task Loader_AcceptEncodingGzip_ServesTheSameBytesCompressedWithTheirOwnETag()
    {
        using var plain = await Client.GetAsync("/widget/v1/loader.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/loader.js");
        request.Headers.AcceptEncoding.ParseAdd("gzip, br;q=0");
        using var gzipped = await Client.SendAsync(request);

        Assert.Equal("gzip", gzipped.Content.Headers.ContentEncoding.Single());
        Assert.Contains("Accept-Encoding", gzipped.Headers.Vary);
        Assert.NotEqual(plain.Headers.ETag, gzipped.Headers.ETag);
        await using var unzip = new GZipStream(await gzipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        await unzip.CopyToAsync(bytes);
        Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), bytes.ToArray());
    }

    [Theory]
    [InlineData("frame.js", "application/javascript; charset=utf-8")]
    [InlineData("frame.css", "text/css; charset=utf-8")]
    public async Task Asset_Get_ServedWithTypeETagAnd304(string name, string contentType)
    {
        using var response = await Client.GetAsync($"/widget/v1/assets/{name}");
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/widget/v1/assets/{name}");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await Client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(TimeSpan.FromSeconds(300), response.Headers.CacheControl?.MaxAge);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("loader.js")]
    [InlineData("frame.html")]
    [InlineData("..%2Fappsettings.json")]
    public async Task Asset_NotAnAsset_Returns404(string name)
    {
        using var response = await Client.GetAsync($"/widget/v1/assets/{name}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Frame_AllowedHost_ServesTheAppWithTheVenuesOriginsAsFrameAncestors()
    {
        using var response = await Client.GetAsync(FrameOf + Uri.EscapeDataString(WidgetGatewayFixture.VenueSite));
        var html = await response.Content.ReadAsStringAsync();
        var csp = Header(response, "Content-Security-Policy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($"{WidgetGatewayFixture.VenueSite} {WidgetGatewayFixture.RoyalHallSite}", Directive(csp, "frame-ancestors"));
        Assert.Equal("'self'", Directive(csp, "script-src"));
        Assert.Equal("'self'", Directive(csp, "connect-src"));
        Assert.Equal("'none'", Directive(csp, "base-uri"));
        Assert.Equal("'none'", Directive(csp, "form-action"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Matches(@"<script src=""assets/frame\.js\?v=[A-Za-z0-9_-]+"" defer></script>", html);
        Assert.Matches(@"<link rel=""stylesheet"" href=""assets/frame\.css\?v=[A-Za-z0-9_-]+"">", html);
        var config = Config(html);
        Assert.Equal("royal-hall", config.GetProperty("venue").GetString());
        Assert.Equal(1001, config.GetProperty("performanceId").GetInt32());
        Assert.Equal(WidgetGatewayFixture.VenueSite, config.GetProperty("host").GetString());
        Assert.Equal<string>([WidgetGatewayFixture.VenueSite, WidgetGatewayFixture.RoyalHallSite], Origins(config));
        Assert.Equal("GBP", config.GetProperty("currency").GetString());
        Assert.Equal("/api/v1", config.GetProperty("api").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("&host=")]
    [InlineData("&page=http%3A%2F%2F127.0.0.1%3A5070%2Fshows")]
    [InlineData("&host=http%3A%2F%2F127.0.0.1%3A5070&host=https%3A%2F%2Fevil.example")]
    public async Task Frame_ContractAddressWithoutHost_ServesTheAppThatTrustsNoParentYet(string extra)
    {
        using var response = await Client.GetAsync(ContractAddress + extra);
        var html = await response.Content.ReadAsStringAsync();
        var csp = Header(response, "Content-Security-Policy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($"{WidgetGatewayFixture.VenueSite} {WidgetGatewayFixture.RoyalHallSite}", Directive(csp, "frame-ancestors"));
        Assert.Equal("'self'", Directive(csp, "script-src"));
        Assert.Equal("'self'", Directive(csp, "connect-src"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.False(response.Headers.Contains("X-Frame-Options"));
        var config = Config(html);
        Assert.Equal(1001, config.GetProperty("performanceId").GetInt32());

        // No parent is assumed: the frame learns it from the loader's hello, checked against these origins.
        Assert.Equal(JsonValueKind.Null, config.GetProperty("host").ValueKind);
        Assert.Equal(JsonValueKind.Null, config.GetProperty("page").ValueKind);
        Assert.Equal<string>([WidgetGatewayFixture.VenueSite, WidgetGatewayFixture.RoyalHallSite], Origins(config));
    }

    [Fact]
    public async Task Frame_HostGivenWithTrailingSlashOrUpperCase_IsRecognised()
    {
        using var response = await Client.GetAsync(FrameOf + Uri.EscapeDataString("HTTPS://WWW.RoyalHall.example/") + "&purchase=p_AbC-123");
        var config = Config(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WidgetGatewayFixture.RoyalHallSite, config.GetProperty("host").GetString());
        Assert.Equal("p_AbC-123", config.GetProperty("purchaseId").GetString());
    }

    [Fact]
    public async Task Frame_HostilePage_IsJsonEscapedAndCannotCloseTheConfigBlock()
    {
        const string Hostile = WidgetGatewayFixture.VenueSite + "/shows?q=</script><script>alert(1)</script><!--&x=\"'&amp;\u2028";
        using var response = await Client.GetAsync(FrameOf + Uri.EscapeDataString(WidgetGatewayFixture.VenueSite) +
            "&page=" + Uri.EscapeDataString(Hostile + "#frag") + "&purchase=" + Uri.EscapeDataString("\"><img src=x>"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<!--", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(html, "</script>", RegexOptions.IgnoreCase).Count); // the config block, proof-of-work.js and frame.js
        var config = Config(html);
        Assert.Equal(Hostile, config.GetProperty("page").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("purchaseId").ValueKind);
    }

    [Theory]
    [InlineData("https://evil.example/royal-hall")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    public async Task Frame_PageNotOnTheHostsOrigin_IsDropped(string page)
    {
        using var response = await Client.GetAsync(FrameOf + Uri.EscapeDataString(WidgetGatewayFixture.VenueSite) + "&page=" + Uri.EscapeDataString(page));
        var config = Config(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, config.GetProperty("page").ValueKind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Frame_UnknownVenue_Returns404PageThatEchoesNothingAndMayNotBeFramed(bool withHost)
    {
        var host = withHost ? "&host=" + Uri.EscapeDataString(WidgetGatewayFixture.VenueSite) : string.Empty;
        using var response = await Client.GetAsync("/widget/v1/frame?venue=Call-0800-SCAM-to-claim-your-refund&performance=1001" + host);
        var html = await response.Content.ReadAsStringAsync();
        var csp = Header(response, "Content-Security-Policy");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("This widget is not set up for this site", html, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAM", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("refund", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("'none'", Directive(csp, "frame-ancestors"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("'none'", Directive(csp, "default-src"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(WidgetGatewayFixture.Stranger)]
    [InlineData(WidgetGatewayFixture.BlueRoomSite)]
    [InlineData("http://127.0.0.1:5070/some/page")]
    [InlineData("null")]
    public async Task Frame_HostNotAmongTheVenuesOrigins_Returns403ThatMayNotBeFramed(string host)
    {
        using var response = await Client.GetAsync(FrameOf + Uri.EscapeDataString(host));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("'none'", Directive(Header(response, "Content-Security-Policy"), "frame-ancestors"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Contains("This website is not allowed to show this box office", html, StringComparison.Ordinal);
        Assert.Contains("Gateway:Venues:royal-hall:Origins", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("&performance=abc", true)]
    [InlineData("&performance=0", true)]
    [InlineData("&performance=-5", true)]
    [InlineData("&performance=1001&performance=1002", true)]
    [InlineData("", false)]
    [InlineData("&performance=abc", false)]
    public async Task Frame_MissingOrInvalidPerformance_Returns400PageTheVenueCanFrame(string performance, bool withHost)
    {
        var host = withHost ? "&host=" + Uri.EscapeDataString(WidgetGatewayFixture.VenueSite) : string.Empty;
        using var response = await Client.GetAsync("/widget/v1/frame?venue=royal-hall" + host + performance);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("doesn&#x27;t say which performance to sell", html, StringComparison.Ordinal);
        Assert.Equal($"{WidgetGatewayFixture.VenueSite} {WidgetGatewayFixture.RoyalHallSite}", Directive(Header(response, "Content-Security-Policy"), "frame-ancestors"));
    }

    [Fact]
    public async Task Frame_MissingVenue_Returns400Page()
    {
        using var response = await Client.GetAsync("/widget/v1/frame?performance=1001");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("missing its venue", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_OtherVenue_GetsItsOwnOriginsAndCurrency()
    {
        using var response = await Client.GetAsync("/widget/v1/frame?venue=BLUE-ROOM&performance=1003&host=" + Uri.EscapeDataString(WidgetGatewayFixture.BlueRoomSite));
        var config = Config(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WidgetGatewayFixture.BlueRoomSite, Directive(Header(response, "Content-Security-Policy"), "frame-ancestors"));
        Assert.Equal("EUR", config.GetProperty("currency").GetString());
    }

    [Theory]
    [InlineData(WidgetGatewayFixture.VenueSite)]
    [InlineData(WidgetGatewayFixture.BlueRoomSite)]
    public async Task Cors_PreflightFromAVenueOrigin_AllowsTheWidgetsMethodsAndHeaders(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/purchases");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, idempotency-key");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        var allowed = Header(response, "Access-Control-Allow-Headers").ToLowerInvariant();
        Assert.Contains("authorization", allowed, StringComparison.Ordinal);
        Assert.Contains("idempotency-key", allowed, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData(WidgetGatewayFixture.Stranger)]
    [InlineData("http://127.0.0.1:5071")]
    [InlineData("null")]
    public async Task Cors_PreflightFromAnotherOrigin_GetsNoAllowHeaders(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/purchases");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "idempotency-key");

        using var response = await Client.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Cors_GetFromAVenueOrigin_ExposesLocationRetryAfterAndAge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/availability");
        request.Headers.Add("Origin", WidgetGatewayFixture.VenueSite);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WidgetGatewayFixture.VenueSite, Header(response, "Access-Control-Allow-Origin"));
        var exposed = Header(response, "Access-Control-Expose-Headers");
        Assert.Contains("Location", exposed, StringComparison.Ordinal);
        Assert.Contains("Retry-After", exposed, StringComparison.Ordinal);
        Assert.Contains("Age", exposed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WidgetGatewayFixture.VenueSite, true)]
    [InlineData(WidgetGatewayFixture.Stranger, false)]
    public async Task Cors_QueueStatusFromAPage_AllowedForAVenueOnly_WithItsRetryAfterExposed(string origin, bool allowed)
    {
        using var joined = await Client.PostAsync("/api/v1/performances/1001/queue", null);
        var token = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queueToken").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/queue");
        request.Headers.Add("Origin", origin);
        request.Headers.Authorization = new("Bearer", token);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
        if (allowed)
        {
            Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
            Assert.Contains("Retry-After", Header(response, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
            Assert.Equal(["Origin"], response.Headers.Vary);
        }
    }

    [Fact]
    public async Task Cors_QueueStatusProblem_CarriesTheHeadersSoThePageCanReadIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/performances/1001/queue");
        request.Headers.Add("Origin", WidgetGatewayFixture.VenueSite);
        request.Headers.Authorization = new("Bearer", "v1.q.not-a-token");

        using var response = await Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal(WidgetGatewayFixture.VenueSite, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_ProblemAnswer_CarriesTheHeadersSoThePageCanReadIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/purchases/no-such-purchase");
        request.Headers.Add("Origin", WidgetGatewayFixture.VenueSite);

        using var response = await Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "unknown_purchase");
        Assert.Equal(WidgetGatewayFixture.VenueSite, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_AdminApi_IsNotOpenToVenues()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/admin/api/status");
        request.Headers.Add("Origin", WidgetGatewayFixture.VenueSite);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await Client.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"no {name} header in the {(int)response.StatusCode} answer");

    private static string Directive(string csp, string name) =>
        csp.Split(';', StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2))
            .Where(d => d[0] == name)
            .Select(d => d.Length > 1 ? d[1] : string.Empty)
            .Single();

    private static string[] Origins(JsonElement config) =>
        [.. config.GetProperty("origins").EnumerateArray().Select(o => o.GetString() ?? "(not a string)")];

    private static JsonElement Config(string html)
    {
        var match = ConfigBlock().Match(html);
        Assert.True(match.Success, "the frame has a JSON config block");
        return JsonDocument.Parse(match.Groups[1].Value).RootElement.Clone();
    }

    [GeneratedRegex("""<script type="application/json" id="config">(.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex ConfigBlock();
}
