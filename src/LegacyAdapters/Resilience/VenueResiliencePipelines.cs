using Polly;

namespace OnSale.LegacyAdapters.Resilience;

internal sealed class VenueResiliencePipelines(Func<IServiceProvider, VenueOperation, ResiliencePipeline> factory)
{
    public IReadOnlyDictionary<VenueOperation, ResiliencePipeline> Create(IServiceProvider services) =>
        Enum.GetValues<VenueOperation>().ToDictionary(operation => operation, operation => factory(services, operation));
}
