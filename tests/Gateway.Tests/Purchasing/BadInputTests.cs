using System.Net;

namespace OnSale.Gateway.Tests.Purchasing;

/// <summary>Bad input gets a clear problem with a code, and nothing reaches the backend.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, HttpStatusCode, string> Cases => new()
    {
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1,", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "[1, 2, 3]", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "null", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": \"two\", \"paymentToken\": \"tok_ok\", \"email\": \"a@b.c\"}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": \"2\", \"paymentToken\": \"tok_ok\", \"email\": \"a@b.c\"}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": 0, \"paymentToken\": \"tok_ok\", \"email\": \"a@b.c\"}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": 11, \"paymentToken\": \"tok_ok\", \"email\": \"a@b.c\"}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": 1, \"email\": \"a@b.c\"}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": 1, \"paymentToken\": \"tok_ok\", \"email\": \"not-an-email\"}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/purchases", "{\"performanceId\": 999999, \"zoneId\": 1, \"quantity\": 1, \"paymentToken\": \"tok_ok\", \"email\": \"a@b.c\"}", HttpStatusCode.NotFound, "unknown_performance" },
        { "/api/v1/purchases", "{\"performanceId\": 1001, \"zoneId\": 77, \"quantity\": 1, \"paymentToken\": \"tok_ok\", \"email\": \"a@b.c\"}", HttpStatusCode.NotFound, "unknown_zone" },
        { "/api/v1/holds", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": 1.5}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/holds", "{\"performanceId\": 1001, \"quantity\": 1}", HttpStatusCode.BadRequest, "validation_failed" },
        { "/api/v1/holds", "{\"performanceId\": 1001, \"zoneId\": 77, \"quantity\": 1}", HttpStatusCode.NotFound, "unknown_zone" },
        { "/api/v1/holds", "", HttpStatusCode.BadRequest, "validation_failed" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_BadBody_ReturnsProblemAndCallsNothingThatChangesState(string path, string body, HttpStatusCode status, string code)
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.PostRawAsync(path, body);

        var problem = await Problems.AssertAsync(response, status, code);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        var stats = await gateway.Mock.Control.GetStatsAsync();
        Assert.Equal(0, stats.Calls.GetValueOrDefault("ReserveTickets") + stats.Calls.GetValueOrDefault("Checkout"));
    }

    [Fact]
    public async Task Post_WrongTypeField_NamesTheField()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.PostRawAsync("/api/v1/holds", "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": \"lots\"}");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("quantity", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Returns413()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var huge = "{\"performanceId\": 1001, \"zoneId\": 1, \"quantity\": 1, \"paymentToken\": \"" + new string('x', 40_000) + "\", \"email\": \"a@b.c\"}";

        using var response = await gateway.PostRawAsync("/api/v1/purchases", huge);

        await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Post_NotJson_Returns415()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.PostRawAsync("/api/v1/holds", "performanceId=1001", "application/x-www-form-urlencoded");

        await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Get_UnknownRoute_Returns404Problem()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await gateway.Client.GetAsync("/api/v1/nothing-here");

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }
}
