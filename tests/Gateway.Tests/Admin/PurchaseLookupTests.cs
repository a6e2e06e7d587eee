using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OnSale.Gateway.Purchasing;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.Admin;

/// <summary>
/// <c>GET /admin/api/purchases</c> (CONTRACT.md §3): support finds a buyer's purchases by email or by id, with their
/// states and the trace they are told in, and never their payment token. The trace itself: TracingTests.
/// </summary>
public sealed class PurchaseLookupTests
{
    private const string VicKey = "vic-viewer-key-0123456789abcdefghijkl";

    private static object PurchaseBy(string email, int quantity = 1, string paymentToken = "tok_ok") =>
        new { performanceId = 1001, zoneId = 1, quantity, paymentToken, email };

    private static async Task<JsonElement> FindAsync(HttpClient admin, string query)
    {
        using var response = await admin.GetAsync("/admin/api/purchases?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await GatewayHost.JsonAsync(response)).GetProperty("purchases");
    }

    private static async Task<string> IdAsync(HttpResponseMessage response) =>
        (await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!;

    [Fact]
    public async Task ByEmail_ABuyersTwoPurchases_NewestFirstWhateverTheCase_AnotherBuyersNot()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var first = await gateway.PurchaseAsync(PurchaseBy("Pat.Buyer@example.com", quantity: 2));
        using var someoneElse = await gateway.PurchaseAsync(PurchaseBy("someone@example.com"));
        using var declined = await gateway.PurchaseAsync(PurchaseBy("pat.buyer@example.com", paymentToken: "tok_declined"));
        using var second = await gateway.PurchaseAsync(PurchaseBy("pat.buyer@EXAMPLE.com"));

        var found = await FindAsync(gateway.Admin, "email=" + Uri.EscapeDataString("  PAT.buyer@example.com "));

        Assert.Equal([await IdAsync(second), await IdAsync(first)], found.EnumerateArray().Select(p => p.GetProperty("purchaseId").GetString()));
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode); // answered with an error: it never came to exist
        var confirmed = found[1];
        Assert.Equal(["confirmed", "confirmed"], found.EnumerateArray().Select(p => p.GetProperty("status").GetString()));
        Assert.Equal((1001, 1, 2, 2), (
            confirmed.GetProperty("performanceId").GetInt32(),
            confirmed.GetProperty("zoneId").GetInt32(),
            confirmed.GetProperty("quantity").GetInt32(),
            confirmed.GetProperty("seats").GetArrayLength()));
        Assert.True(confirmed.GetProperty("orderId").GetInt32() > 0);
        Assert.Equal(17000, confirmed.GetProperty("totalCents").GetInt32());
        Assert.True(confirmed.GetProperty("updatedAt").GetDateTimeOffset() >= confirmed.GetProperty("createdAt").GetDateTimeOffset());
        Assert.False(confirmed.TryGetProperty("needsSupport", out _));
        Assert.False(confirmed.TryGetProperty("failureCode", out _)); // nulls are left out
        Assert.Equal(1, (await FindAsync(gateway.Admin, "email=someone@example.com")).GetArrayLength());
    }

    [Fact]
    public async Task ById_AParkedPurchase_ItsStateAndAttempts_NeverItsPaymentToken()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.KnowAvailabilityAsync(1001);
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var parked = await gateway.PurchaseAsync(PurchaseBy("pat@example.com", paymentToken: "tok_secret_lookup"));
        var id = await IdAsync(parked);

        using var response = await gateway.Admin.GetAsync($"/admin/api/purchases?purchaseId={id}");
        var text = await response.Content.ReadAsStringAsync();
        var found = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("purchases").EnumerateArray());

        Assert.Equal(HttpStatusCode.Accepted, parked.StatusCode);
        Assert.Equal((id, "parked", 0), (found.GetProperty("purchaseId").GetString(), found.GetProperty("status").GetString(), found.GetProperty("attempts").GetInt32()));
        Assert.DoesNotContain("tok_secret_lookup", text, StringComparison.Ordinal);
        Assert.DoesNotContain("paymentToken", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("session", text, StringComparison.OrdinalIgnoreCase);

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();
        await gateway.SettledAsync(id);
        var settled = (await FindAsync(gateway.Admin, "purchaseId=" + id))[0];
        Assert.Equal("confirmed", settled.GetProperty("status").GetString());
        Assert.True(settled.GetProperty("attempts").GetInt32() >= 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("email=a@example.com&purchaseId=pur_x")]
    [InlineData("email=")]
    [InlineData("email=%20%20")]
    [InlineData("email=a@example.com&email=b@example.com")]
    [InlineData("email=a%0Ab@example.com")]
    [InlineData("email=a%00@example.com")]
    [InlineData("purchaseId=")]
    [InlineData("purchaseId=..%2F..%2Fsecrets")]
    [InlineData("purchaseId=pur_%E2%80%AE")]
    public async Task NeitherBothOrABadValue_400ValidationFailed(string query)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Admin.GetAsync("/admin/api/purchases?" + query);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData("email", 255)]
    [InlineData("email", 10_000)]
    [InlineData("purchaseId", 65)]
    [InlineData("purchaseId", 10_000)]
    public async Task OversizedValue_400ValidationFailed(string name, int length)
    {
        await using var gateway = await GatewayHost.StartAsync();
        var value = name == "email" ? new string('a', length - "@example.com".Length) + "@example.com" : new string('a', length);

        using var response = await gateway.Admin.GetAsync($"/admin/api/purchases?{name}={value}");

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Unknown_EmailOrId_200WithAnEmptyList()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var bought = await gateway.PurchaseAsync(PurchaseBy("pat@example.com"));

        Assert.Equal(0, (await FindAsync(gateway.Admin, "email=nobody@example.com")).GetArrayLength());
        Assert.Equal(0, (await FindAsync(gateway.Admin, "purchaseId=pur_AAAAAAAAAAAAAAAAAAAAAA")).GetArrayLength());
    }

    [Fact]
    public async Task Viewer_MayLookUp_WithoutAKey401()
    {
        await using var gateway = await GatewayHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Gateway:Admin:Operators:vic:Key"] = VicKey,
            ["Gateway:Admin:Operators:vic:Role"] = "viewer",
        });
        using var bought = await gateway.PurchaseAsync(PurchaseBy("pat@example.com"));
        using var vic = gateway.CreateClient();
        vic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", VicKey);

        var found = await FindAsync(vic, "email=pat@example.com");
        using var anonymous = await gateway.Client.GetAsync("/admin/api/purchases?email=pat@example.com");

        Assert.Equal(await IdAsync(bought), found[0].GetProperty("purchaseId").GetString());
        await Problems.AssertAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ErasedEmail_NoLongerFoundByIt_StillById()
    {
        var time = TestClock.Create();
        await using var gateway = await GatewayHost.StartAsync(time: time);
        using var bought = await gateway.PurchaseAsync(PurchaseBy("pat@example.com"));
        var id = await IdAsync(bought);
        Assert.Equal(1, (await FindAsync(gateway.Admin, "email=pat@example.com")).GetArrayLength());

        time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var run = await gateway.Get<RetentionWorker>().RunOnceAsync(default);

        Assert.False(run.Failed);
        Assert.Equal(0, (await FindAsync(gateway.Admin, "email=pat@example.com")).GetArrayLength());
        Assert.Equal("confirmed", Assert.Single((await FindAsync(gateway.Admin, "purchaseId=" + id)).EnumerateArray()).GetProperty("status").GetString());
    }
}
