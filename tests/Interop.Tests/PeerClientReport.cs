using System.Text.Json;

namespace OnSale.Interop.Tests;

/// <summary>The one JSON line a peer client prints: whether its scenario passed, what failed, and the order it bought.</summary>
/// <param name="Ok">Whether every check passed.</param>
/// <param name="Failures">What failed, one message each.</param>
/// <param name="OrderId">The order the scenario bought, if it got that far.</param>
/// <param name="Seats">The seats of that order.</param>
/// <param name="Calls">How many backend calls the client made.</param>
public sealed record PeerClientReport(bool Ok, IReadOnlyList<string> Failures, int? OrderId, IReadOnlyList<string> Seats, int Calls)
{
    /// <summary>Reads the report from a client's stdout; a run without one fails with everything the client printed.</summary>
    /// <param name="run">The finished run.</param>
    /// <returns>The report.</returns>
    public static PeerClientReport Parse(PeerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var line = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        PeerClientReport? report = null;
        try
        {
            report = line is null ? null : JsonSerializer.Deserialize<PeerClientReport>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (JsonException)
        {
            // Reported below with the raw output.
        }

        return report ?? throw new InvalidOperationException(
            $"The peer client printed no JSON report (exit code {run.ExitCode}).\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
    }

    /// <summary>A failure message listing what the client found, one line each.</summary>
    /// <param name="run">The run, whose stderr is appended.</param>
    /// <returns>The message.</returns>
    public string Describe(PeerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return $"The peer client found {Failures.Count} problem(s) after {Calls} calls (exit code {run.ExitCode}):\n  - "
            + string.Join("\n  - ", Failures)
            + (run.Stderr.Length > 0 ? $"\nstderr:\n{run.Stderr}" : string.Empty);
    }
}
