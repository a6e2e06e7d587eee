using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// One performance's waiting room in Redis, shared by every node: the same rules as <see cref="Room"/> (which it
/// follows line by line), each operation one script (<see cref="RedisRoomScripts"/>), so that a buyer's place, position
/// and turn are the same whatever node they ask, and the cluster has one line, one lobby shuffled once and one
/// admission limit. Admission rounds are run by whichever node's round is due first (the script keeps them at least
/// half an interval apart), at the cluster's pace: this node's share of the backend budget times the live nodes. A
/// place costs 32 bytes in Redis, 4 more in the line and 4 in the lobby's ranks.
/// </summary>
internal sealed partial class RedisRoom : IRoom
{
    /// <summary>The most buyers one round looks at: a round is one script, and Redis serves nobody else while it runs.</summary>
    private const int MostPerRound = 2_000;

    /// <summary>After this long a closed lobby that nobody placed (its closer died) is placed by the next round.</summary>
    private static readonly TimeSpan ShuffleTakeOver = TimeSpan.FromSeconds(5);

    private readonly RedisConnection _redis;
    private readonly IClusterNodes _nodes;
    private readonly WaitingRoomOptions _options;
    private readonly ILogger _logger;
    private readonly RedisKey[] _keys;
    private int _seatsLeft = -1;
    private Figures _figures;

    public RedisRoom(int performanceId, RedisResult[] figures, RedisConnection redis, IClusterNodes nodes, WaitingRoomOptions options, ILogger logger)
    {
        PerformanceId = performanceId;
        _redis = redis;
        _nodes = nodes;
        _options = options;
        _logger = logger;
        _keys = KeysOf(performanceId);
        _figures = Figures.Read(figures, 0);
    }

    public int PerformanceId { get; }

    public DateTimeOffset OpensAt => DateTimeOffset.FromUnixTimeMilliseconds(_figures.OpensAtMs);

    public bool Opened => _figures.Opened;

    public bool IsActive => _figures.IsActive;

    public bool SoldOut => _figures.SoldOut;

    public int? SeatsLeft
    {
        get => Volatile.Read(ref _seatsLeft) is var left and >= 0 ? left : null;
        set => Volatile.Write(ref _seatsLeft, value is { } left ? Math.Max(0, left) : -1);
    }

    (int Waiting, int Lobby, int Active, int Limit, double Rate) IRoom.Figures
    {
        get
        {
            var f = _figures;
            return f.Opened ? (f.Next - f.Head, 0, f.Active, f.Limit, f.Rate) : (0, f.Slots, f.Active, f.Limit, f.Rate);
        }
    }

    public async ValueTask<(EntryView View, StoredEntry? Created)> JoinAsync(UInt128? existing, UInt128? newId, DateTimeOffset now, bool paused = false)
    {
        var check = new byte[12];
        string hex;
        if (newId is { } named)
        {
            (_, check, hex) = Parts(named);
        }
        else
        {
            RandomNumberGenerator.Fill(check);
            hex = string.Empty;
        }

        var (index, known, knownHex) = existing is { } id ? Parts(id) : (0, [], string.Empty);
        var result = await RunAsync(RedisRoomScripts.Join,
        [
            now.ToUnixTimeMilliseconds(), existing is null ? 0 : 1, index, known, knownHex, check, hex,
            (long)_options.AccessWindow.TotalMilliseconds, _options.EffectiveActivationThreshold, paused ? 1 : 0,
        ]);
        var created = (int)result[6] == 1;
        var slot = (long)result[0];
        var entryId = !created ? existing!.Value : newId ?? IdOf(check, slot);
        var view = View(entryId, result);
        return (view, created ? new StoredEntry(PerformanceId, entryId, slot + 1, null, view.State, view.AccessExpiresAt) : null);
    }

    public async ValueTask<(EntryView? View, TimeSpan? Throttled)> PollAsync(UInt128 id, DateTimeOffset now, TimeSpan interval, int burst)
    {
        var (index, check, hex) = Parts(id);
        var step = interval > TimeSpan.Zero ? Math.Max(1, (long)interval.TotalMilliseconds) : 0;
        var result = await RunAsync(RedisRoomScripts.Poll, [now.ToUnixTimeMilliseconds(), index, check, hex, step, burst]);
        if (result.Length == 0)
        {
            return (null, null);
        }

        var throttled = (long)result[5];
        return (View(id, result), throttled >= 0 ? TimeSpan.FromMilliseconds(throttled) : null);
    }

