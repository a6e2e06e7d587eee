using System.Globalization;

namespace OnSale.Bench.HotOnSale;

/// <summary>The command line: a mode, then <c>--name value</c> pairs; every option has a default.</summary>
internal sealed record BenchOptions
{
    public string Mode { get; init; } = "lobby";

    public Uri Gateway { get; init; } = new("http://127.0.0.1:5491");

    public string AdminKey { get; init; } = "bench-key";

    /// <summary>The performances whose lobbies are joined (each in turn, the same way), e.g. a plain one and a hot one.</summary>
    public IReadOnlyList<int> Performances { get; init; } = [2001];

    /// <summary>When the lobbies open; by default the latest <c>onSaleAt</c> of <see cref="Performances"/>. The places are read after it.</summary>
    public DateTimeOffset OpensAt { get; init; }

    /// <summary>Farm addresses (127.0.0.11, .12, …) and the joins each makes per performance.</summary>
    public int FarmAddresses { get; init; } = 4;

    public int FarmJoins { get; init; } = 50;

    /// <summary>Real buyers, one join each from their own address (127.0.0.21, .22, …).</summary>
    public int Buyers { get; init; } = 5;

    /// <summary>The venue's identity secret: when given, every address signs one account's identity and sends it.</summary>
    public string? IdentitySecret { get; init; }

    public string Venue { get; init; } = "bench";

    /// <summary>Calibration: the performance whose challenges are solved, and how many solves.</summary>
    public int Performance { get; init; } = 2001;

    public int Runs { get; init; } = 30;

    public string? Out { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { Mode = args.Length > 0 ? args[0] : "lobby" };
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value at '{args[i]}'");
            }

            var value = args[i + 1];
            o = args[i][2..] switch
            {
                "gateway" => o with { Gateway = new Uri(value) },
                "admin-key" => o with { AdminKey = value },
                "performances" => o with { Performances = [.. value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] },
                "opens-at" => o with { OpensAt = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) },
                "farm" => o with { FarmAddresses = int.Parse(value, CultureInfo.InvariantCulture) },
                "farm-joins" => o with { FarmJoins = int.Parse(value, CultureInfo.InvariantCulture) },
                "buyers" => o with { Buyers = int.Parse(value, CultureInfo.InvariantCulture) },
                "identity-secret" => o with { IdentitySecret = value },
                "venue" => o with { Venue = value },
                "performance" => o with { Performance = int.Parse(value, CultureInfo.InvariantCulture) },
                "runs" => o with { Runs = int.Parse(value, CultureInfo.InvariantCulture) },
                "out" => o with { Out = value },
                var name => throw new ArgumentException($"unknown option --{name}"),
            };
        }

        return o;
    }
}
