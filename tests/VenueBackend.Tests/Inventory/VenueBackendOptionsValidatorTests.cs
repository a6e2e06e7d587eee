using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Tests.Inventory;

public class VenueBackendOptionsValidatorTests
{
    private static VenueBackendOptions Options(params PerformanceSeedOptions[] performances)
    {
        var options = new VenueBackendOptions();
        foreach (var performance in performances)
        {
            options.Performances.Add(performance);
        }

        return options;
    }

    private static PerformanceSeedOptions Performance(int id, params ZoneSeedOptions[] zones)
    {
        var performance = new PerformanceSeedOptions { Id = id, Title = "T", Venue = "V" };
        foreach (var zone in zones)
        {
            performance.Zones.Add(zone);
        }

        return performance;
    }

    private static ZoneSeedOptions Zone(int id, int capacity = 10, int seatsPerRow = 5, int price = 100) =>
        new() { ZoneId = id, Name = "Z", Capacity = capacity, SeatsPerRow = seatsPerRow, PriceCents = price };

    [Fact]
    public void Validate_ValidSeed_Succeeds()
    {
        var result = new VenueBackendOptionsValidator().Validate(null, Options(Performance(1, Zone(1), Zone(2))));

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_DuplicatePerformanceId_FailsNamingIt()
    {
        var result = new VenueBackendOptionsValidator().Validate(null, Options(Performance(7, Zone(1)), Performance(7, Zone(1))));

        Assert.True(result.Failed);
        Assert.Contains("Id 7 is used twice", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 5, 100, "Capacity")]
    [InlineData(10, 0, 100, "SeatsPerRow")]
    [InlineData(10, 5, -1, "PriceCents")]
    public void Validate_BadZone_FailsNamingTheField(int capacity, int seatsPerRow, int price, string field)
    {
        var result = new VenueBackendOptionsValidator().Validate(null, Options(Performance(1, Zone(1, capacity, seatsPerRow, price))));

        Assert.True(result.Failed);
        Assert.Contains(field, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("VenueBackend:Performances:0:Zones:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PerformanceWithoutZones_Fails()
    {
        var result = new VenueBackendOptionsValidator().Validate(null, Options(Performance(1)));

        Assert.True(result.Failed);
        Assert.Contains("at least one zone", result.FailureMessage, StringComparison.Ordinal);
    }
}
