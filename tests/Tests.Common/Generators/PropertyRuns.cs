using FsCheck;
using Microsoft.FSharp.Core;

namespace OnSale.Tests.Common.Generators;

/// <summary>How the suite's FsCheck properties run.</summary>
/// <remarks>
/// Every property starts from the same seed, so it tries the same cases on every machine and in every run: a failure
/// in CI is the same failure on a laptop, and running the test again reproduces it. FsCheck's failure message names
/// the seed and the shrunk counterexample. To look for new cases, change the seed on one property (its
/// <c>Replay</c>, e.g. <c>"(1,3)"</c>), and keep what it finds as a fixed test.
/// </remarks>
public static class PropertyRuns
{
    /// <summary>For <c>[Property(Replay = PropertyRuns.Replay)]</c>: the seed and gamma (odd) of <see cref="Rnd"/>.</summary>
    public const string Replay = "(20261122,20261201)";

    /// <summary>
    /// A case that takes this long is hung, not slow: every document the properties try is decoded in milliseconds.
    /// </summary>
    public static readonly TimeSpan HangBound = TimeSpan.FromSeconds(10);

    /// <summary>The configuration <see cref="Replay"/> stands for (the same two numbers), for properties checked from a plain test.</summary>
    public static Config Config(int maxTest) =>
        FsCheck.Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithReplay(FSharpOption<FsCheck.Replay>.Some(new FsCheck.Replay(new Rnd(20261122, 20261201), FSharpOption<int>.None)));

    /// <summary>Runs <paramref name="decode"/> and returns what it threw (null when it returned); fails if it hangs.</summary>
    public static Exception? Outcome(Action decode)
    {
        var run = Task.Run(() =>
        {
            try
            {
                decode();
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        });
        return run.Wait(HangBound)
            ? run.Result
            : throw new TimeoutException($"the decoder did not finish within {HangBound.TotalSeconds:0} s: it hangs on this input");
    }
}