    public async ValueTask<SpendResult> SpendAsync(UInt128 id, int seats, int budget, DateTimeOffset now)
    {
        var (index, check, hex) = Parts(id);
        var result = await RunAsync(RedisRoomScripts.Spend, [now.ToUnixTimeMilliseconds(), index, check, hex, seats, budget]);
        return Spent(result);
    }

    public async ValueTask<StoredEntry?> RefundAsync(UInt128 id, int seats)
    {
        var (index, check, hex) = Parts(id);
        await RunAsync(RedisRoomScripts.Refund, [index, check, hex, seats]);
        return null;
    }

    public async ValueTask<SpendResult> SpendAsClientAsync(string clientKey, int seats, int budget, DateTimeOffset now, bool paused = false) =>
        Spent(await RunAsync(RedisRoomScripts.SpendAsClient,
        [
            now.ToUnixTimeMilliseconds(), clientKey, seats, budget, (long)_options.AccessWindow.TotalMilliseconds, _options.EffectiveActivationThreshold,
            paused ? 1 : 0,
        ]));

    public async ValueTask RefundClientAsync(string clientKey, int seats) =>
        await RunAsync(RedisRoomScripts.RefundClient, [clientKey, seats]);

    public async ValueTask<StoredEntry?> ReleaseAsync(UInt128 id, DateTimeOffset now)
    {
        var (index, check, hex) = Parts(id);
        await RunAsync(RedisRoomScripts.Release, [now.ToUnixTimeMilliseconds(), index, check, hex, (long)_options.AccessWindow.TotalMilliseconds]);
        return null;
    }

