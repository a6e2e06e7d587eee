using OpenQA.Selenium;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// Support pauses admission while the widget waits in line, in real headless Chromium: the buyer is told why the line
/// stands still, in the operator's words, and the notice goes when admission resumes.
/// </summary>
public sealed class AdmissionPauseBrowserTests
{
    private const int Hamlet = 1001;
    private const string Message = "Card payments are being fixed: back in a few minutes.";

    [Fact]
    public async Task Waiting_SupportPausesThenResumes_TheWidgetSaysWhyTheLineStandsStill_ThenTheNoticeGoes()
    {
        await using var stack = await SaleStack.StartAsync(SaleStack.OnePlace());
        using var browser = new Chromium();

        // Someone else is buying: the one place is taken, so our buyer waits in line, next, when support pauses.
        var other = await stack.AdmitAnotherBuyerAsync(Hamlet);
        browser.OpenWidget(stack.SiteUrl);
        browser.Element("#btn-join").Click();
        browser.View("waiting");

        await stack.SetAdmissionAsync(Hamlet, paused: true, "payment provider down", Message);
        var paused = browser.Until(d => d.FindElements(By.Id("paused")).FirstOrDefault(e => e.Displayed), "the widget says admission is paused", seconds: 20);
        Assert.Contains(Message, paused.Text, StringComparison.Ordinal);
        Assert.Equal("polite", paused.GetAttribute("aria-live"));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("#view .progress")));
        Assert.DoesNotContain("Estimated wait", browser.Element("#view").Text, StringComparison.Ordinal);
        browser.Screenshot("paused-1-waiting");

        // Resumed: the line still waits for the other buyer's place, but is no longer said to be paused.
        await stack.SetAdmissionAsync(Hamlet, paused: false, "payments back");
        browser.Until(d => d.FindElements(By.Id("paused")).Count == 0, "the pause notice goes once admission resumes", seconds: 20);
        Assert.Equal("waiting", browser.Element("#view").GetAttribute("data-view"));
        browser.Screenshot("paused-2-resumed");

        await stack.BuyAsAnotherBuyerAsync(Hamlet, other.GetProperty("accessToken").GetString()!);
        browser.View("admitted");
    }
}
