using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Widget;

/// <summary>The widget's solver of hot on-sales' challenges: its rules, and its answers checked by the gateway.</summary>
public sealed partial class WidgetAssetsTests
{
    [Fact]
    public void ProofOfWork_NeverWritesHtmlFromStrings()
    {
        var source = StripComments(Source("proof-of-work.js"));

        Assert.DoesNotMatch(@"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\s*\(", source);
    }

    [Fact]
    public void ProofOfWork_PostsOnlyBetweenThePageAndItsOwnWorker()
    {
        var source = StripComments(Source("proof-of-work.js"));
        var posts = PostMessageCall().Matches(source);

        // To the worker it started, and from inside the worker back to it: never to a window.
        Assert.NotEmpty(posts);
        Assert.All(posts, post => Assert.Matches(@"\b(worker|self)\.$", source[..post.Index]));
    }

    [Fact]
    public async Task ProofOfWork_SolutionsOfTheScript_AreAcceptedByTheGateway()
    {
        // Key ids of every length move the nonce across SHA-256's 64-byte blocks (the script hashes a midstate, then
        // one or two final blocks), so each way the message can end is covered.
        var time = TestClock.Create();
        var options = Options.Create(new HotOnSaleOptions { ProofOfWorkBits = 8 });
        var cases = Enumerable.Range(1, 70).Select(length =>
        {
            IReadOnlyList<(string Id, byte[] Secret)> keys = [(new string('k', length), Encoding.UTF8.GetBytes(new string('s', 32)))];
            var pow = new ProofOfWork(() => keys, new ProofOfWorkLedger(100), time, options);
            return (Pow: pow, Challenge: pow.Issue(2001, required: true));
        }).ToList();

        var nonces = await SolveWithScriptAsync([.. cases.Select(c => c.Challenge.Challenge)], 8);

        Assert.Equal(cases.Count, nonces.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            var (pow, challenge) = cases[i];
            Assert.Matches("^[0-9]{1,15}$", nonces[i]);
            Assert.Equal(ProofOfWorkFailure.None, pow.Check($"{challenge.Challenge}:{nonces[i]}", 2001).Failure);
        }
    }

    /// <summary>Runs proof-of-work.js under node as the worker it is in a browser, one message per challenge.</summary>
    private static async Task<List<string>> SolveWithScriptAsync(IReadOnlyList<string> challenges, int difficulty)
    {
        var folder = Directory.CreateTempSubdirectory("onsale-widget-pow").FullName;
        try
        {
            var script = Path.Combine(folder, "proof-of-work.js");
            await File.WriteAllBytesAsync(script, Assets.ProofOfWorkScript.Bytes);
            var harness = Path.Combine(folder, "harness.js");
            await File.WriteAllTextAsync(harness, """
                const fs = require('fs');
                let listener = null;
                const answers = [];
                globalThis.importScripts = () => {};
                globalThis.self = { addEventListener: (type, f) => { listener = f; }, postMessage: (m) => answers.push(m) };
                eval(fs.readFileSync(process.argv[2], 'utf8'));
                const { challenges, difficulty } = JSON.parse(fs.readFileSync(0, 'utf8'));
                for (const challenge of challenges) listener({ data: { challenge, difficulty } });
                process.stdout.write(JSON.stringify(answers.map((a) => a.nonce ?? a.error)));
                """);
            var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(harness);
            start.ArgumentList.Add(script);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start (eng/install-test-deps.sh installs it)");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { challenges, difficulty }));
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"node failed: {await stderr}");
            return JsonSerializer.Deserialize<List<string>>(await stdout)!;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
