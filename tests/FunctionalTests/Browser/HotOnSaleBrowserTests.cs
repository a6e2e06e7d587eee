using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenQA.Selenium;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// A hot on-sale in real headless Chromium: the venue's page signs its customer's identity, the widget is asked for a
/// solved challenge at the default difficulty, solves it in a worker under the frame's strict policy, and gets its
/// place, bound to that identity.
/// </summary>
public sealed class HotOnSaleBrowserTests
{
    private const int Hamlet = 1001;
    private const string IdentitySecret = "royal-hall-identity-secret-for-the-browser-test";

    [Fact]
    public async Task Join_HotShowWithIdentityRequired_WidgetSolvesTheChallengeInAWorkerAndGetsItsPlace()
    {
        await using var stack = await SaleStack.StartAsync(
            new Dictionary<string, string>
            {
                ["Gateway:WaitingRoom:Hot:Performances:0"] = Hamlet.ToString(CultureInfo.InvariantCulture),
                ["Gateway:WaitingRoom:Hot:RequireIdentity"] = "true",
                ["Gateway:Venues:royal-hall:IdentitySecret"] = IdentitySecret,
            },
            siteSettings: new Dictionary<string, string>
            {
                ["VenueSite:IdentitySecret"] = IdentitySecret,
                ["VenueSite:AccountId"] = "customer-1234",
            });
        using var browser = new Chromium();
        browser.OpenWidget(stack.SiteUrl);
        browser.View("zones");

        // Hold the solver once it is asked, so that the page can be seen while it works; then let it run as it is.
        browser.Driver.ExecuteScript("""
            const pow = window.OnSaleProofOfWork;
            const solve = pow.solve;
            window.solved = [];
            pow.solve = (challenge, difficulty) => new Promise((resolve, reject) => {
              window.release = () => solve(challenge, difficulty).then((result) => { window.solved.push({ ...result, difficulty }); resolve(result); }, reject);
            });
            """);
        browser.Element("#btn-join").Click();
        browser.Until(d => d.FindElement(By.Id("view")).Text.Contains("Getting you a place in line", StringComparison.Ordinal), "the widget says it is getting a place");
        browser.Until(d => ((IJavaScriptExecutor)d).ExecuteScript("return typeof window.release") as string == "function", "the widget asks for a solution");
        browser.Screenshot("11-hot-getting-a-place");
        browser.Driver.ExecuteScript("window.release();");

        browser.View("admitted");
        browser.Screenshot("12-hot-admitted");
        var solved = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(
            Assert.Single(Assert.IsAssignableFrom<IReadOnlyCollection<object>>(browser.Driver.ExecuteScript("return window.solved;"))));
        Assert.Equal("worker", solved["where"]);
        Assert.Equal(18L, solved["difficulty"]); // the default
        Assert.True(Convert.ToInt64(solved["attempts"], CultureInfo.InvariantCulture) > 0);

        // The place belongs to the page's customer: the same identity gets it back without a challenge; none gets nothing.
        using var client = new HttpClient { BaseAddress = stack.GatewayUrl };
        using var anonymous = await client.PostAsync($"api/v1/performances/{Hamlet}/queue", null);
        using var again = new HttpRequestMessage(HttpMethod.Post, $"api/v1/performances/{Hamlet}/queue");
        again.Headers.Add("OnSale-Identity", Identity("customer-1234"));
        using var rejoined = await client.SendAsync(again);
        var status = JsonDocument.Parse(await stack.Admin.GetStringAsync("admin/api/status")).RootElement;

        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Created, rejoined.StatusCode);
        Assert.Equal("admitted", JsonDocument.Parse(await rejoined.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        var queue = status.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("performanceId").GetInt32() == Hamlet);
        Assert.Equal(1, queue.GetProperty("activeBuyers").GetInt32());
    }

    private static string Identity(string account)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"royal-hall.{Hamlet}.{account}.{TimeProvider.System.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds()}");
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(IdentitySecret), Encoding.UTF8.GetBytes(message)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return message + "." + signature;
    }
}