    /// <summary>
    /// Opens the lobby when it is time (closed by one script, placed by one more, each once for the cluster), then the
    /// round if it is due. While Redis does not answer there is no round: nobody is admitted anywhere meanwhile, and the
    /// figures stay as last read.
    /// </summary>
    public async ValueTask<TickResult> TickAsync(DateTimeOffset now, bool soldOut, AdmissionPace pace, IShuffleRandom? random)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        try
        {
            var placed = 0;
            var opened = false;
            if (!_figures.Opened && now >= OpensAt)
            {
                var lobby = (int)(await RunAsync(RedisRoomScripts.Seal, [nowMs]))[0];
                if (lobby > 0)
                {
                    opened = await PlaceLobbyAsync(lobby, random ?? new CryptoShuffleRandom());
                    placed = lobby;
                }
                else
                {
                    opened = lobby == 0;
                }
            }
            else if (_figures is { Opened: true, Shuffled: false } f && nowMs - f.SealedAtMs > ShuffleTakeOver.TotalMilliseconds)
            {
                await PlaceLobbyAsync(f.LobbySize, random ?? new CryptoShuffleRandom()); // its closer died before placing it
            }

            var nodes = Math.Max(1, _nodes.Nodes.Count);
            var result = await RunAsync(RedisRoomScripts.Tick,
            [
                nowMs, (pace.PurchasesPerSecond * nodes).ToString("R", CultureInfo.InvariantCulture), pace.Queued ? 1 : 0, pace.Backlog,
                pace.Trouble ? 1 : 0, soldOut ? 1 : 0, SeatsLeft ?? -1,
                (long)_options.AccessWindow.TotalMilliseconds, (long)_options.AbandonAfter.TotalMilliseconds,
                (long)_options.AdjustInterval.TotalMilliseconds, (long)_options.AdmissionInterval.TotalMilliseconds,
                _options.MaxActiveBuyers, _options.EffectiveActivationThreshold, MostPerRound, pace.Paused ? 1 : 0,
            ]);
            _figures = Figures.Read(result, 4);
            return new TickResult([], opened, placed, (int)result[1], (int)result[2], (int)result[3]);
        }
        catch (StoreUnavailableException ex)
        {
            LogRoundSkipped(_logger, PerformanceId, RedisConnection.Brief(ex));
            return new TickResult([], false, 0, 0, _figures.Limit, _figures.Limit);
        }
    }

    /// <summary>A room's figures, read (or made) in Redis.</summary>
    internal static Task<RedisResult[]> ReadAsync(RedisConnection redis, int performanceId, string script, RedisValue[] values)
    {
        var keys = KeysOf(performanceId);
        return redis.RunAsync(async db => (RedisResult[])(await db.ScriptEvaluateAsync(script, keys, values))!);
    }

    private static RedisKey[] KeysOf(int performanceId) => [.. RedisRoomScripts.Keys(performanceId).Select(k => (RedisKey)k)];

    /// <summary>The parts of an id the scripts take: the slot index (its low 32 bits), the other 96 bits, and its hex for named ids.</summary>
    private static (long Index, byte[] Check, string Hex) Parts(UInt128 id)
    {
        var check = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(check, (ulong)(id >> 64));
        BinaryPrimitives.WriteUInt32LittleEndian(check.AsSpan(8), (uint)((ulong)id >> 32));
        return ((uint)(ulong)id, check, id.ToString("x32", CultureInfo.InvariantCulture));
    }

    private static UInt128 IdOf(byte[] check, long index) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(check), ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(check.AsSpan(8)) << 32) | (uint)index);

    private static SpendResult Spent(RedisResult[] result) =>
        new((SpendOutcome)(int)result[0], (int)result[1], null);

    /// <summary>Places the lobby at random (Fisher–Yates, as in memory) and writes it, if no other node has.</summary>
    private async Task<bool> PlaceLobbyAsync(int lobby, IShuffleRandom random)
    {
        var order = new int[lobby];
        for (var i = 0; i < lobby; i++)
        {
            order[i] = i;
        }

        LobbyShuffle.Shuffle(order, random);
        var orderBytes = new byte[lobby * 4];
        var rankBytes = new byte[lobby * 4];
        for (var key = 0; key < lobby; key++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(orderBytes.AsSpan(key * 4), order[key]);
            BinaryPrimitives.WriteInt32LittleEndian(rankBytes.AsSpan(order[key] * 4), key);
        }

        return (int)(await RunAsync(RedisRoomScripts.Shuffle, [lobby, orderBytes, rankBytes]))[0] == 1;
    }

    private async Task<RedisResult[]> RunAsync(string script, RedisValue[] values)
    {
        var result = await _redis.RunAsync(db => db.ScriptEvaluateAsync(script, _keys, values));
        return result.Resp2Type == ResultType.Array ? (RedisResult[])result! : [result];
    }

    /// <summary>The buyer's view from a script's answer: the place (index, state, order key, access end, seats), then the figures.</summary>
    private static EntryView View(UInt128 id, RedisResult[] a)
    {
        var state = (EntryState)(int)a[1];
        var orderKey = (long)a[2];
        var accessEnds = (long)a[3];
        var figures = Figures.Read(a, 7);
        int? position = state == EntryState.Waiting ? (int)(orderKey - figures.Head + 1) : null;
        var mean = figures.Takers > 0 ? Math.Round((double)figures.Taken / figures.Takers, 2) : 2;
        return new EntryView(
            id,
            state,
            position,
            figures.SoldOut,
            DateTimeOffset.FromUnixTimeMilliseconds(figures.OpensAtMs),
            state is EntryState.Admitted or EntryState.Expired or EntryState.Done ? DateTimeOffset.FromUnixTimeSeconds(accessEnds) : null,
            figures.Rate > 0.01 ? figures.Rate : null,
            position is { } p && figures.SeatsLeft >= 0 ? new Odds(figures.SeatsLeft, figures.Active + p - 1, mean) : null);
    }

    [LoggerMessage(EventIds.RedisAdmissionRoundSkipped, LogLevel.Debug, "Performance {PerformanceId}: no admission round, Redis did not answer ({Reason})")]
    private static partial void LogRoundSkipped(ILogger logger, int performanceId, string reason);

    /// <summary>A room's figures as a script returns them, from <paramref name="at"/>.</summary>
    private readonly record struct Figures(
        bool Opened, bool Shuffled, bool SoldOut, bool IsActive, int Head, int Next, int Active, int Limit, double Rate,
        int SeatsLeft, long Taken, int Takers, long OpensAtMs, int Slots, long SealedAtMs, int LobbySize)
    {
        public static Figures Read(RedisResult[] a, int at) => new(
            (int)a[at] == 1,
            (int)a[at + 1] == 1,
            (int)a[at + 2] == 1,
            (int)a[at + 3] == 1,
            (int)a[at + 4],
            (int)a[at + 5],
            (int)a[at + 6],
            (int)a[at + 7],
            double.Parse((string)a[at + 8]!, CultureInfo.InvariantCulture),
            (int)a[at + 9],
            (long)a[at + 10],
            (int)a[at + 11],
            (long)a[at + 12],
            (int)a[at + 13],
            (long)a[at + 14],
            (int)a[at + 15]);
    }
}
