using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using OnSale.Gateway.Caching;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Caching;

public sealed class CachingExtensionsTests
{
    [Fact]
    public void AddFailSafeHybridCache_WithConfiguration_BindsOptions()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Gateway:Cache:FailSafeMaxDuration"] = "00:10:00",
            ["Gateway:Cache:FactorySoftTimeout"] = "00:00:00.100",
            ["Gateway:Cache:MaxEntries"] = "500",
            ["Gateway:Cache:FailSafeActivationLogLevel"] = "Error",
            ["Gateway:Cache:DefaultEntryOptions:Expiration"] = "00:00:05",
        });

        var options = provider.GetRequiredService<IOptions<FailSafeHybridCacheOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(10), options.FailSafeMaxDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.FactorySoftTimeout);
        Assert.Equal(500, options.MaxEntries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, options.FailSafeActivationLogLevel);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultEntryOptions.Expiration);
    }

    [Fact]
    public void AddFailSafeHybridCache_WithoutConfiguration_UsesDefaults()
    {
        using var provider = Build(settings: null);

        var options = provider.GetRequiredService<IOptions<FailSafeHybridCacheOptions>>().Value;

        Assert.Equal(TimeSpan.FromDays(1), options.FailSafeMaxDuration);
        Assert.Equal(TimeSpan.FromSeconds(1), options.FailSafeThrottleDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.FactorySoftTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.FactoryHardTimeout);
        Assert.Equal(100_000, options.MaxEntries);
        Assert.Equal(TimeSpan.FromSeconds(2), options.DefaultEntryOptions.Expiration);
        Assert.Equal(1024 * 1024, options.MaximumPayloadBytes);
        Assert.Equal(1024, options.MaximumKeyLength);
    }

    [Theory]
    [InlineData("Gateway:Cache:MaxEntries", "0")]
    [InlineData("Gateway:Cache:FactoryHardTimeout", "00:00:00")]
    [InlineData("Gateway:Cache:FactorySoftTimeout", "00:00:20")]
    [InlineData("Gateway:Cache:FailSafeMaxDuration", "-00:00:01")]
    [InlineData("Gateway:Cache:DefaultEntryOptions:Expiration", "-00:00:01")]
    public void AddFailSafeHybridCache_InvalidConfiguration_FailsStartupValidation(string setting, string value)
    {
        using var provider = Build(new Dictionary<string, string?> { [setting] = value });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void AddFailSafeHybridCache_Registered_ResolvesFailSafeHybridCacheOnInjectedClock()
    {
        var time = TestClock.Create();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        services.AddFailSafeHybridCache();
        using var provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<HybridCache>();

        var failSafe = Assert.IsType<FailSafeHybridCache>(cache);
        Assert.False(failSafe.HasDistributedCache);
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddFailSafeHybridCache_DistributedCacheRegisteredAfterwards_UsesItAsL2()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddFailSafeHybridCache();
        services.AddSingleton(Substitute.For<IDistributedCache>());
        using var provider = services.BuildServiceProvider();

        var cache = Assert.IsType<FailSafeHybridCache>(provider.GetRequiredService<HybridCache>());

        Assert.True(cache.HasDistributedCache);
    }

    [Fact]
    public void AddFailSafeHybridCache_HybridCacheAlreadyRegistered_KeepsIt()
    {
        var mine = Substitute.For<HybridCache>();
        var services = new ServiceCollection().AddLogging().AddSingleton(mine);
        services.AddFailSafeHybridCache();
        using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<HybridCache>());
    }

    private static ServiceProvider Build(Dictionary<string, string?>? settings)
    {
        var services = new ServiceCollection().AddLogging();
        var configuration = settings is null ? null : new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services.AddFailSafeHybridCache(configuration);
        return services.BuildServiceProvider();
    }
}
