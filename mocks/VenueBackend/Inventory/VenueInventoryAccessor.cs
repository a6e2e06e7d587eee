using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>
/// Holds the current inventory. The seed is resolved once, against the start-up time of the injected
/// <see cref="TimeProvider"/>; <see cref="Reset"/> swaps in a fresh inventory built from that same seed.
/// </summary>
internal sealed class VenueInventoryAccessor
{
    private readonly TimeProvider _time;
    private readonly ILogger<VenueInventory> _logger;
    private VenueInventory _current;

    public VenueInventoryAccessor(IOptions<VenueBackendOptions> options, TimeProvider time, ILogger<VenueInventory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Seed = InventorySeed.Resolve(options.Value, time.GetUtcNow());
        _current = new VenueInventory(Seed, time, logger);
        Log.InventorySeeded(logger, Seed.Performances.Count, Seed.Performances.Sum(p => p.Zones.Sum(z => (long)z.Capacity)));
    }

    public InventorySeed Seed { get; }

    public VenueInventory Current => Volatile.Read(ref _current);

    /// <summary>Back to the seed: seats, on-sale times, sessions, holds and orders.</summary>
    public void Reset()
    {
        Volatile.Write(ref _current, new VenueInventory(Seed, _time, _logger));
        Log.InventoryReset(_logger);
    }
}
