using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Tests.Infrastructure;

/// <summary>
/// CONTRACT.md §3: any combination of the contract's keys within their ranges starts; interacting keys get their
/// meaningful reading; a value that has none fails fast, naming the key.
/// </summary>
public sealed class ContractConfigurationTests
{
    /// <summary>Every combination of the numeric contract keys at their lowest and highest values, over both bindings.</summary>
    public static TheoryData<string, string, string, string, string> Boundaries()
    {
        var data = new TheoryData<string, string, string, string, string>();
        foreach (var protocol in new[] { "Soap", "XmlRpc" })
        {
            foreach (var threshold in new[] { "0", "1000000" })
            {
                foreach (var max in new[] { "1", "1000000" })
                {
                    foreach (var window in new[] { "00:00:10", "1.00:00:00" })
                    {
                        foreach (var perMinute in new[] { "1", "10000000" })
                        {
                            data.Add(protocol, threshold, max, window, perMinute);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task Start_ContractKeysAtTheirBoundaries_StartsAndIsReady(string protocol, string threshold, string max, string window, string perMinute)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Backend:Protocol"] = protocol,
            ["Gateway:WaitingRoom:ActivationThreshold"] = threshold,
            ["Gateway:WaitingRoom:MaxActiveBuyers"] = max,
            ["Gateway:WaitingRoom:AccessWindow"] = window,
            ["Gateway:RateLimits:PerClientPerMinute"] = perMinute,
        };

        // Alternate the keys that are either there or not, so that every one is seen both ways.
        if (threshold == max || protocol == "Soap")
        {
            settings["Gateway:Venues:royal-hall:Origins:0"] = "https://www.royalhall.example";
        }

        if (window == perMinute || protocol == "XmlRpc")
        {
            settings["Gateway:Admin:ApiKey"] = null;
        }

        await using var app = Create(settings);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Start_MaxActiveBuyersAloneBelowTheDefaultThreshold_StartsAndActivatesAtTheCeiling()
    {
        await using var app = Create(new Dictionary<string, string?> { ["Gateway:WaitingRoom:MaxActiveBuyers"] = "50" });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var options = app.Services.GetRequiredService<IOptions<OnSale.Gateway.WaitingRoom.WaitingRoomOptions>>().Value;
        Assert.Equal(50, options.EffectiveActivationThreshold);
    }

    [Theory]
    [InlineData("Gateway:Backend:Protocol", "Corba", "Gateway:Backend:Protocol")]
    [InlineData("Gateway:Backend:Url", "not a url", "Gateway:Backend:Url")]
    [InlineData("Gateway:WaitingRoom:MaxActiveBuyers", "0", "MaxActiveBuyers")]
    [InlineData("Gateway:WaitingRoom:ActivationThreshold", "-1", "ActivationThreshold")]
    [InlineData("Gateway:WaitingRoom:AccessWindow", "00:00:01", "AccessWindow")]
    [InlineData("Gateway:RateLimits:PerClientPerMinute", "0", "PerClientPerMinute")]
    [InlineData("Gateway:Venues:royal-hall:Origins:0", "https://www.royalhall.example/tickets", "Gateway:Venues:royal-hall:Origins:0")]
    public void Start_AValueWithNoMeaning_FailsFastNamingTheKey(string key, string value, string named)
    {
        using var app = Create(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(named, Flatten(error), StringComparison.Ordinal);
    }

    private static WebApplicationFactory<Program> Create(Dictionary<string, string?> settings)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>
        {
            // Nothing listens there: starting must not need the backend.
            ["Gateway:Backend:Url"] = "http://127.0.0.1:9/VenueService.svc",
            ["Gateway:DataPath"] = dataPath,
            ["Gateway:Admin:ApiKey"] = GatewayHost.AdminKey,
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
    }

    /// <summary>Every message of an error and of its inner errors, one a line.</summary>
    internal static string Flatten(Exception error)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.Message);
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    text.AppendLine(Flatten(inner));
                }
            }
        }

        return text.ToString();
    }
}
