using System.Net.Http.Json;
using System.Text.Json;
using OnSale.Samples.VenueSite;
using OnSale.Tests.Common;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// The widget in real headless Chromium, embedded by a venue's page on another site, with third-party cookies
/// blocked. Screenshots of every state go to TestResults/screenshots.
/// </summary>
public sealed class WidgetBrowserTests
{
    private const int Hamlet = 1001;

    [Fact]
    public async Task Purchase_QueueThenAdmittedThenHoldThenCheckout_IsConfirmedInTheFrame()
    {
        await using var stack = await SaleStack.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:WaitingRoom:ActivationThreshold"] = "0",
            ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
            ["Gateway:WaitingRoom:AdmissionInterval"] = "00:00:00.200",
        });
        using var browser = new Chromium();

        // Someone else is buying: the one place is taken, so our buyer has to queue.
        var other = await stack.JoinAsAnotherBuyerAsync(Hamlet);
        var otherAccess = await Eventually.HoldsAsync(
            () => StatusAsync(stack, other.GetProperty("queueToken").GetString()!),
            s => s.GetProperty("state").GetString() == "admitted",
            "the other buyer is admitted");

        browser.OpenWidget(stack.SiteUrl);
        browser.View("zones");
        Assert.Contains("Stalls", browser.Text(), StringComparison.Ordinal);
        browser.Screenshot("1-zones");

        browser.Element("#btn-join").Click();
        browser.View("waiting");
        Assert.Contains("You're next", browser.Element("#view").Text, StringComparison.Ordinal);
        browser.Screenshot("2-queue");

        await stack.BuyAsAnotherBuyerAsync(Hamlet, otherAccess.GetProperty("accessToken").GetString()!);
        browser.View("admitted");
        browser.Screenshot("3-admitted");

        browser.Element("label[for='zone-1']").Click();
        browser.Element("#quantity option[value='2']").Click();
        browser.Element("#btn-hold").Click();
        browser.View("held");
        browser.Screenshot("4-held");

        browser.Element("#pay-token").SendKeys("tok_ok");
        browser.Element("#pay-email").SendKeys("buyer@example.com");
        browser.Element("#btn-pay").Click();
        var confirmed = browser.View("confirmed");
        browser.Screenshot("5-confirmed");

        var order = (await stack.Mock.Control.GetOrdersAsync()).Single(o => o.ZoneId == 1);
        Assert.Contains(order.OrderId.ToString(System.Globalization.CultureInfo.InvariantCulture), confirmed.Text, StringComparison.Ordinal);
        Assert.Equal(2, order.Seats.Count);
        Assert.All(order.Seats, seat => Assert.Contains(seat, confirmed.Text, StringComparison.Ordinal));

        // The venue's page heard about it through the loader's DOM events.
        browser.Driver.SwitchTo().DefaultContent();
        browser.Until(d => d.FindElement(By.Id("event-log")).Text.Contains("onsale:purchase", StringComparison.Ordinal), "the host page logs onsale:purchase");
    }

    [Fact]
    public async Task Waiting_FewSeatsForThePeopleAhead_SaysSoPlainly_ThenSoldOutComesWithinSeconds()
    {
        await using var stack = await SaleStack.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:WaitingRoom:ActivationThreshold"] = "0",
            ["Gateway:WaitingRoom:MaxActiveBuyers"] = "1",
            ["Gateway:WaitingRoom:AdmissionInterval"] = "00:00:00.200",
        });
        await stack.Mock.Control.SetAvailableAsync(Hamlet, 1, 3);
        await stack.Mock.Control.SetAvailableAsync(Hamlet, 2, 0);
        using var browser = new Chromium();

        // One buyer is buying and three are in line: four people ahead of ours, likely to take 8 seats of the 3 left.
        var buying = await stack.JoinAsAnotherBuyerAsync(Hamlet);
        await Eventually.HoldsAsync(
            () => StatusAsync(stack, buying.GetProperty("queueToken").GetString()!),
            s => s.GetProperty("state").GetString() == "admitted",
            "the first buyer is admitted");
        for (var i = 0; i < 3; i++)
        {
            await stack.JoinAsAnotherBuyerAsync(Hamlet);
        }

        browser.OpenWidget(stack.SiteUrl);
        browser.Element("#btn-join").Click();
        browser.View("waiting");
        browser.Until(
            d => d.FindElements(By.Id("odds")).FirstOrDefault()?.Text.Contains("About 3 seats are left for the 4 people ahead of you: you may not get tickets.", StringComparison.Ordinal) == true,
            "the widget says the odds in plain words");
        browser.Screenshot("odds-likely-sold-out");

        // The last seats go elsewhere: the buyer hears it from the widget within seconds, not after a long silence.
        await stack.Mock.Control.SetAvailableAsync(Hamlet, 1, 0);
        var soldOut = browser.Until(d => d.FindElements(By.CssSelector("#view[data-view='sold_out']")).FirstOrDefault(), "sold out is told", seconds: 15);
        Assert.Contains("Sold out for now", soldOut.Text, StringComparison.Ordinal);
        browser.Screenshot("odds-sold-out");
    }

    [Fact]
    public async Task DegradedMode_StaleAvailabilityAndBanner_PurchaseParkedThenConfirmedOnTheSamePage()
    {
        await using var stack = await SaleStack.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:Availability:FreshFor"] = "00:00:00.500",
            ["Gateway:Availability:StaleTolerance"] = "00:00:00",
        });
        using var browser = new Chromium();
        browser.OpenWidget(stack.SiteUrl);
        browser.View("zones");

        await stack.SetModeAsync("degraded", "box office maintenance");
        await stack.SetBannerAsync("The box office is catching up: purchases are confirmed here as soon as it can take them.", "warning");
        await Task.Delay(800); // let the availability answer grow older than its fresh period (no assertion on timing)
        browser.OpenWidget(stack.SiteUrl);
        browser.View("zones");
        browser.Until(d => d.FindElement(By.Id("app")).Text.Contains("may be out of date", StringComparison.Ordinal), "the stale note shows");
        Assert.Contains("catching up", browser.Element("#notices").Text, StringComparison.Ordinal);
        browser.Screenshot("6-degraded-stale-banner");

        browser.Element("#btn-join").Click();
        browser.View("admitted");
        browser.Element("label[for='zone-2']").Click();
        browser.Element("#btn-buy").Click();
        browser.Element("#pay-token").SendKeys("tok_ok");
        browser.Element("#pay-email").SendKeys("buyer@example.com");
        browser.Element("#btn-pay").Click();
        var parked = browser.View("parked");
        Assert.Contains("We have your request", parked.Text, StringComparison.Ordinal);
        Assert.Empty(await stack.Mock.Control.GetOrdersAsync());
        browser.Screenshot("7-parked");

        await stack.SetModeAsync("normal", "maintenance over");
        var confirmed = browser.View("confirmed");
        browser.Screenshot("8-parked-then-confirmed");

        var order = Assert.Single(await stack.Mock.Control.GetOrdersAsync());
        Assert.Contains(order.OrderId.ToString(System.Globalization.CultureInfo.InvariantCulture), confirmed.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignSite_NotAmongTheVenuesOrigins_CannotEmbedTheWidget()
    {
        await using var stack = await SaleStack.StartAsync();
        var foreign = await stack.StartForeignSiteAsync();
        using var browser = new Chromium();

        browser.OpenWidget(foreign);
        browser.Until(d => ((IJavaScriptExecutor)d).ExecuteScript("return document.readyState") as string == "complete", "the frame has finished loading");

        // The browser refused the frame: no widget document in it, only Chromium's error page.
        Assert.Empty(browser.Driver.FindElements(By.Id("app")));
        Assert.StartsWith("chrome-error://", ((IJavaScriptExecutor)browser.Driver).ExecuteScript("return document.URL") as string, StringComparison.Ordinal);
        browser.Screenshot("9-foreign-site-refused");

        // The same widget on the venue's own site loads.
        browser.OpenWidget(stack.SiteUrl);
        browser.View("zones");
    }

    [Fact]
    public async Task PlainIframe_AtTheContractAddressInTheVenuePage_SellsAndTellsThePageOnlyAfterItsHello()
    {
        await using var stack = await SaleStack.StartAsync(embedding: WidgetEmbedding.Frame);
        using var browser = new Chromium();
        var gateway = stack.GatewayUrl.GetLeftPart(UriPartial.Authority);

        // The venue page's own script, in place before anything in the page runs, so it would hear an early post.
        browser.Driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?>
        {
            ["source"] = $"window.heard = []; window.addEventListener('message', (e) => {{ if (e.origin === '{gateway}') window.heard.push(e.data); }});",
        });
        browser.OpenWidget(stack.SiteUrl);
        Assert.Equal($"{gateway}/widget/v1/frame?venue=royal-hall&performance={Hamlet}", browser.Driver.ExecuteScript("return document.URL") as string);
        browser.View("zones");
        Assert.Contains("Stalls", browser.Text(), StringComparison.Ordinal);
        browser.Screenshot("10-plain-iframe-zones");

        // Shown, but silent: it knows the venue's origins, not yet which one is around it.
        browser.Driver.SwitchTo().DefaultContent();
        Assert.Empty(Heard(browser));

        browser.Driver.ExecuteScript($"document.querySelector('iframe').contentWindow.postMessage({{ type: 'onsale:hello' }}, '{gateway}');");
        browser.Until(d => Heard(browser).Any(m => Type(m) == "onsale:resize" && m.GetProperty("height").GetInt32() > 0), "the frame reports its height to the page");
        browser.Until(d => Heard(browser).Any(m => Type(m) == "onsale:state" && m.GetProperty("detail").GetProperty("state").GetString() == "zones"), "the frame reports its state to the page");

        browser.Driver.SwitchTo().Frame(browser.Driver.FindElement(By.CssSelector("iframe")));
        browser.Element("#btn-join").Click();
        browser.View("admitted");
        browser.Element("label[for='zone-2']").Click();
        browser.Element("#btn-buy").Click();
        browser.Element("#pay-token").SendKeys("tok_ok");
        browser.Element("#pay-email").SendKeys("buyer@example.com");
        browser.Element("#btn-pay").Click();
        var confirmed = browser.View("confirmed");
        browser.Screenshot("11-plain-iframe-confirmed");

        var order = Assert.Single(await stack.Mock.Control.GetOrdersAsync());
        var orderId = order.OrderId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(orderId, confirmed.Text, StringComparison.Ordinal);
        browser.Driver.SwitchTo().DefaultContent();
        var purchase = browser.Until(
            d => Heard(browser).Where(m => Type(m) == "onsale:purchase" && m.GetProperty("detail").GetProperty("status").GetString() == "confirmed")
                .Select(m => m.GetRawText()).FirstOrDefault(),
            "the page hears the purchase confirmed");
        Assert.Equal(order.OrderId, JsonDocument.Parse(purchase).RootElement.GetProperty("detail").GetProperty("orderId").GetInt32());
    }

    [Fact]
    public async Task ForeignSite_PlainIframeAtTheContractAddress_IsRefusedByTheBrowser()
    {
        await using var stack = await SaleStack.StartAsync();
        var foreign = await stack.StartForeignSiteAsync(WidgetEmbedding.Frame);
        using var browser = new Chromium();

        // The gateway answers this address with the box office (200): frame-ancestors alone keeps it off this page.
        browser.OpenWidget(foreign);
        browser.Until(d => ((IJavaScriptExecutor)d).ExecuteScript("return document.readyState") as string == "complete", "the frame has finished loading");

        Assert.Empty(browser.Driver.FindElements(By.Id("app")));
        Assert.StartsWith("chrome-error://", ((IJavaScriptExecutor)browser.Driver).ExecuteScript("return document.URL") as string, StringComparison.Ordinal);
        browser.Screenshot("12-foreign-site-plain-iframe-refused");
    }

    /// <summary>What the venue page's script heard from the gateway's origin (installed by the test above).</summary>
    private static JsonElement[] Heard(Chromium browser) =>
        [.. JsonDocument.Parse(browser.Driver.ExecuteScript("return JSON.stringify(window.heard)") as string
            ?? throw new Xunit.Sdk.XunitException("the venue page has no message log: its script was not installed")).RootElement.EnumerateArray().Select(m => m.Clone())];

    private static string? Type(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("type", out var type) ? type.GetString() : null;

    private static async Task<JsonElement> StatusAsync(SaleStack stack, string queueToken)
    {
        using var client = new HttpClient { BaseAddress = stack.GatewayUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", queueToken);
        return await client.GetFromJsonAsync<JsonElement>($"api/v1/performances/{Hamlet}/queue");
    }
}
