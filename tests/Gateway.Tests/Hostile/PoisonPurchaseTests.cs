using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnSale.Gateway.Purchasing;
using OnSale.LegacyAdapters;
using OnSale.Tests.Common;

namespace OnSale.Gateway.Tests.Hostile;

/// <summary>
/// One bad purchase must never hurt anyone else: a string the box office cannot carry is refused at the door with a
/// clear problem, and a purchase that fails in a way nobody planned for never holds up the parked ones behind it —
/// live, parked, or found in the journal after a restart.
/// </summary>
public sealed class PoisonPurchaseTests
{
    /// <summary>
    /// Characters XML cannot carry or a person cannot see: C0 controls, DEL, C1, separators, noncharacters. (A lone
    /// surrogate in JSON reaches the gateway as U+FFFD, which is printable; <see cref="PrintableTests"/> covers it.)
    /// </summary>
    public static readonly string[] Poisons = ["\u0000", "\u0001", "\u0002", "\u001B", "\u007F", "\u0085", "\u2028", "\uFFFE", "\uFFFF", "\u00A0"];

    public static TheoryData<string, string> PoisonedFields()
    {
        var data = new TheoryData<string, string>();
        foreach (var poison in Poisons)
        {
            data.Add("paymentToken", poison);
            data.Add("email", poison);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PoisonedFields))]
    public async Task Purchase_ControlCharacterInAStringField_Returns400NamingItAndLeavesTheKeyFree(string field, string poison)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var refused = await gateway.PostRawAsync("/api/v1/purchases", Body(1001, field, poison), idempotencyKey: "poison-1");

        var problem = await Problems.AssertAsync(refused, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingSoldAsync(gateway);
        using var retried = await gateway.PurchaseAsync(Requests.Purchase(), "poison-1");
        Assert.True(retried.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"the key is free again, got {(int)retried.StatusCode}");
    }

    [Theory]
    [MemberData(nameof(PoisonedFields))]
    public async Task HoldCheckout_ControlCharacterInAStringField_Returns400AndTheHoldStays(string field, string poison)
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var held = await gateway.PostAsync("/api/v1/holds", Requests.Hold(1001, 1, 2));
        var holdId = (await GatewayHost.JsonAsync(held)).GetProperty("holdId").GetString();

        var body = field == "paymentToken"
            ? $$"""{"paymentToken": "tok_{{Escaped(poison)}}", "email": "buyer@example.com"}"""
            : $$"""{"paymentToken": "tok_ok", "email": "buyer{{Escaped(poison)}}@example.com"}""";
        using var refused = await gateway.PostRawAsync($"/api/v1/holds/{holdId}/checkout", body, idempotencyKey: "poison-checkout");

        var problem = await Problems.AssertAsync(refused, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var bought = await gateway.PostAsync($"/api/v1/holds/{holdId}/checkout", Requests.Checkout(), "poison-checkout");
        Assert.True(bought.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"the hold is still there to buy, got {(int)bought.StatusCode}");
    }

    [Theory]
    [InlineData("a@b.example, c@d.example")]
    [InlineData("Buyer <a@b.example>")]
    [InlineData("a@b.example;c@d.example")]
    [InlineData(" a@b.example")]
    public async Task Purchase_EmailFieldWithMoreThanOneAddressOrAName_Returns400(string email)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var refused = await gateway.PostAsync("/api/v1/purchases", new { performanceId = 1001, zoneId = 1, quantity = 1, paymentToken = "tok_ok", email }, "two-emails");

        await Problems.AssertAsync(refused, HttpStatusCode.BadRequest, "validation_failed");
        await AssertNothingSoldAsync(gateway);
    }

    [Fact]
    public async Task Parked_ControlCharacterWhileDegraded_IsRefusedAndTheRealPurchasesBehindItConfirm()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await gateway.GetJsonAsync("/api/v1/performances/1003/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();

        using var poisoned = await gateway.PostRawAsync("/api/v1/purchases", Body(1003, "paymentToken", "\u0001"), idempotencyKey: "poison-parked");
        var parked = await ParkAsync(gateway, 3);

        await Problems.AssertAsync(poisoned, HttpStatusCode.BadRequest, "validation_failed");
        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();
        foreach (var id in parked)
        {
            Assert.Equal("confirmed", (await gateway.SettledAsync(id)).GetProperty("status").GetString());
        }

        Assert.Equal(3, (await gateway.Mock.Control.GetOrdersAsync()).Count);
    }

    [Fact]
    public async Task Restart_PoisonRowsInTheJournal_FailRejectedAndTheRealPurchasesAroundThemConfirm()
    {
        // Rows as an older gateway, which did not check its input, left them: one before and one among real parked ones.
        var dataPath = Path.Combine(Path.GetTempPath(), "onsale-gateway-tests", Guid.NewGuid().ToString("N"));
        await using var mock = await OnSale.Tests.Common.VenueBackend.MockBackendHost.StartAsync();
        var poisoned = new List<string>();
        List<string> parked;
        await using (var before = await GatewayHost.StartAsync(mock: mock, dataPath: dataPath))
        {
            await before.GetJsonAsync("/api/v1/performances/1003/availability");
            (await before.SetModeAsync("degraded")).EnsureSuccessStatusCode();
            var journal = before.Get<IPurchaseJournal>();
            poisoned.Add((await journal.InsertAsync(Row("tok_\u0001"), default)).PurchaseId);
            parked = [.. await ParkAsync(before, 2)];
            poisoned.Add((await journal.InsertAsync(Row("tok_\u0000x"), default)).PurchaseId);
            parked.AddRange(await ParkAsync(before, 1));
        }

        await using var after = await GatewayHost.StartAsync(mock: mock, dataPath: dataPath);
        (await after.SetModeAsync("normal")).EnsureSuccessStatusCode();

        foreach (var id in parked)
        {
            Assert.Equal("confirmed", (await after.SettledAsync(id)).GetProperty("status").GetString());
        }

        foreach (var id in poisoned)
        {
            var failed = await after.SettledAsync(id);
            Assert.Equal("failed", failed.GetProperty("status").GetString());
            Assert.Equal(PurchaseFailures.Rejected, failed.GetProperty("failureCode").GetString());
        }

        Assert.Equal(3, (await mock.Control.GetOrdersAsync()).Count);
        after.DeleteData();
    }

    [Fact]
    public async Task Replay_APurchaseThatFailsUnexpectedlyEveryTime_IsSetAsideAndTheLineMovesOn()
    {
        await using var gateway = await GatewayHost.StartAsync(services: services => services.Decorate(inner => new CheckoutBug(inner)));
        await gateway.GetJsonAsync("/api/v1/performances/1003/availability");
        (await gateway.SetModeAsync("degraded")).EnsureSuccessStatusCode();
        using var buggy = await gateway.PurchaseAsync(Requests.Purchase(1003, 1, 1, paymentToken: CheckoutBug.Token));
        var buggyId = (await GatewayHost.JsonAsync(buggy)).GetProperty("purchaseId").GetString()!;
        var parked = await ParkAsync(gateway, 3);

        (await gateway.SetModeAsync("normal")).EnsureSuccessStatusCode();

        foreach (var id in parked)
        {
            Assert.Equal("confirmed", (await gateway.SettledAsync(id)).GetProperty("status").GetString());
        }

        var setAside = await Eventually.HoldsAsync(
            () => gateway.GetJsonAsync($"/api/v1/purchases/{buggyId}"),
            p => p.GetProperty("message").GetString()!.Contains("support", StringComparison.Ordinal),
            "the purchase that always fails is set aside for support");
        Assert.Equal("processing", setAside.GetProperty("status").GetString());
        var status = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/api/status");
        Assert.Equal(0, status.GetProperty("parked").GetInt32());
        Assert.Equal(3, (await gateway.Mock.Control.GetOrdersAsync()).Count);
    }

    [Fact]
    public async Task Live_APurchaseThatFailsUnexpectedlyAtCheckout_Answers202ProcessingInsteadOf500()
    {
        await using var gateway = await GatewayHost.StartAsync(services: services => services.Decorate(inner => new CheckoutBug(inner)));

        using var response = await gateway.PurchaseAsync(Requests.Purchase(1003, 1, 1, paymentToken: CheckoutBug.Token));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("processing", (await GatewayHost.JsonAsync(response)).GetProperty("status").GetString());
        using var next = await gateway.PurchaseAsync(Requests.Purchase(1003, 1, 1));
        var nextId = (await GatewayHost.JsonAsync(next)).GetProperty("purchaseId").GetString()!;
        Assert.Equal("confirmed", (await gateway.SettledAsync(nextId)).GetProperty("status").GetString());
    }

    private static string Body(int performanceId, string field, string poison) => field == "paymentToken"
        ? $$"""{"performanceId": {{performanceId}}, "zoneId": 1, "quantity": 1, "paymentToken": "tok_{{Escaped(poison)}}", "email": "buyer@example.com"}"""
        : $$"""{"performanceId": {{performanceId}}, "zoneId": 1, "quantity": 1, "paymentToken": "tok_ok", "email": "buyer{{Escaped(poison)}}@example.com"}""";

    /// <summary>As a JSON escape, so that even a lone surrogate reaches the gateway exactly as a hostile client sends it.</summary>
    private static string Escaped(string poison) => string.Concat(poison.Select(c => $"\\u{(int)c:x4}"));

    private static async Task<List<string>> ParkAsync(GatewayHost gateway, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await gateway.PurchaseAsync(Requests.Purchase(1003, 1, 1));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!);
        }

        return ids;
    }

    private static async Task AssertNothingSoldAsync(GatewayHost gateway)
    {
        var stats = await gateway.Mock.Control.GetStatsAsync();
        Assert.Equal(0, stats.Calls.GetValueOrDefault("ReserveTickets") + stats.Calls.GetValueOrDefault("Checkout"));
    }

    private static Purchase Row(string paymentToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new Purchase
        {
            PurchaseId = Ids.New("pur_"),
            IdempotencyKey = "purchase:" + Guid.NewGuid().ToString("N"),
            RequestHash = "old",
            Status = PurchaseStatus.Parked,
            PerformanceId = 1003,
            ZoneId = 1,
            Quantity = 1,
            PaymentToken = paymentToken,
            Email = "old@example.com",
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

}

internal static class BackendDecoration
{
    /// <summary>Wraps the registered <see cref="IVenueBackend"/> (whatever its factory makes) in <paramref name="decorate"/>.</summary>
    public static void Decorate(this IServiceCollection services, Func<IVenueBackend, IVenueBackend> decorate) =>
        services.Decorate<IVenueBackend>(decorate);

    /// <summary>Wraps the registered <typeparamref name="T"/> in <paramref name="decorate"/>.</summary>
    public static void Decorate<T>(this IServiceCollection services, Func<T, T> decorate)
        where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Replace(ServiceDescriptor.Singleton(provider => decorate(original.ImplementationFactory is { } factory
            ? (T)factory(provider)
            : (T)(original.ImplementationInstance ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!)))));
    }
}
