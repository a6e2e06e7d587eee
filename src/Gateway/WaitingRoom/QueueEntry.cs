namespace OnSale.Gateway.WaitingRoom;

/// <summary>Where a buyer stands in a performance's room.</summary>
internal enum EntryState : byte
{
    /// <summary>Joined before the on-sale opened; placed at random when it opens.</summary>
    Lobby,

    /// <summary>In line, with an order key.</summary>
    Waiting,

    /// <summary>May hold and buy until the access window ends.</summary>
    Admitted,

    /// <summary>Done: bought, parked a purchase or released their seats.</summary>
    Done,

    /// <summary>The access window ended.</summary>
    Expired,

    /// <summary>Was away when their turn came.</summary>
    Abandoned,
}

/// <summary>One buyer's place, as the store keeps it.</summary>
/// <param name="PerformanceId">The performance.</param>
/// <param name="EntryId">
/// The id tokens carry: minted by the room (96 random bits above the place's index), or named by the caller (a venue
/// identity's place; an older version's 128 random bits).
/// </param>
/// <param name="Arrival">Arrival order within the room, from 1: the place's index plus one.</param>
/// <param name="OrderKey">Place in line (0 = first ever), assigned at opening for the lobby, at joining afterwards.</param>
/// <param name="State">The state.</param>
/// <param name="AccessExpiresAt">When an admitted buyer's access ends.</param>
/// <param name="SeatsSpent">Seats of the buyer's fair share their holds and purchases have taken.</param>
internal sealed record StoredEntry(int PerformanceId, UInt128 EntryId, long Arrival, int? OrderKey, EntryState State, DateTimeOffset? AccessExpiresAt, int SeatsSpent = 0);

/// <summary>A room's own record: when it opens and whether the lobby was already placed.</summary>
internal sealed record StoredRoom(int PerformanceId, DateTimeOffset OpensAt, bool Opened);

/// <summary>Durable places: a restart neither loses nor reorders anyone.</summary>
internal interface IWaitingRoomStore
{
    Task<(IReadOnlyList<StoredRoom> Rooms, IReadOnlyList<StoredEntry> Entries)> LoadAsync(CancellationToken cancellationToken);

    Task SaveRoomAsync(StoredRoom room, CancellationToken cancellationToken);

    /// <summary>Writes new or changed entries durably (batched with concurrent writers).</summary>
    Task SaveEntriesAsync(IReadOnlyList<StoredEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a new place (batched with concurrent writers): safe from a crash of the gateway once the task completes,
    /// and from a crash of the machine within a second, when the store next forces its log to disk. A place is a
    /// buyer's arrival, not a sale; a forced write per batch of joins would cost the door a quarter of its rate.
    /// </summary>
    Task SavePlaceAsync(StoredEntry place, CancellationToken cancellationToken);
}

/// <summary>Random choices of the lobby shuffle: cryptographic in production, seeded in tests.</summary>
internal interface IShuffleRandom
{
    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    int Next(int maxExclusive);
}

internal sealed class CryptoShuffleRandom : IShuffleRandom
{
    public int Next(int maxExclusive) => System.Security.Cryptography.RandomNumberGenerator.GetInt32(maxExclusive);
}

/// <summary>Fisher–Yates: every permutation equally likely, given uniform draws.</summary>
internal static class LobbyShuffle
{
    public static void Shuffle<T>(IList<T> items, IShuffleRandom random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
