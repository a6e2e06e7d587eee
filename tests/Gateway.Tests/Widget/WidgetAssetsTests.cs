using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using OnSale.Gateway.Widget;
using Xunit.Abstractions;

namespace OnSale.Gateway.Tests.Widget;

/// <summary>What ships in the gateway assembly: sizes, and the rules the widget's code must never break.</summary>
public sealed partial class WidgetAssetsTests(ITestOutputHelper output)
{
    private const int LoaderBudgetBytes = 5 * 1024;
    private const int FrameBudgetBytes = 60 * 1024;

    private static readonly WidgetAssets Assets = new();

    public static TheoryData<string> Scripts => new() { "loader.js", "frame.js" };

    [Fact]
    public void Loader_Gzipped_IsUnderFiveKilobytes()
    {
        var size = GzippedSize(Assets.Loader.Bytes);

        output.WriteLine($"loader.js: {Assets.Loader.Bytes.Length} bytes, {size} bytes gzipped (budget {LoaderBudgetBytes})");
        Assert.True(size < LoaderBudgetBytes, $"loader.js is {size} bytes gzipped, over {LoaderBudgetBytes}");
    }

    [Fact]
    public void FrameApp_Gzipped_IsUnderSixtyKilobytes()
    {
        var html = Encoding.UTF8.GetBytes(Assets.FrameTemplate);
        var js = GzippedSize(Assets.FrameScript.Bytes);
        var solver = GzippedSize(Assets.ProofOfWorkScript.Bytes);
        var css = GzippedSize(Assets.FrameStyles.Bytes);
        var page = GzippedSize(html);
        var total = js + solver + css + page;

        output.WriteLine($"frame.js: {Assets.FrameScript.Bytes.Length} bytes, {js} gzipped");
        output.WriteLine($"proof-of-work.js: {Assets.ProofOfWorkScript.Bytes.Length} bytes, {solver} gzipped");
        output.WriteLine($"frame.css: {Assets.FrameStyles.Bytes.Length} bytes, {css} gzipped");
        output.WriteLine($"frame.html: {html.Length} bytes, {page} gzipped");
        output.WriteLine($"frame app total: {total} bytes gzipped (budget {FrameBudgetBytes})");
        Assert.True(total < FrameBudgetBytes, $"the frame app is {total} bytes gzipped, over {FrameBudgetBytes}");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_PostMessage_AlwaysNamesItsTargetOrigin(string name)
    {
        var source = StripComments(Source(name));
        var calls = PostMessageCall().Matches(source);

        Assert.NotEmpty(calls);
        foreach (Match call in calls)
        {
            var arguments = Arguments(source, call.Index + call.Length);
            Assert.True(arguments.Count == 2, $"{name}: postMessage({string.Join(", ", arguments)}) must name a target origin");
            Assert.DoesNotMatch("""^\s*(['"`])\*\1\s*$""", arguments[1]);
            Assert.DoesNotContain("*", arguments[1], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_NeverWritesHtmlFromStrings(string name)
    {
        var source = StripComments(Source(name));

        Assert.DoesNotMatch(@"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\s*\(", source);
    }

    [Fact]
    public void Loader_AcceptsMessagesOnlyFromItsOwnFrameOnTheGatewayOrigin()
    {
        var source = Source("loader.js");

        Assert.Contains("event.origin !== gatewayOrigin || event.source !== frame.contentWindow", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_SaysHelloToItsFrameOnEveryLoad()
    {
        var source = StripComments(Source("loader.js"));

        Assert.Matches(@"frame\.addEventListener\('load',[^;]*frame\.contentWindow\.postMessage\(\{ type: 'onsale:hello' \}, gatewayOrigin\)", source);
    }

    [Fact]
    public void Frame_AcceptsMessagesOnlyFromItsParentOnOneOfTheVenuesOrigins()
    {
        var source = StripComments(Source("frame.js"));

        Assert.Contains("event.source !== window.parent || !trusted(event.origin)", source, StringComparison.Ordinal);
        Assert.Contains("config.origins.includes(origin)", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Frame_PostsOnlyToTheParentItLearnt()
    {
        var source = StripComments(Source("frame.js"));
        var posts = PostMessageCall().Matches(source);

        // One place posts, and only once the parent's origin is known (never a guess, never '*').
        Assert.Single(posts);
        Assert.Matches(@"if \(parentOrigin\) \{\s*window\.parent\.postMessage\(message, parentOrigin\);", source);
    }

    [Fact]
    public void FrameHtml_HasNoInlineScriptOrStyle()
    {
        var html = Assets.FrameTemplate;

        foreach (Match tag in ScriptTag().Matches(html))
        {
            Assert.True(tag.Value.Contains("type=\"application/json\"", StringComparison.Ordinal) || tag.Value.Contains(" src=", StringComparison.Ordinal),
                $"inline script {tag.Value} would be refused by the frame's script-src 'self'");
        }

        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
    }

    [Fact]
    public async Task Scripts_NodeCheck_AreValidJavaScript()
    {
        var folder = Directory.CreateTempSubdirectory("onsale-widget-js").FullName;
        try
        {
            foreach (var asset in new[] { Assets.Loader, Assets.FrameScript, Assets.ProofOfWorkScript })
            {
                var file = Path.Combine(folder, asset.Name);
                await File.WriteAllBytesAsync(file, asset.Bytes);
                var (exitCode, errors) = await RunNodeAsync("--check", file);
                Assert.True(exitCode == 0, $"node --check {asset.Name} failed: {errors}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Source(string name) => Encoding.UTF8.GetString(name switch
    {
        "loader.js" => Assets.Loader.Bytes,
        "proof-of-work.js" => Assets.ProofOfWorkScript.Bytes,
        _ => Assets.FrameScript.Bytes,
    });

    private static int GzippedSize(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return (int)compressed.Length;
    }

    /// <summary>The top-level arguments of the call whose opening parenthesis ends just before <paramref name="start"/>.</summary>
    private static List<string> Arguments(string source, int start)
    {
        var arguments = new List<string>();
        var depth = 0;
        var current = new StringBuilder();
        char? quote = null;
        for (var i = start; i < source.Length; i++)
        {
            var c = source[i];
            if (quote is not null)
            {
                current.Append(c);
                if (c == '\\')
                {
                    current.Append(source[++i]);
                }
                else if (c == quote)
                {
                    quote = null;
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"' or '`':
                    quote = c;
                    break;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}' when depth > 0:
                    depth--;
                    break;
                case ')':
                    arguments.Add(current.ToString().Trim());
                    return arguments;
                case ',' when depth == 0:
                    arguments.Add(current.ToString().Trim());
                    current.Clear();
                    continue;
            }

            current.Append(c);
        }

        throw new InvalidOperationException("unbalanced postMessage call");
    }

    private static string StripComments(string source) => Comment().Replace(source, " ");

    private static async Task<(int ExitCode, string Errors)> RunNodeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start (eng/install-test-deps.sh installs it)");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await errors);
    }

    [GeneratedRegex(@"\bpostMessage\s*\(")]
    private static partial Regex PostMessageCall();

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    // Block comments and whole-line // comments (no URL in the code starts a line with //).
    [GeneratedRegex(@"/\*.*?\*/|^\s*//[^\n]*", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Comment();
}
