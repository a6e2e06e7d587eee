using System.Globalization;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace OnSale.Bench.HotOnSale;

/// <summary>
/// The widget's solver timed in Debian's headless Chromium on this machine: the frame page loaded at its own address
/// (it carries proof-of-work.js), then <see cref="BenchOptions.Runs"/> challenges of the gateway solved one after
/// another as the widget solves them (a worker each), then a few on the page itself (no worker).
/// </summary>
internal static class BrowserCalibration
{
    private const string Script = """
        const [runs, performance, noWorker, done] = arguments;
        (async () => {
          if (noWorker) { window.Worker = undefined; }
          const results = [];
          for (let i = 0; i < runs; i += 1) {
            const c = await (await fetch(`/api/v1/performances/${performance}/queue/challenge`)).json();
            const r = await window.OnSaleProofOfWork.solve(c.challenge, c.difficulty);
            results.push({ ms: r.ms, attempts: r.attempts, where: r.where, difficulty: c.difficulty });
          }
          return results;
        })().then(done, (e) => done(String(e)));
        """;

    public static async Task<object> RunAsync(BenchOptions o)
    {
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        var profile = Directory.CreateTempSubdirectory("onsale-bench-chromium").FullName;
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--disable-features=NetworkTimeServiceQuerying",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
            $"--user-data-dir={profile}");
        try
        {
            using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
            driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromMinutes(5);
            driver.Navigate().GoToUrl(new Uri(o.Gateway, $"/widget/v1/frame?venue={o.Venue}&performance={o.Performance}"));
            await Task.Delay(500);
            _ = Solve(driver, 3, o.Performance, noWorker: false); // JIT and caches, not counted
            var worker = Solve(driver, o.Runs, o.Performance, noWorker: false);
            var page = Solve(driver, Math.Max(3, o.Runs / 5), o.Performance, noWorker: true);
            return new { worker = Summary(worker), page = Summary(page) };
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder that Chromium may still hold for a moment.
            }
        }
    }

    private static List<(double Ms, double Attempts, string Where, int Difficulty)> Solve(ChromeDriver driver, int runs, int performance, bool noWorker)
    {
        var answer = driver.ExecuteAsyncScript(Script, runs, performance, noWorker);
        if (answer is not IReadOnlyCollection<object> list)
        {
            throw new InvalidOperationException($"the page could not solve: {answer}");
        }

        return [.. list.Cast<IReadOnlyDictionary<string, object>>().Select(r => (
            Convert.ToDouble(r["ms"], CultureInfo.InvariantCulture),
            Convert.ToDouble(r["attempts"], CultureInfo.InvariantCulture),
            (string)r["where"],
            Convert.ToInt32(r["difficulty"], CultureInfo.InvariantCulture)))];
    }

    private static object Summary(List<(double Ms, double Attempts, string Where, int Difficulty)> runs)
    {
        var ms = runs.Select(r => r.Ms).Order().ToList();
        return new
        {
            runs = runs.Count,
            where = string.Join(",", runs.Select(r => r.Where).Distinct()),
            difficulty = runs[0].Difficulty,
            meanMs = Math.Round(ms.Average()),
            medianMs = ms[ms.Count / 2],
            p90Ms = ms[(int)Math.Ceiling(ms.Count * 0.9) - 1],
            maxMs = ms[^1],
            hashesPerSecond = Math.Round(runs.Sum(r => r.Attempts) / (runs.Sum(r => r.Ms) / 1000)),
        };
    }
}
