namespace OnSale.Gateway.Resilience;

internal static class ResilienceExtensions
{
    /// <summary>The backend adapter (binding from <c>Gateway:Backend</c>) behind the gateway's Polly pipelines.</summary>
    public static IServiceCollection AddBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResilienceOptions>().Bind(configuration.GetSection(ResilienceOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BackendHealth>();
        services.AddSingleton<BackendBudget>();
        services.AddSingleton<BackendResilience>();
        services.AddSingleton<DegradedMode>();
        services.AddHostedService<ModeExpiry>();
        services.AddVenueBackend(configuration)
            .AddResiliencePipeline((provider, operation) => provider.GetRequiredService<BackendResilience>().For(operation));
        return services;
    }
}
