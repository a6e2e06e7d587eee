using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using ZiggyCreatures.Caching.Fusion.MicrosoftHybridCache;

namespace OnSale.Gateway.Tests.Availability;

public sealed class AvailabilityExtensionsTests
{
    [Fact]
    public void AddAvailability_CacheSettings_ConfigureFusionCacheBehindHybridCache()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Gateway:Availability:FreshFor"] = "00:00:03",
            ["Gateway:Cache:FailSafeMaxDuration"] = "02:00:00",
            ["Gateway:Cache:FailSafeThrottleDuration"] = "00:00:02",
            ["Gateway:Cache:FactorySoftTimeout"] = "00:00:00.100",
            ["Gateway:Cache:FactoryHardTimeout"] = "00:00:05",
            ["Gateway:Cache:EagerRefreshThreshold"] = "0.75",
            ["Gateway:Cache:FailSafeActivationLogLevel"] = "Error",
        });

        var fusion = Assert.IsType<FusionHybridCache>(provider.GetRequiredService<HybridCache>()).InnerFusionCache;
        var entry = fusion.DefaultEntryOptions;

        Assert.Equal(TimeSpan.FromSeconds(3), entry.Duration);
        Assert.True(entry.IsFailSafeEnabled);
        Assert.Equal(TimeSpan.FromHours(2), entry.FailSafeMaxDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), entry.FailSafeThrottleDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(100), entry.FactorySoftTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), entry.FactoryHardTimeout);
        Assert.True(entry.AllowTimedOutFactoryBackgroundCompletion);
        Assert.Equal(0.75f, entry.EagerRefreshThreshold);
        Assert.Same(fusion, provider.GetRequiredService<ZiggyCreatures.Caching.Fusion.IFusionCache>());
    }

    [Fact]
    public void AddAvailability_NoCacheSettings_UsesTheDocumentedDefaults()
    {
        using var provider = Build([]);

        var options = provider.GetRequiredService<IOptions<CacheOptions>>().Value;
        var entry = Assert.IsType<FusionHybridCache>(provider.GetRequiredService<HybridCache>()).InnerFusionCache.DefaultEntryOptions;

        Assert.Equal(
            (TimeSpan.FromDays(1), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10), 0.9f, LogLevel.Warning),
            (options.FailSafeMaxDuration, options.FailSafeThrottleDuration, options.FactorySoftTimeout, options.FactoryHardTimeout, options.EagerRefreshThreshold, options.FailSafeActivationLogLevel));
        Assert.Equal(TimeSpan.FromSeconds(2), entry.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(250), entry.FactorySoftTimeout);
    }

    [Theory]
    [InlineData("Gateway:Cache:FactorySoftTimeout", "00:00:20", "FactorySoftTimeout")]
    [InlineData("Gateway:Cache:FactoryHardTimeout", "00:00:00", "FactoryHardTimeout")]
    [InlineData("Gateway:Cache:FailSafeMaxDuration", "00:00:00", "FailSafeMaxDuration")]
    [InlineData("Gateway:Cache:FailSafeThrottleDuration", "-00:00:01", "FailSafeThrottleDuration")]
    [InlineData("Gateway:Cache:EagerRefreshThreshold", "1", "EagerRefreshThreshold")]
    [InlineData("Gateway:Cache:EagerRefreshThreshold", "0", "EagerRefreshThreshold")]
    public void AddAvailability_InvalidCacheSetting_FailsAtStartWithItsName(string key, string value, string named)
    {
        using var provider = Build(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddAvailability(configuration);
        return services.BuildServiceProvider();
    }
}
