using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OnSale.Mocks.VenueBackend.Control;
using OpenQA.Selenium;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// The support console (<c>GET /admin</c>) in real headless Chromium against a gateway on loopback, as a support
/// engineer uses it on the day: signing in, watching an outage arrive, acting with a reason, answering a buyer.
/// Screenshots go to TestResults/screenshots (the README's come from there).
/// </summary>
public sealed class ConsoleBrowserTests
{
    private const int Hamlet = 1001;
    private const string ViewerKey = "vic-the-viewer-key-0123456789abcdefgh";

    [Fact]
    public async Task SignIn_WrongKeyIsRefused_ThenTheOperatorSeesTheLiveState()
    {
        await using var stack = await SaleStack.StartAsync();
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);

        console.Open();
        console.SignIn("not-a-key-anyone-was-given");
        browser.Until(d => d.FindElement(By.Id("sign-in-error")).Text.Contains("not an operator's key", StringComparison.Ordinal), "the wrong key is refused");
        console.SignIn(SaleStack.AdminKey);

        console.WaitSignedIn("admin (operator)");
        console.WaitText("mode", "normal");
        console.WaitText("breaker", "closed");
        browser.Until(d => d.FindElement(By.Id("connection")).Text.StartsWith("Live", StringComparison.Ordinal), "the console says it is live");
        Assert.False(browser.Driver.FindElement(By.Id("viewer-note")).Displayed);
        Assert.All(browser.Driver.FindElements(By.CssSelector("button.act")), b => Assert.True(b.Enabled));
    }

    [Fact]
    public async Task Outage_ShowsAsTheBreakerOpeningAndParkedPurchasesRising_ThenDegradedWithAReason()
    {
        await using var stack = await SaleStack.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:Resilience:MinimumThroughput"] = "3",
            ["Gateway:Resilience:BreakDuration"] = "00:01:00",
        });
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);
        console.OpenSignedIn();

        await stack.KnowAvailabilityAsync(Hamlet);
        await stack.Mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await stack.PurchaseAsync(Hamlet, $"worried-{i}@example.com")).StatusCode);
        }

        console.WaitText("breaker", "open");
        console.WaitText("parked-count", "5");
        browser.Until(
            d => d.FindElements(By.CssSelector("#chart-parked svg path")).Count > 0
                && d.FindElement(By.CssSelector("#chart-parked svg")).GetAttribute("aria-label")!.Contains("now parked 5", StringComparison.Ordinal),
            "the parked chart reaches 5",
            seconds: 20);
        console.Screenshot("console-outage");

        browser.Driver.FindElement(By.CssSelector("#mode-form input[value='degraded']")).Click();
        console.Type("mode-reason", "box office down since 09:02, vendor called");
        browser.Element("#mode-form button[type='submit']").Click();

        console.WaitText("mode", "degraded");
        browser.Until(d => d.FindElement(By.Id("action-result")).Text.StartsWith("Mode set to degraded", StringComparison.Ordinal), "the console confirms the change");
        browser.Until(d => d.FindElement(By.CssSelector("#audit tbody")).Text.Contains("box office down since 09:02", StringComparison.Ordinal), "the audit shows the reason", seconds: 20);
        var audit = await stack.Admin.GetFromJsonAsync<JsonElement>("admin/api/audit");
        Assert.Equal(("mode.degraded", "admin", "box office down since 09:02, vendor called"), (
            audit[0].GetProperty("action").GetString(), audit[0].GetProperty("operator").GetString(), audit[0].GetProperty("reason").GetString()));
        console.Screenshot("console-degraded");
    }

    [Fact]
    public async Task Degraded_WithABackToNormalTime_RevertsByItselfAndSaysSo()
    {
        await using var stack = await SaleStack.StartAsync();
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);
        console.OpenSignedIn();

        // A tenth of a minute: six seconds of real time.
        console.Type("mode-minutes", "0.1");
        console.Type("mode-reason", "short maintenance window");
        browser.Element("#mode-form button[type='submit']").Click();

        console.WaitText("mode", "degraded");
        browser.Until(d => d.FindElement(By.Id("mode-detail")).Text.Contains("back to normal by itself at", StringComparison.Ordinal), "the console shows when it ends");
        console.WaitText("mode", "normal", seconds: 30);
        browser.Until(d => d.FindElement(By.CssSelector("#audit tbody")).Text.Contains("mode.reverted", StringComparison.Ordinal), "the audit says it reverted", seconds: 20);
        var audit = await stack.Admin.GetFromJsonAsync<JsonElement>("admin/api/audit");
        Assert.Equal(("mode.reverted", "gateway"), (audit[0].GetProperty("action").GetString(), audit[0].GetProperty("operator").GetString()));
    }

    [Fact]
    public async Task Banner_PostedInTheConsole_AppearsInAWidgetAlreadyOpen()
    {
        await using var stack = await SaleStack.StartAsync();
        using var browser = new Chromium();
        browser.OpenWidget(stack.SiteUrl);
        browser.View("zones");
        var widget = browser.Driver.CurrentWindowHandle;

        browser.Driver.SwitchTo().NewWindow(WindowType.Tab);
        var console = new SupportConsole(browser, stack);
        console.OpenSignedIn();
        console.Type("banner-message", "Doors open at 19:00; the bar is cash-free.");
        browser.Driver.FindElement(By.CssSelector("#banner-level option[value='warning']")).Click();
        console.Type("banner-reason", "venue asked");
        browser.Element("#banner-form button[type='submit']").Click();
        browser.Until(d => d.FindElement(By.Id("banner-now")).Text.Contains("Doors open at 19:00", StringComparison.Ordinal), "the console shows the banner");

        browser.Driver.SwitchTo().Window(widget);
        browser.Driver.SwitchTo().Frame(browser.Driver.FindElement(By.CssSelector("iframe")));
        browser.Until(d => d.FindElement(By.Id("notices")).Text.Contains("Doors open at 19:00", StringComparison.Ordinal), "the open widget shows the banner", seconds: 40);
        browser.Screenshot("console-banner-in-widget");
    }

    [Fact]
    public async Task Lookup_ByEmail_ShowsTheBuyersPurchasesAndWhereEachStands()
    {
        await using var stack = await SaleStack.StartAsync();
        await stack.KnowAvailabilityAsync(Hamlet);
        Assert.Equal(HttpStatusCode.Created, (await stack.PurchaseAsync(Hamlet, "Worried.Buyer@example.com")).StatusCode);
        await stack.SetModeAsync("degraded", "box office patching");
        Assert.Equal(HttpStatusCode.Accepted, (await stack.PurchaseAsync(Hamlet, "worried.buyer@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await stack.PurchaseAsync(Hamlet, "someone.else@example.com")).StatusCode);
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);
        console.OpenSignedIn();

        console.Type("lookup-query", "worried.buyer@example.com");
        browser.Element("#lookup-form button[type='submit']").Click();

        browser.Until(d => d.FindElement(By.Id("lookup-result")).Text.StartsWith("2 purchases found", StringComparison.Ordinal), "the lookup finds both");
        var rows = browser.Driver.FindElements(By.CssSelector("#lookup tbody tr")).Select(r => r.Text).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("parked", rows[0], StringComparison.Ordinal);
        Assert.Contains("confirmed", rows[1], StringComparison.Ordinal);
        var mine = await stack.Admin.GetFromJsonAsync<JsonElement>("admin/api/purchases?email=worried.buyer%40example.com");
        var ids = mine.GetProperty("purchases").EnumerateArray().Select(p => p.GetProperty("purchaseId").GetString()!).ToList();
        Assert.All(ids.Zip(rows), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
        ((IJavaScriptExecutor)browser.Driver).ExecuteScript("document.getElementById('lookup-title').scrollIntoView();");
        browser.Screenshot("console-lookup");

        console.Type("lookup-query", "nobody@example.com");
        browser.Element("#lookup-form button[type='submit']").Click();
        browser.Until(d => d.FindElement(By.Id("lookup-result")).Text.StartsWith("No purchase found", StringComparison.Ordinal), "an unknown buyer is said plainly");
    }

    [Fact]
    public async Task Viewer_SeesEverythingButCannotAct()
    {
        await using var stack = await SaleStack.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:Admin:Operators:vic:Key"] = ViewerKey,
            ["Gateway:Admin:Operators:vic:Role"] = "viewer",
        });
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);
        console.Open();
        console.SignIn(ViewerKey);

        console.WaitSignedIn("vic (viewer)");
        console.WaitText("mode", "normal");
        Assert.True(browser.Driver.FindElement(By.Id("viewer-note")).Displayed);
        var buttons = browser.Driver.FindElements(By.CssSelector("button.act"));
        Assert.NotEmpty(buttons);
        Assert.All(buttons, b => Assert.False(b.Enabled));
        console.Screenshot("console-viewer");

        // Even a page whose buttons were switched back on by hand changes nothing: the gateway refuses the viewer.
        ((IJavaScriptExecutor)browser.Driver).ExecuteScript("document.querySelectorAll('button.act').forEach(function (b) { b.disabled = false; });");
        console.Type("mode-reason", "curious");
        browser.Element("#mode-form button[type='submit']").Click();
        browser.Until(d => d.FindElement(By.Id("action-result")).Text.Contains("viewers may look, not change", StringComparison.Ordinal), "the refusal is said");
        var status = await stack.Admin.GetFromJsonAsync<JsonElement>("admin/api/status");
        Assert.Equal("normal", status.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Pages_PassAnAccessibilityCheck_SignedOutAndSignedIn()
    {
        await using var stack = await SaleStack.StartAsync();
        await stack.KnowAvailabilityAsync(Hamlet);
        await stack.JoinAsAnotherBuyerAsync(Hamlet);
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);
        console.Open();

        Assert.Empty(Accessibility.Violations(browser.Driver));

        console.SignIn(SaleStack.AdminKey);
        console.WaitSignedIn("admin");
        console.WaitText("breaker", "closed");
        browser.Until(d => d.FindElements(By.CssSelector("#performances tbody tr")).Count > 0, "the performance's line is listed");
        browser.Until(d => d.FindElements(By.CssSelector("#chart-latency svg")).Count > 0, "the charts are drawn");

        Assert.Empty(Accessibility.Violations(browser.Driver));
    }

    [Fact]
    public async Task Keyboard_SignsInAndReachesEveryControl_WithTheFocusVisible()
    {
        await using var stack = await SaleStack.StartAsync();
        using var browser = new Chromium();
        var console = new SupportConsole(browser, stack);
        console.Open();

        // The key's field has the focus at once, the skip link comes before it; Enter signs in.
        var key = browser.Until(d => d.SwitchTo().ActiveElement() is { } e && e.GetAttribute("id") == "key" ? e : null, "the key's field has the focus");
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).KeyDown(Keys.Shift).SendKeys(Keys.Tab).KeyUp(Keys.Shift).Perform();
        Assert.Equal("skip", browser.Driver.SwitchTo().ActiveElement().GetAttribute("class"));
        key = Tab(browser);
        Assert.Equal("key", key.GetAttribute("id"));
        key.SendKeys(SaleStack.AdminKey + Keys.Enter);
        console.WaitSignedIn("admin");

        var reached = new HashSet<string>(StringComparer.Ordinal);
        var outlines = new List<string>();
        for (var i = 0; i < 80; i++)
        {
            var focused = Tab(browser);
            var id = focused.GetAttribute("id");
            if (!string.IsNullOrEmpty(id))
            {
                reached.Add(id);
            }

            if (focused.TagName == "button")
            {
                outlines.Add(focused.GetCssValue("outline-style"));
            }
        }

        Assert.Superset(
            new HashSet<string>(["sign-out", "mode-minutes", "mode-reason", "banner-message", "banner-level", "banner-reason", "admission-performance", "admission-message", "admission-reason", "lookup-query"]),
            reached);
        Assert.NotEmpty(outlines);
        Assert.DoesNotContain("none", outlines);
    }

    private static IWebElement Tab(Chromium browser)
    {
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys(Keys.Tab).Perform();
        return browser.Driver.SwitchTo().ActiveElement();
    }

    /// <summary>The console's page, driven as a person would: by its labels' fields and its buttons.</summary>
    private sealed class SupportConsole(Chromium browser, SaleStack stack)
    {
        public void Open() => browser.Driver.Navigate().GoToUrl(new Uri(stack.GatewayUrl, "admin"));

        public void OpenSignedIn()
        {
            Open();
            SignIn(SaleStack.AdminKey);
            WaitSignedIn("admin (operator)");
        }

        /// <summary>The page from its top, as a person opening it sees it first.</summary>
        public void Screenshot(string name)
        {
            ((IJavaScriptExecutor)browser.Driver).ExecuteScript("window.scrollTo(0, 0);");
            browser.Screenshot(name);
        }

        public void SignIn(string key)
        {
            Type("key", key);
            browser.Element("#sign-in button[type='submit']").Click();
        }

        public void WaitSignedIn(string who) =>
            browser.Until(d => d.FindElement(By.Id("who-name")).Text.Contains(who, StringComparison.Ordinal), $"signed in as {who}");

        public void WaitText(string id, string value, int seconds = 20) =>
            browser.Until(d => d.FindElement(By.Id(id)).Text == value, $"#{id} says '{value}'", seconds);

        public void Type(string id, string value)
        {
            var field = browser.Element("#" + id);
            field.Clear();
            field.SendKeys(value);
        }
    }
}
