using System.Net;

namespace OnSale.Gateway.Tests.Purchasing;

public sealed class HoldApiTests
{
    [Fact]
    public async Task Hold_ThenCheckout_Returns201ConfirmedForTheHeldSeats()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var holdResponse = await gateway.PostAsync("/api/v1/holds", Requests.Hold(1001, 2, 3));
        var hold = await GatewayHost.JsonAsync(holdResponse);
        var holdId = hold.GetProperty("holdId").GetString()!;
        using var checkout = await gateway.PostAsync($"/api/v1/holds/{holdId}/checkout", Requests.Checkout(), "checkout-1");
        var purchase = await GatewayHost.JsonAsync(checkout);

        Assert.Equal(HttpStatusCode.Created, holdResponse.StatusCode);
        Assert.Equal(3 * 4500, hold.GetProperty("totalCents").GetInt32());
        Assert.True(hold.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.MinValue);
        Assert.Equal(HttpStatusCode.Created, checkout.StatusCode);
        Assert.Equal("confirmed", purchase.GetProperty("status").GetString());
        Assert.Equal(hold.GetProperty("seats").GetRawText(), purchase.GetProperty("seats").GetRawText());
        Assert.Single(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Hold_Released_Returns204AndSeatsReturn()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        var hold = await GatewayHost.JsonAsync(await gateway.PostAsync("/api/v1/holds", Requests.Hold(quantity: 4)));
        var holdId = hold.GetProperty("holdId").GetString()!;
        var during = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");

        using var released = await gateway.Client.DeleteAsync($"/api/v1/holds/{holdId}");
        var after = await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        using var again = await gateway.Client.DeleteAsync($"/api/v1/holds/{holdId}");

        Assert.Equal(396, during.GetProperty("zones")[0].GetProperty("available").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
        Assert.Equal(400, after.GetProperty("zones")[0].GetProperty("available").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task Checkout_ReleasedHold_Returns410HoldExpired()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var holdId = (await GatewayHost.JsonAsync(await gateway.PostAsync("/api/v1/holds", Requests.Hold()))).GetProperty("holdId").GetString()!;
        await gateway.Client.DeleteAsync($"/api/v1/holds/{holdId}");

        using var checkout = await gateway.PostAsync($"/api/v1/holds/{holdId}/checkout", Requests.Checkout(), "checkout-2");

        await Problems.AssertAsync(checkout, HttpStatusCode.Gone, "hold_expired");
        Assert.Empty(await gateway.Mock.Control.GetOrdersAsync());
    }

    [Fact]
    public async Task Checkout_UnknownHold_Returns404UnknownHold()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var checkout = await gateway.PostAsync("/api/v1/holds/hld_nope/checkout", Requests.Checkout(), "checkout-3");

        await Problems.AssertAsync(checkout, HttpStatusCode.NotFound, "unknown_hold");
    }

    [Fact]
    public async Task Checkout_Declined_Returns402AndTheHoldCanStillBeBought()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var holdId = (await GatewayHost.JsonAsync(await gateway.PostAsync("/api/v1/holds", Requests.Hold()))).GetProperty("holdId").GetString()!;

        using var declined = await gateway.PostAsync($"/api/v1/holds/{holdId}/checkout", Requests.Checkout("tok_declined"), "checkout-4");
        using var paid = await gateway.PostAsync($"/api/v1/holds/{holdId}/checkout", Requests.Checkout(), "checkout-5");

        await Problems.AssertAsync(declined, HttpStatusCode.PaymentRequired, "payment_declined");
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
    }

    [Fact]
    public async Task Hold_MoreThanAvailable_Returns409WithTheCount()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.Mock.Control.SetAvailableAsync(1001, 1, 2);

        using var response = await gateway.PostAsync("/api/v1/holds", Requests.Hold(quantity: 3));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "not_enough_seats");
        Assert.Equal(2, problem.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Hold_DegradedMode_Returns503BackendUnavailableWithRetryAfter()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1001/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();

        using var response = await gateway.PostAsync("/api/v1/holds", Requests.Hold());

        await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "backend_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, (await gateway.Mock.Control.GetStatsAsync()).Calls.GetValueOrDefault("ReserveTickets"));
    }
}
