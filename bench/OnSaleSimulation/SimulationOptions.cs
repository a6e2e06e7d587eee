using System.Globalization;

namespace OnSale.Bench.OnSaleSimulation;

/// <summary>What to simulate. Every option has a default; <c>--name value</c> on the command line overrides it.</summary>
internal sealed record SimulationOptions
{
    /// <summary>The gateway's base address (loopback only).</summary>
    public Uri Gateway { get; init; } = new("http://127.0.0.1:5291");

    /// <summary>The mock backend's base address, for its control API only (loopback only).</summary>
    public Uri Mock { get; init; } = new("http://127.0.0.1:5290");

    /// <summary>The gateway's admin key, to read <c>/admin/api/status</c> (the admission limit over time).</summary>
    public string AdminKey { get; init; } = "bench-key";

    public int Performance { get; init; } = 2001;

    /// <summary>The zone on sale; the performance's other zones are set to 0 available.</summary>
    public int Zone { get; init; } = 1;

    public int Buyers { get; init; } = 20_000;

    /// <summary>Seats on sale in <see cref="Zone"/>.</summary>
    public int Seats { get; init; } = 5_000;

    /// <summary>The mock's capacity: calls per second beyond which it answers 503 (and counts them as rejected).</summary>
    public int MockCap { get; init; } = 100;

    /// <summary>The mock's calls in flight beyond which it answers 503 (0: no such cap).</summary>
    public int MockConcurrency { get; init; }

    /// <summary>The gateway's <c>Gateway:Resilience:MaxBackendCallsPerSecond</c>, for the report (the script sets it; 0: not told).</summary>
    public int GatewayCap { get; init; }

    /// <summary>The gateway's <c>Gateway:WaitingRoom:StatusChecksPerSecond</c>, for the report (the script sets it).</summary>
    public int StatusBudget { get; init; } = 5_000;

    /// <summary>Seconds after the opening at which the mock's caps change by <see cref="CapChangeFactor"/> (negative: never).</summary>
    public double CapChangeAt { get; init; } = -1;

    /// <summary>How long the changed caps last, in seconds; then they come back.</summary>
    public double CapChangeFor { get; init; } = 30;

    /// <summary>What the caps are multiplied by while changed.</summary>
    public double CapChangeFactor { get; init; } = 0.5;

    /// <summary>The scenario's name in the report.</summary>
    public string Label { get; init; } = "on-sale";

    /// <summary>The goal for goodput as a share of what the box's caps allow (reported, and part of the verdict).</summary>
    public double GoodputGoal { get; init; } = 0.9;

    /// <summary>The goal for calls refused by the box as a share of all calls (reported, and part of the verdict).</summary>
    public double RefusedGoal { get; init; } = 0.02;

    /// <summary>The mock's calls-per-second cap at <paramref name="t"/> seconds after the opening.</summary>
    public double CapAt(double t) => CapChangeAt >= 0 && t >= CapChangeAt && t < CapChangeAt + CapChangeFor ? Math.Round(MockCap * CapChangeFactor) : MockCap;

    /// <summary>Seconds from setting up until the sale opens: the time the buyers have to join the lobby.</summary>
    public int OpenInSeconds { get; init; } = 30;

    /// <summary>The whole simulation stops after this many seconds from the start, whatever is left.</summary>
    public int MaxRunSeconds { get; init; } = 420;

    /// <summary>A buyer told <c>sold_out</c> for this many seconds in a row stops polling.</summary>
    public int SoldOutPatienceSeconds { get; init; } = 30;

    /// <summary>Seeds quantities and client jitter, so that runs are comparable.</summary>
    public int Seed { get; init; } = 20_270;

    /// <summary>The buyers' connection pool to the gateway (<c>SocketsHttpHandler.MaxConnectionsPerServer</c>).</summary>
    public int Connections { get; init; } = 256;

    /// <summary>Client jitter added to every <c>Retry-After</c>, uniform in [0, this) milliseconds.</summary>
    public int JitterMs { get; init; } = 500;

    /// <summary>Where to write the report: <c>{Out}.md</c> (a markdown fragment) and <c>{Out}.json</c>.</summary>
    public string Out { get; init; } = "bench/out/waitingroom/onsale";

    public static SimulationOptions Parse(string[] args)
    {
        var o = new SimulationOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.");
            }

            var value = args[i + 1];
            o = args[i][2..].ToLowerInvariant() switch
            {
                "gateway" => o with { Gateway = Loopback(value) },
                "mock" => o with { Mock = Loopback(value) },
                "admin-key" => o with { AdminKey = value },
                "performance" => o with { Performance = Int(value) },
                "zone" => o with { Zone = Int(value) },
                "buyers" => o with { Buyers = Int(value) },
                "seats" => o with { Seats = Int(value) },
                "mock-cap" => o with { MockCap = Int(value) },
                "gateway-cap" => o with { GatewayCap = Int(value) },
                "status-budget" => o with { StatusBudget = Int(value) },
                "mock-concurrency" => o with { MockConcurrency = Int(value) },
                "cap-change-at" => o with { CapChangeAt = Double(value) },
                "cap-change-for" => o with { CapChangeFor = Double(value) },
                "cap-change-factor" => o with { CapChangeFactor = Double(value) },
                "label" => o with { Label = value },
                "goodput-goal" => o with { GoodputGoal = Double(value) },
                "refused-goal" => o with { RefusedGoal = Double(value) },
                "open-in" => o with { OpenInSeconds = Int(value) },
                "max-run" => o with { MaxRunSeconds = Int(value) },
                "sold-out-patience" => o with { SoldOutPatienceSeconds = Int(value) },
                "seed" => o with { Seed = Int(value) },
                "connections" => o with { Connections = Int(value) },
                "jitter-ms" => o with { JitterMs = Int(value) },
                "out" => o with { Out = value },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return o;
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static Uri Loopback(string value)
    {
        var uri = new Uri(value, UriKind.Absolute);
        if (!uri.IsLoopback)
        {
            throw new ArgumentException($"Traffic goes to loopback only: '{value}' is not.");
        }

        return uri;
    }
}
