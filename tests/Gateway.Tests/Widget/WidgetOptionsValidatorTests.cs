using Microsoft.Extensions.Options;
using OnSale.Gateway.Widget;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Gateway.Tests.Widget;

public sealed class WidgetOptionsValidatorTests
{
    [Fact]
    public void Validate_OriginsAndCurrency_Succeeds()
    {
        var result = Validate(("royal-hall", ["http://127.0.0.1:5070", "https://www.royalhall.example/"], "GBP"));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_NoVenues_Succeeds()
    {
        Assert.True(new WidgetOptionsValidator().Validate(null, new WidgetOptions()).Succeeded);
    }

    [Theory]
    [InlineData("https://www.royalhall.example/tickets")]
    [InlineData("https://www.royalhall.example?x=1")]
    [InlineData("https://*.royalhall.example")]
    [InlineData("ftp://royalhall.example")]
    [InlineData("www.royalhall.example")]
    [InlineData("https://user@royalhall.example")]
    [InlineData("")]
    public void Validate_NotAnOrigin_FailsNamingTheKey(string origin)
    {
        var result = Validate(("royal-hall", ["http://127.0.0.1:5070", origin], "GBP"));

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Venues:royal-hall:Origins:1", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VenueWithoutOrigins_Fails()
    {
        var result = Validate(("royal-hall", [], "GBP"));

        Assert.Contains("Gateway:Venues:royal-hall:Origins is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gbp")]
    [InlineData("POUNDS")]
    public void Validate_BadCurrency_Fails(string currency)
    {
        var result = Validate(("royal-hall", ["http://127.0.0.1:5070"], currency));

        Assert.Contains("Gateway:Venues:royal-hall:Currency", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP://Example.COM:80/", "http://example.com")]
    [InlineData("https://example.com:443", "https://example.com")]
    [InlineData("https://example.com:8443/", "https://example.com:8443")]
    [InlineData("http://127.0.0.1:5070", "http://127.0.0.1:5070")]
    [InlineData("http://[::1]:5070", "http://[::1]:5070")]
    [InlineData("https://bücher.example", "https://xn--bcher-kva.example")]
    public void TryNormalize_Origin_IsSerialisedAsBrowsersDo(string value, string expected)
    {
        Assert.True(WebOrigin.TryNormalize(value, out var origin));
        Assert.Equal(expected, origin);
    }

    [Fact]
    public async Task Start_BadOrigin_FailsWithTheKeyInTheMessage()
    {
        await using var mock = await MockBackendHost.StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var gateway = await GatewayHost.StartAsync(mock: mock, settings: new Dictionary<string, string?>
            {
                ["Gateway:Venues:royal-hall:Origins:0"] = "https://www.royalhall.example/tickets",
            });
        });

        Assert.Contains("Gateway:Venues:royal-hall:Origins:0", Flatten(error), StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(params (string Key, string[] Origins, string Currency)[] venues)
    {
        var options = new WidgetOptions();
        foreach (var (key, origins, currency) in venues)
        {
            options.Venues[key] = new VenueOptions { Origins = [.. origins], Currency = currency };
        }

        return new WidgetOptionsValidator().Validate(null, options);
    }

    private static string Flatten(Exception error) =>
        error is AggregateException aggregate ? string.Join(" | ", aggregate.InnerExceptions.Select(Flatten)) : error.Message + (error.InnerException is { } inner ? " | " + Flatten(inner) : string.Empty);
}
