using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OnSale.Bench.HotOnSale;

/// <summary>One performance's lobby after the opening: who holds which places.</summary>
internal sealed record ShowResult(
    int Performance,
    bool Hot,
    int Places,
    int FarmPlaces,
    int RealPlaces,
    int FarmInFirst9,
    int? BestRealPlace,
    double ExpectedFarmInFirst9,
    double? ExpectedBestRealPlace,
    int FarmSolves,
    int RealSolves,
    double FarmCpuSeconds,
    double? FarmCpuMsPerSolve,
    double? FarmCpuMsPerPlace,
    double FarmWallSeconds,
    IReadOnlyDictionary<string, int> FarmRefusals,
    IReadOnlyDictionary<string, int> RealRefusals,
    int JoinsAfterOpening);

/// <summary>
/// The scenario: real buyers join each lobby once from their own addresses (127.0.0.21, .22, …); then the farm's
/// addresses (127.0.0.11, .12, …) join it up to <see cref="BenchOptions.FarmJoins"/> times each, in parallel, solving a
/// challenge for every join when the show asks for one, and stopping at the first refusal or at a join that gives
/// them no new place (as a script would). After the opening every place is read with its own queue token.
/// </summary>
internal static class Lobby
{
    public static async Task<object> RunAsync(BenchOptions o)
    {
        var farm = Enumerable.Range(0, o.FarmAddresses).Select(i => Client(o, (byte)(11 + i))).ToList();
        var buyers = Enumerable.Range(0, o.Buyers).Select(i => Client(o, (byte)(21 + i))).ToList();
        await WarmAsync(o);
        var shows = new List<(int Performance, bool Hot, List<Join> Real, List<Join> Farm, TimeSpan Cpu, TimeSpan Wall)>();
        foreach (var performance in o.Performances)
        {
            var real = await Task.WhenAll(buyers.Select((client, i) => JoinAsync(o, client, performance, Identity(o, performance, $"buyer-{i + 1}"))));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var farmed = await Task.WhenAll(farm.Select((client, i) => FarmAsync(o, client, performance, Identity(o, performance, $"farm-{i + 1}"))));
            shows.Add((performance, real.Any(j => j.Solved), [.. real], [.. farmed.SelectMany(f => f)], Process.GetCurrentProcess().TotalProcessorTime - cpu, wall.Elapsed));
        }

        await WaitForOpeningAsync(o);
        var results = new List<ShowResult>();
        foreach (var (performance, hot, real, farmed, cpu, wall) in shows)
        {
            var realPlaces = await PlacesAsync(buyers[0], performance, real);
            var farmPlaces = await PlacesAsync(buyers[0], performance, farmed);
            var all = realPlaces.Concat(farmPlaces).ToList();
            var n = all.Count;
            var farmSolves = farmed.Count(j => j.Solved);
            results.Add(new ShowResult(
                performance,
                hot || farmed.Any(j => j.Solved),
                n,
                farmPlaces.Count,
                realPlaces.Count,
                farmPlaces.Count(p => p <= 9),
                realPlaces.Count > 0 ? realPlaces.Min() : null,
                n == 0 ? 0 : Math.Round(Math.Min(9, n) * (double)farmPlaces.Count / n, 2),
                realPlaces.Count > 0 ? Math.Round((n + 1.0) / (realPlaces.Count + 1), 1) : null,
                farmSolves,
                real.Count(j => j.Solved),
                Math.Round(cpu.TotalSeconds, 2),
                farmSolves > 0 ? Math.Round(cpu.TotalMilliseconds / farmSolves, 1) : null,
                farmPlaces.Count > 0 && farmSolves > 0 ? Math.Round(cpu.TotalMilliseconds / farmPlaces.Count, 1) : null,
                Math.Round(wall.TotalSeconds, 1),
                Refusals(farmed),
                Refusals(real),
                real.Concat(farmed).Count(j => j.State is not null and not "lobby")));
        }

        return results;
    }

    /// <summary>A join elsewhere first (performance 1001, on sale, from 127.0.0.99), so that nobody measured meets a cold gateway.</summary>
    private static async Task WarmAsync(BenchOptions o)
    {
        using var client = Client(o, 99);
        _ = await client.GetStringAsync("api/v1/performances");
        using var joined = await client.PostAsync("api/v1/performances/1001/queue", null);
        joined.EnsureSuccessStatusCode();
        foreach (var performance in o.Performances)
        {
            _ = await client.GetStringAsync($"api/v1/performances/{performance}/queue/challenge");
        }
    }

