using System.Text.Json;
using Deque.AxeCore.Commons;
using OpenQA.Selenium;

namespace OnSale.FunctionalTests.Browser;

/// <summary>
/// axe-core (Deque's rules, the script bundled in Deque.AxeCore.Commons) run in the page as it is now: WCAG 2.1 A and AA,
/// which covers labels, names, contrast, landmarks and keyboard-reachable controls.
/// </summary>
public static class Accessibility
{
    private static readonly Lazy<string> Script = new(() => new BundledAxeScriptProvider().GetScript());

    /// <summary>Every violation as "rule: what it asks (where)", empty when the page passes.</summary>
    public static IReadOnlyList<string> Violations(IWebDriver driver)
    {
        var js = (IJavaScriptExecutor)driver;
        js.ExecuteScript(Script.Value);
        var json = js.ExecuteAsyncScript(
            """
            var done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] })
              .then(function (r) {
                done(JSON.stringify(r.violations.map(function (v) {
                  return v.id + ": " + v.help + " (" + v.nodes.map(function (n) { return n.target.join(" "); }).join(", ") + ")";
                })));
              }, function (e) { done(JSON.stringify(["axe failed: " + e])); });
            """);
        return JsonSerializer.Deserialize<List<string>>(json as string ?? "[\"axe gave no answer\"]") ?? [];
    }
}
