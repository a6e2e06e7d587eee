using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Resilience;

namespace OnSale.Gateway.WaitingRoom;

internal static class WaitingRoomExtensions
{
    public static IServiceCollection AddWaitingRoom(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WaitingRoomOptions>().Bind(configuration.GetSection(WaitingRoomOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<WaitingRoomKeys>();
        services.AddSingleton<IShuffleRandom, CryptoShuffleRandom>();
        services.AddSingleton<IBackendHealthSource>(provider => provider.GetRequiredService<BackendHealth>());
        services.TryAddSingleton<IRoomFactory, MemoryRooms>();
        services.AddSingleton<WaitingRoomService>();
        services.AddSingleton<Infrastructure.IHotPath, HotQueueStatus>();
        services.AddSingleton<IBuyerAccess>(provider => provider.GetRequiredService<WaitingRoomService>());
        services.AddSingleton<IQueueStatusSource>(provider => provider.GetRequiredService<WaitingRoomService>());
        services.AddSingleton<AdmissionPauses>();
        services.AddHostedService(provider => provider.GetRequiredService<AdmissionPauses>()); // restored before the first round
        services.AddHostedService<AdmissionWorker>();
        return services.AddHotOnSales(configuration);
    }
}
