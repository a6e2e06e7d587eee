namespace OnSale.Gateway.Tests.Widget;

/// <summary>One gateway (in front of the mock) with two venues configured, shared by a test class.</summary>
public sealed class WidgetGatewayFixture : IAsyncLifetime
{
    public const string RoyalHall = "royal-hall";
    public const string VenueSite = "http://127.0.0.1:5070";
    public const string RoyalHallSite = "https://www.royalhall.example";
    public const string BlueRoomSite = "https://blueroom.example:8443";
    public const string Stranger = "https://evil.example";

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Gateway:Venues:royal-hall:Origins:0"] = VenueSite,
        ["Gateway:Venues:royal-hall:Origins:1"] = RoyalHallSite + "/",
        ["Gateway:Venues:blue-room:Origins:0"] = BlueRoomSite,
        ["Gateway:Venues:blue-room:Currency"] = "EUR",
    };

    public GatewayHost Gateway { get; private set; } = null!;

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Gateway = await GatewayHost.StartAsync(settings: Settings);
        await Gateway.KnowAvailabilityAsync(1001); // A fresh host's first backend call may miss its deadline on a loaded machine.
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
