using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OnSale.LegacyAdapters.Caching;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.LegacyAdapters.Tests.Caching;

/// <summary>
/// <c>AddCachedReads</c> over Microsoft's <see cref="HybridCache"/> (<c>services.AddHybridCache()</c>, what an integrator
/// gets) in front of the mock over real HTTP; backend calls are counted where they land, at the mock.
/// </summary>
public sealed class CachedVenueBackendTests : IAsyncLifetime
{
    private const int Hamlet = 1001;

    private MockBackendHost _mock = null!;

    public static TheoryData<VenueBackendProtocol> Protocols => [VenueBackendProtocol.Soap, VenueBackendProtocol.XmlRpc];

    public async Task InitializeAsync() => _mock = await MockBackendHost.StartAsync();

    public async Task DisposeAsync() => await _mock.DisposeAsync();

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_1000ConcurrentReaders_CallTheBackendOnce(VenueBackendProtocol protocol)
    {
        // The one backend call is slow, so every reader arrives while it is still in flight.
        await _mock.Control.SetFaultsAsync(new FaultSettings { LatencyMs = 1000 });
        await using var services = CreateServices(protocol);
        var backend = services.GetRequiredService<IVenueBackend>();

        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => backend.GetAvailabilityAsync(Hamlet)));

        Assert.All(answers, zones => Assert.Equal(400, zones[0].Capacity));
        Assert.Equal(1, await CallsAsync("GetAvailability"));
    }

    [Fact]
    public async Task GetAvailability_SecondReadWithinThePeriod_IsServedFromTheCache()
    {
        await using var services = CreateServices();
        var backend = services.GetRequiredService<IVenueBackend>();

        var first = await backend.GetAvailabilityAsync(Hamlet);
        await _mock.Control.SetAvailableAsync(Hamlet, 1, 3);
        var second = await backend.GetAvailabilityAsync(Hamlet);

        Assert.Equal(first, second);
        Assert.Equal(400, second[0].Available); // the cached answer, not the backend's new count
        Assert.Equal(1, await CallsAsync("GetAvailability"));
    }

    [Fact]
    public async Task GetAvailability_OtherPerformance_IsItsOwnEntry()
    {
        await using var services = CreateServices();
        var backend = services.GetRequiredService<IVenueBackend>();

        await backend.GetAvailabilityAsync(Hamlet);
        var other = await backend.GetAvailabilityAsync(2001);

        Assert.Equal(50_000, other.Sum(z => z.Capacity));
        Assert.Equal(2, await CallsAsync("GetAvailability"));
    }

    [Fact]
    public async Task GetPerformances_SecondReadWithinThePeriod_IsServedFromTheCache()
    {
        await using var services = CreateServices();
        var backend = services.GetRequiredService<IVenueBackend>();

        var first = await backend.GetPerformancesAsync();
        var second = await backend.GetPerformancesAsync();

        Assert.Equal(first, second);
        Assert.Equal(1, await CallsAsync("GetPerformances"));
    }

    [Fact]
    public async Task GetAvailability_BackendFails_TheErrorIsNotCached()
    {
        await _mock.Control.SetFaultsAsync(new FaultSettings { Outage = true });
        await using var services = CreateServices();
        var backend = services.GetRequiredService<IVenueBackend>();

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.GetAvailabilityAsync(Hamlet));
        await _mock.Control.ClearFaultsAsync();
        var zones = await backend.GetAvailabilityAsync(Hamlet);

        Assert.Equal(503, error.FaultCode);
        Assert.Equal(400, zones[0].Available);
        Assert.Equal(2, await CallsAsync("GetAvailability"));
    }

    [Fact]
    public async Task Writes_AndFindOrder_AreNeverCached()
    {
        await using var services = CreateServices();
        var backend = services.GetRequiredService<IVenueBackend>();

        var session = await backend.GetNewSessionKeyAsync();
        var first = await backend.ReserveTicketsAsync(session, Hamlet, 1, 1);
        var second = await backend.ReserveTicketsAsync(session, Hamlet, 1, 1);
        await backend.ReleaseTicketsAsync(session, second.LineItemId);
        await backend.CheckoutAsync(session, "tok_ok", "ref-cached");
        await backend.FindOrderAsync("ref-cached");
        await backend.FindOrderAsync("ref-cached");
        var otherSession = await backend.GetNewSessionKeyAsync();

        Assert.NotEqual(first.Seats, second.Seats);
        Assert.NotEqual(session, otherSession);
        var calls = (await _mock.Control.GetStatsAsync()).Calls;
        Assert.Equal((2, 2, 1, 1, 2), (calls["GetNewSessionKey"], calls["ReserveTickets"], calls["ReleaseTickets"], calls["Checkout"], calls["FindOrder"]));
    }

    [Fact]
    public async Task GetAvailability_Entry_HasTheConfiguredExpirationKeyAndTags()
    {
        var cache = new RecordingHybridCache();
        var services = new ServiceCollection();
        services.AddSingleton<HybridCache>(cache);
        services.AddVenueBackend(o => o.Url = _mock.SoapUrl).AddCachedReads(o =>
        {
            o.AvailabilityExpiration = TimeSpan.FromSeconds(5);
            o.PerformancesExpiration = TimeSpan.FromMinutes(7);
            o.KeyPrefix = "venue-7";
        });
        await using var provider = services.BuildServiceProvider();
        var backend = provider.GetRequiredService<IVenueBackend>();

        await backend.GetAvailabilityAsync(Hamlet);
        await backend.GetPerformancesAsync();

        Assert.Equal(
            [
                ("venue-7:availability:1001", TimeSpan.FromSeconds(5), "venue-7 venue-7:performance:1001"),
                ("venue-7:performances", TimeSpan.FromMinutes(7), "venue-7"),
            ],
            cache.Entries);
    }

    [Fact]
    public async Task HostStart_NoHybridCache_FailsNamingWhatToAdd()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddVenueBackend(o => o.Url = _mock.SoapUrl).AddCachedReads();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("services.AddHybridCache()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NoHybridCacheAndNoHost_FailsNamingWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddVenueBackend(o => o.Url = _mock.SoapUrl).AddCachedReads();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IVenueBackend>());

        Assert.Contains("services.AddHybridCache()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_ExpirationZero_FailsNamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHybridCache();
        builder.Services.AddVenueBackend(o => o.Url = _mock.SoapUrl).AddCachedReads(o => o.AvailabilityExpiration = TimeSpan.Zero);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AvailabilityExpiration", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider CreateServices(VenueBackendProtocol protocol = VenueBackendProtocol.Soap)
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        services.AddVenueBackend(o =>
        {
            o.Protocol = protocol;
            o.Url = protocol == VenueBackendProtocol.Soap ? _mock.SoapUrl : _mock.XmlRpcUrl;
        }).AddCachedReads(o => o.AvailabilityExpiration = TimeSpan.FromMinutes(5));
        return services.BuildServiceProvider();
    }

    private async Task<long> CallsAsync(string operation) => (await _mock.Control.GetStatsAsync()).Calls[operation];

    /// <summary>Runs every factory and records what each entry was created with.</summary>
    private sealed class RecordingHybridCache : HybridCache
    {
        public List<(string Key, TimeSpan? Expiration, string Tags)> Entries { get; } = [];

        public override async ValueTask<T> GetOrCreateAsync<TState, T>(
            string key,
            TState state,
            Func<TState, CancellationToken, ValueTask<T>> factory,
            HybridCacheEntryOptions? options = null,
            IEnumerable<string>? tags = null,
            CancellationToken cancellationToken = default)
        {
            Entries.Add((key, options?.Expiration, string.Join(' ', tags ?? [])));
            return await factory(state, cancellationToken);
        }

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
