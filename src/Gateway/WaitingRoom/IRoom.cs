namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// One performance's waiting room as <see cref="WaitingRoomService"/> uses it: in this node's memory
/// (<see cref="Room"/>, kept durable by <see cref="IWaitingRoomStore"/>), or shared by every node of a cluster in a
/// store that keeps it itself. The figures (<see cref="Opened"/>, <see cref="Figures"/>…) are as of the last admission
/// round; a buyer's place is always read where it lives.
/// </summary>
internal interface IRoom
{
    int PerformanceId { get; }

    DateTimeOffset OpensAt { get; }

    bool Opened { get; }

    /// <summary>Newcomers queue: demand is above the activation threshold, or people are waiting.</summary>
    bool IsActive { get; }

    /// <summary>As far as we know, nothing is left to buy.</summary>
    bool SoldOut { get; }

    /// <summary>The seats last known left, after those promised to purchases in flight; null while not known.</summary>
    int? SeatsLeft { get; set; }

    (int Waiting, int Lobby, int Active, int Limit, double Rate) Figures { get; }

    /// <summary>A new place, or the caller's own when <paramref name="existing"/> is theirs (see <see cref="Room.Join"/>); while <paramref name="paused"/>, a newcomer queues.</summary>
    ValueTask<(EntryView View, StoredEntry? Created)> JoinAsync(UInt128? existing, UInt128? newId, DateTimeOffset now, bool paused = false);

    /// <summary>The buyer's place, counting the poll against its budget (see <see cref="Room.Poll"/>); null when unknown.</summary>
    ValueTask<(EntryView? View, TimeSpan? Throttled)> PollAsync(UInt128 id, DateTimeOffset now, TimeSpan interval, int burst);

    ValueTask<SpendResult> SpendAsync(UInt128 id, int seats, int budget, DateTimeOffset now);

    ValueTask<StoredEntry?> RefundAsync(UInt128 id, int seats);

    /// <summary>Seats from a client's own share (see <see cref="Room.SpendAsClient"/>); while <paramref name="paused"/>, no new share.</summary>
    ValueTask<SpendResult> SpendAsClientAsync(string clientKey, int seats, int budget, DateTimeOffset now, bool paused = false);

    ValueTask RefundClientAsync(string clientKey, int seats);

    ValueTask<StoredEntry?> ReleaseAsync(UInt128 id, DateTimeOffset now);

    /// <summary>One admission round (see <see cref="Room.Tick"/>); in a shared room, the cluster's round when it is due.</summary>
    ValueTask<TickResult> TickAsync(DateTimeOffset now, bool soldOut, AdmissionPace pace, IShuffleRandom? random);
}

/// <summary>
/// Where rooms are made: in memory and restored from <see cref="IWaitingRoomStore"/> (one node), or in a store the
/// nodes of a cluster share, where a room another node made is found by every node.
/// </summary>
internal interface IRoomFactory
{
    /// <summary>The rooms there are at start-up.</summary>
    Task<IReadOnlyList<IRoom>> RestoreAsync(CancellationToken cancellationToken);

    /// <summary>A new room, or in a shared store the one another node made first.</summary>
    Task<IRoom> CreateAsync(int performanceId, DateTimeOffset opensAt, CancellationToken cancellationToken);

    /// <summary>A room another node made, or null (always null in memory: a room this node does not have does not exist).</summary>
    Task<IRoom?> FindAsync(int performanceId, CancellationToken cancellationToken);

    /// <summary>Rooms made by other nodes since this one last looked, other than <paramref name="known"/>.</summary>
    Task<IReadOnlyList<IRoom>> MadeElsewhereAsync(ICollection<int> known, CancellationToken cancellationToken);
}

/// <summary>One node's rooms, in memory, restored from the store.</summary>
internal sealed class MemoryRooms(IWaitingRoomStore store, TimeProvider time, Microsoft.Extensions.Options.IOptions<WaitingRoomOptions> options) : IRoomFactory
{
    public async Task<IReadOnlyList<IRoom>> RestoreAsync(CancellationToken cancellationToken)
    {
        var (rooms, entries) = await store.LoadAsync(cancellationToken);
        var byRoom = entries.ToLookup(e => e.PerformanceId);
        var now = time.GetUtcNow();
        var restored = new List<IRoom>();
        foreach (var stored in rooms)
        {
            var room = new Room(stored.PerformanceId, stored.OpensAt, options.Value);
            room.Restore(stored, byRoom[stored.PerformanceId], now);
            restored.Add(room);
        }

        return restored;
    }

    public async Task<IRoom> CreateAsync(int performanceId, DateTimeOffset opensAt, CancellationToken cancellationToken)
    {
        await store.SaveRoomAsync(new StoredRoom(performanceId, opensAt, Opened: false), CancellationToken.None);
        return new Room(performanceId, opensAt, options.Value);
    }

    public Task<IRoom?> FindAsync(int performanceId, CancellationToken cancellationToken) => Task.FromResult<IRoom?>(null);

    public Task<IReadOnlyList<IRoom>> MadeElsewhereAsync(ICollection<int> known, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IRoom>>([]);
}
