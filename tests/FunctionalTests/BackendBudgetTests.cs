using System.Net;
using OnSale.Mocks.VenueBackend.Control;
using OnSale.Tests.Common;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.FunctionalTests;

/// <summary>
/// The gateway as shipped, told nothing of the box's ceiling, against a mock that refuses every call beyond 20 a second:
/// the budget finds the ceiling, purchases wait for it instead of meeting refusals, and every one of them is bought.
/// Real processes, real HTTP on loopback, the real clock; bounded (60 purchases).
/// </summary>
public sealed class BackendBudgetTests : FunctionalTest
{
    private const int Ceiling = 20;

    [Fact]
    public async Task SixtyPurchasesAtOnce_BoxOfTwentyCallsASecondTheGatewayWasNotToldOf_AllBoughtWithFewRefusals()
    {
        await using var gateway = await GatewayProcess.StartAsync(Mock.SoapUrl, DataPath);
        await gateway.KnowAvailabilityAsync(1001);
        await Mock.Control.SetFaultsAsync(new FaultSettings { MaxCallsPerSecond = Ceiling });
        var before = await Mock.Control.GetStatsAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var response = await gateway.PurchaseAsync(
                new { performanceId = 1001, zoneId = 1, quantity = 1, paymentToken = "tok_ok", email = $"buyer{i}@example.com" },
                $"budget-{i}");
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"purchase {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return (await GatewayHostJson.ReadAsync(response)).GetProperty("purchaseId").GetString()!;
        }));
        foreach (var id in answers)
        {
            await Eventually.HoldsAsync(
                () => gateway.GetJsonAsync($"/api/v1/purchases/{id}"),
                p => p.GetProperty("status").GetString() == "confirmed",
                $"{id} confirmed");
        }

        var after = await Mock.Control.GetStatsAsync();
        var calls = after.Calls.Values.Sum() - before.Calls.Values.Sum();
        var refused = after.Rejected - before.Rejected;
        Assert.Equal(60, (await Mock.Control.GetOrdersAsync()).Count);
        Assert.True(refused <= 0.05 * calls, $"{refused} of {calls} calls refused by the box");

        var budget = (await gateway.GetJsonAsync("/admin/api/status", GatewayProcess.AdminKey)).GetProperty("backend").GetProperty("budget");
        Assert.InRange(budget.GetProperty("callsPerSecond").GetDouble(), 0.5 * Ceiling, 1.5 * Ceiling);
    }
}
