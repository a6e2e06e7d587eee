using OnSale.Tests.Common;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// Debian's headless Chromium driven by Selenium, the proven recipe: Debian's chromedriver (Selenium Manager never
/// reaches the network), flags that stop Chromium from calling out by itself, a fresh profile, and third-party cookies
/// blocked as Safari blocks them by default, so the widget must work without them.
/// </summary>
public sealed class Chromium : IDisposable
{
    private static readonly string ScreenshotFolder = Path.Combine(RepositoryRoot.Path, "TestResults", "screenshots");
    private readonly string _profile = Path.Combine(Path.GetTempPath(), "onsale-chromium", Guid.NewGuid().ToString("N"));

    public Chromium()
    {
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--disable-features=NetworkTimeServiceQuerying",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
            "--window-size=1100,1500", $"--user-data-dir={_profile}");
        options.AddUserProfilePreference("profile.cookie_controls_mode", 1);
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
    }

    public ChromeDriver Driver { get; }

    /// <summary>Opens the venue's page and switches into the widget's frame.</summary>
    public void OpenWidget(Uri page)
    {
        Driver.Navigate().GoToUrl(page);
        var frame = Until(d => d.FindElements(By.CssSelector("iframe")).FirstOrDefault(), "the widget's frame appears");
        Driver.SwitchTo().Frame(frame);
    }

    /// <summary>Waits (inside the frame) until the widget shows <paramref name="view"/>.</summary>
    public IWebElement View(string view) =>
        Until(d => d.FindElements(By.CssSelector($"#view[data-view='{view}']")).FirstOrDefault(), $"the widget shows '{view}'");

    public IWebElement Element(string css) => Until(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed && e.Enabled), $"'{css}' is usable");

    public void Until(Func<IWebDriver, bool> condition, string what, int seconds = 30) =>
        Until(d => condition(d) ? "yes" : null, what, seconds);

    public T Until<T>(Func<IWebDriver, T?> condition, string what, int seconds = 30)
        where T : class
    {
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(seconds)) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        try
        {
            return wait.Until(d => condition(d))!;
        }
        catch (WebDriverTimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"Timed out waiting until {what}. The frame says: {Text()}");
        }
    }

    /// <summary>The widget's visible text (inside the frame).</summary>
    public string Text() => Driver.FindElements(By.TagName("body")).FirstOrDefault()?.Text ?? string.Empty;

    /// <summary>Saves the whole page (host page and widget) as TestResults/screenshots/{name}.png.</summary>
    public void Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var inFrame = Driver.ExecuteScript("return window !== window.top") is true;
        Driver.SwitchTo().DefaultContent();
        Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotFolder, name + ".png"));
        if (inFrame)
        {
            Driver.SwitchTo().Frame(Driver.FindElement(By.CssSelector("iframe")));
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still hold a file for a moment; a temp folder.
        }
    }
}