    /// <summary>One address's farming of one lobby.</summary>
    private static async Task<List<Join>> FarmAsync(BenchOptions o, HttpClient client, int performance, string? identity)
    {
        var joins = new List<Join>();
        var held = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.FarmJoins; i++)
        {
            var join = await JoinAsync(o, client, performance, identity);
            joins.Add(join);
            if (join.Entry is null || !held.Add(join.Entry))
            {
                break;
            }
        }

        return joins;
    }

    private static async Task<Join> JoinAsync(BenchOptions o, HttpClient client, int performance, string? identity)
    {
        var path = $"api/v1/performances/{performance}/queue";
        var challenge = await client.GetFromJsonAsync<JsonElement>(path + "/challenge");
        string? proof = null;
        if (challenge.GetProperty("required").GetBoolean())
        {
            var text = challenge.GetProperty("challenge").GetString()!;
            var bits = challenge.GetProperty("difficulty").GetInt32();
            proof = await Task.Run(() => Solver.Solve(text, bits));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (proof is not null)
        {
            request.Headers.Add("OnSale-Proof-Of-Work", proof);
        }

        if (identity is not null)
        {
            request.Headers.Add("OnSale-Identity", identity);
        }

        using var response = await client.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        return response.IsSuccessStatusCode
            ? new Join(proof is not null, root.GetProperty("queueToken").GetString(), root.GetProperty("state").GetString(), null)
            : new Join(proof is not null, null, null, root.TryGetProperty("code", out var code) ? code.GetString() : $"http_{(int)response.StatusCode}");
    }

    /// <summary>The place (1 = first) of every distinct entry among <paramref name="joins"/>, read with its queue token.</summary>
    private static async Task<List<int>> PlacesAsync(HttpClient client, int performance, IEnumerable<Join> joins)
    {
        var places = new List<int>();
        foreach (var token in joins.Where(j => j.Token is not null).DistinctBy(j => j.Entry).Select(j => j.Token!))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/performances/{performance}/queue");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = body.RootElement;

            // MaxActiveBuyers=1: the first in line is admitted at the opening, everyone else waits behind them.
            places.Add(root.GetProperty("state").GetString() == "admitted" ? 1 : root.GetProperty("position").GetInt32() + 1);
        }

        return places;
    }

    private static async Task WaitForOpeningAsync(BenchOptions o)
    {
        using var client = new HttpClient { BaseAddress = o.Gateway };
        var performances = await client.GetFromJsonAsync<JsonElement>("api/v1/performances");
        var opensAt = o.OpensAt != default
            ? o.OpensAt
            : performances.EnumerateArray().Where(p => o.Performances.Contains(p.GetProperty("id").GetInt32())).Max(p => p.GetProperty("onSaleAt").GetDateTimeOffset());
        var wait = opensAt - TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        using var admin = new HttpClient { BaseAddress = o.Gateway };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.AdminKey);
        for (var i = 0; i < 60; i++)
        {
            var status = await admin.GetFromJsonAsync<JsonElement>("admin/api/status");
            var opened = status.GetProperty("queues").EnumerateArray()
                .Where(q => o.Performances.Contains(q.GetProperty("performanceId").GetInt32()))
                .Count(q => q.GetProperty("opened").GetBoolean());
            if (opened == o.Performances.Count)
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException("the lobbies did not open within 30 s of their time");
    }

    private static Dictionary<string, int> Refusals(IEnumerable<Join> joins) =>
        joins.Where(j => j.Refused is not null).GroupBy(j => j.Refused!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>What the venue's site signs for a signed-in account (README, "Hot on-sales"), or null without a secret.</summary>
    private static string? Identity(BenchOptions o, int performance, string account)
    {
        if (o.IdentitySecret is null)
        {
            return null;
        }

        var message = string.Create(CultureInfo.InvariantCulture, $"{o.Venue}.{performance}.{account}.{TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeSeconds()}");
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(o.IdentitySecret), Encoding.UTF8.GetBytes(message)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return message + "." + signature;
    }

    /// <summary>A client whose connections come from 127.0.0.{<paramref name="lastByte"/>}: to the gateway, another address.</summary>
    private static HttpClient Client(BenchOptions o, byte lastByte)
    {
        var local = new IPAddress([127, 0, 0, lastByte]);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = o.Gateway, Timeout = TimeSpan.FromSeconds(30) };
    }

    private sealed record Join(bool Solved, string? Token, string? State, string? Refused)
    {
        /// <summary>The place a queue token names (<c>v1.q.{performance}.{entry}.…</c>).</summary>
        public string? Entry => Token?.Split('.')[3];
    }
}
