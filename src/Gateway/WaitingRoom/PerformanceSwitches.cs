using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// Support's switches of one kind, per performance (<see cref="HotOnSales"/>, <see cref="AdmissionPauses"/>): one
/// settings entry holds them all; a change is written and audited before it takes effect here, one at a time, and a
/// read is a lock-free snapshot (joins and status checks read it), which a write replaces with a copy.
/// </summary>
internal sealed class PerformanceSwitches<TSetting>(ISettingsStore store, string key, JsonTypeInfo<Dictionary<int, TSetting>> json)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FrozenDictionary<int, TSetting> _current = FrozenDictionary<int, TSetting>.Empty;

    /// <summary>The switches as this node knows them now.</summary>
    public FrozenDictionary<int, TSetting> Current => Volatile.Read(ref _current);

    /// <summary>Sets one performance's switch: persisted, then <paramref name="audit"/> appended, then in force here.</summary>
    public async Task SetAsync(int performanceId, TSetting setting, AuditEntry audit, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var next = new Dictionary<int, TSetting>(_current) { [performanceId] = setting };
            await store.SetAsync(key, JsonSerializer.Serialize(next, json), cancellationToken);
            await store.AppendAuditAsync(audit, cancellationToken);
            Volatile.Write(ref _current, next.ToFrozenDictionary());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the switches as the store holds them: at start-up, and when another node changed them.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var saved = await store.GetAsync(key, cancellationToken);
        if (saved is not null && JsonSerializer.Deserialize(saved, json) is { } switches)
        {
            Volatile.Write(ref _current, switches.ToFrozenDictionary());
        }
    }
}
