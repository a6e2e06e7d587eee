using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace OnSale.Interop.Tests;

/// <summary>
/// A peer implementation (python3 or node) run as a child process: a server started with <see cref="StartAsync"/>
/// that announces <c>LISTENING &lt;port&gt;</c> on its first stdout line, or a client run to its end with
/// <see cref="RunToEndAsync"/>. Disposing kills the whole process tree, so a failed test leaves nothing behind.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "LISTENING ";

    private readonly Process _process;
    private readonly OutputLines _stderr;

    private PeerProcess(Process process, OutputLines stderr, int port)
    {
        _process = process;
        _stderr = stderr;
        Port = port;
    }

    /// <summary>The loopback port the peer server listens on.</summary>
    public int Port { get; }

    /// <summary>The number of stderr lines received so far.</summary>
    public int StderrLineCount => _stderr.Count;

    /// <summary>Starts a peer server and waits (at most <paramref name="timeout"/>) for its <c>LISTENING &lt;port&gt;</c> line.</summary>
    /// <param name="fileName">The executable, looked up on PATH (<c>python3</c>, <c>node</c>).</param>
    /// <param name="arguments">The script and its arguments.</param>
    /// <param name="timeout">How long the server may take to start.</param>
    /// <returns>The running server.</returns>
    public static async Task<PeerProcess> StartAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var stderr = new OutputLines();
        var process = Create(fileName, arguments);
        process.ErrorDataReceived += (_, e) => stderr.Add(e.Data);
        Start(process, fileName);
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            await StopAsync(process);
            process.Dispose();
            throw new TimeoutException($"{Describe(fileName, arguments)} did not announce its port within {timeout.TotalSeconds} s.\nstderr:\n{stderr.Text}");
        }

        if (line is not null && line.StartsWith(ListeningPrefix, StringComparison.Ordinal)
            && int.TryParse(line.AsSpan(ListeningPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            // Keep stdout drained so a chatty peer can never block on a full pipe.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            return new PeerProcess(process, stderr, port);
        }

        // Stopping first lets the rest of stderr (a traceback, say) arrive before it is quoted.
        await StopAsync(process);
        process.Dispose();
        throw new InvalidOperationException(
            $"{Describe(fileName, arguments)} did not announce '{ListeningPrefix}<port>' first; stdout said {Quote(line)}.\nstderr:\n{stderr.Text}");
    }

    /// <summary>Runs a peer client to its end, with stdin closed; kills it and throws when it takes longer than <paramref name="timeout"/>.</summary>
    /// <param name="fileName">The executable, looked up on PATH (<c>python3</c>, <c>node</c>).</param>
    /// <param name="arguments">The script and its arguments.</param>
    /// <param name="timeout">How long the run may take.</param>
    /// <returns>The exit code and what the client printed.</returns>
    public static async Task<PeerRun> RunToEndAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var stdout = new OutputLines();
        var stderr = new OutputLines();
        using var process = Create(fileName, arguments);
        process.OutputDataReceived += (_, e) => stdout.Add(e.Data);
        process.ErrorDataReceived += (_, e) => stderr.Add(e.Data);
        Start(process, fileName);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // Once the process has exited, this also waits for the redirected streams to reach their end.
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            await StopAsync(process);
            throw new TimeoutException(
                $"{Describe(fileName, arguments)} did not finish within {timeout.TotalSeconds} s.\nstdout:\n{stdout.Text}\nstderr:\n{stderr.Text}");
        }

        return new PeerRun(process.ExitCode, stdout.Text, stderr.Text);
    }

    /// <summary>The stderr lines received after the first <paramref name="skip"/>.</summary>
    /// <param name="skip">How many lines to leave out, e.g. an earlier <see cref="StderrLineCount"/>.</param>
    /// <returns>The lines.</returns>
    public IReadOnlyList<string> StderrLines(int skip = 0) => _stderr.Snapshot(skip);

    /// <summary>
    /// Waits until the peer has written <paramref name="line"/> to stderr after line <paramref name="skip"/>. Peers log
    /// a call before answering it, but the line reaches us through a pipe of its own and may trail the answer.
    /// </summary>
    /// <param name="line">The exact line expected.</param>
    /// <param name="skip">Lines written before the call.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns><see langword="true"/> when the line arrived in time.</returns>
    public async Task<bool> WaitForStderrLineAsync(string line, int skip, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_stderr.Snapshot(skip).Contains(line, StringComparer.Ordinal))
            {
                return true;
            }

            if (Stopwatch.GetTimestamp() > deadline || _process.HasExited)
            {
                return _stderr.Snapshot(skip).Contains(line, StringComparer.Ordinal);
            }

            await Task.Delay(10);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        _process.Dispose();
    }

    private static Process Create(string fileName, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = PeerScripts.ScriptsPath,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Everything here is loopback: keep a machine-wide proxy setting away from node-soap (axios honours it).
        info.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        info.Environment["no_proxy"] = "127.0.0.1,localhost";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        return new Process { StartInfo = info };
    }

    private static void Start(Process process, string fileName)
    {
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException(
                $"Could not start '{fileName}' ({ex.Message}). The interop tests need python3 and node on PATH; the test command installs them.",
                ex);
        }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            // Peers stop by themselves when stdin closes; kill the tree if one does not within a moment.
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The pipe is already gone: the process is on its way out.
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await process.WaitForExitAsync(grace.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }

            using var killed = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(killed.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already disposed: nothing to stop.
        }
    }

    private static string Describe(string fileName, IReadOnlyList<string> arguments) =>
        $"'{fileName} {string.Join(' ', arguments.Select(a => Path.GetFileName(a) is { Length: > 0 } name && File.Exists(a) ? name : a))}'";

    private static string Quote(string? line) => line is null ? "nothing (the process closed stdout)" : $"'{line}'";

    private sealed class OutputLines
    {
        private readonly Lock _lock = new();
        private readonly List<string> _lines = [];

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _lines.Count;
                }
            }
        }

        public string Text => string.Join('\n', Snapshot(0));

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lock)
            {
                _lines.Add(line);
            }
        }

        public IReadOnlyList<string> Snapshot(int skip)
        {
            lock (_lock)
            {
                return [.. _lines.Skip(skip)];
            }
        }
    }
}

/// <summary>How a peer client run ended.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Stdout">Everything it wrote to stdout.</param>
/// <param name="Stderr">Everything it wrote to stderr.</param>
public sealed record PeerRun(int ExitCode, string Stdout, string Stderr);
