using System.Net;
using System.Text.Json;

namespace OnSale.Gateway.Tests;

internal static class Problems
{
    /// <summary>Asserts an RFC 9457 problem with the contract's <c>code</c>; returns the body for further checks.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        return body;
    }
}

internal static class Requests
{
    public static object Purchase(int performanceId = 1001, int zoneId = 1, int quantity = 1, string paymentToken = "tok_ok") =>
        new { performanceId, zoneId, quantity, paymentToken, email = "buyer@example.com" };

    public static object Hold(int performanceId = 1001, int zoneId = 1, int quantity = 1) => new { performanceId, zoneId, quantity };

    public static object Checkout(string paymentToken = "tok_ok") => new { paymentToken, email = "buyer@example.com" };
}
