using OnSale.Gateway.Availability;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// Redis mode's last good answers: the availability cache's second level in Redis already keeps every answer for all
/// nodes, past its fresh period for <c>Gateway:Cache:FailSafeMaxDuration</c> (fail-safe), so a node that starts while
/// the backend is down serves those (stale, with their <c>asOf</c>). A node-local copy beside it would be restored
/// into the shared cache as older than what other nodes wrote there; there is nothing to keep here.
/// </summary>
internal sealed class SharedCacheKeepsAnswers : IAvailabilityStore
{
    private static readonly LastKnownAnswers Nothing = new(null, []);

    public Task<LastKnownAnswers> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Nothing);

    public Task SaveAsync(PerformanceList? performances, IReadOnlyCollection<AvailabilitySnapshot> availability, CancellationToken cancellationToken) => Task.CompletedTask;
}
