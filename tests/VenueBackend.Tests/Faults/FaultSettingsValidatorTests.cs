using OnSale.Mocks.VenueBackend.Control;
using OnSale.Mocks.VenueBackend.Faults;

namespace OnSale.Mocks.VenueBackend.Tests.Faults;

public class FaultSettingsValidatorTests
{
    [Fact]
    public void Validate_AllOff_HasNoErrors()
    {
        Assert.Empty(FaultSettingsValidator.Validate(FaultSettings.Off));
    }

    [Fact]
    public void Validate_EverythingOnWithinRange_HasNoErrors()
    {
        var settings = new FaultSettings
        {
            LatencyMs = 100,
            ErrorRate = 1,
            Outage = true,
            Hang = true,
            MaxConcurrentCalls = 0,
            MaxCallsPerSecond = 5,
            Operations = ["Checkout", "getavailability"],
        };

        Assert.Empty(FaultSettingsValidator.Validate(settings));
    }

    [Theory]
    [InlineData(-0.1, "errorRate")]
    [InlineData(1.01, "errorRate")]
    [InlineData(double.NaN, "errorRate")]
    public void Validate_ErrorRateOutside0To1_NamesErrorRate(double rate, string key)
    {
        Assert.Contains(key, FaultSettingsValidator.Validate(new FaultSettings { ErrorRate = rate }).Keys);
    }

    [Fact]
    public void Validate_NegativeIntegers_NameEachField()
    {
        var errors = FaultSettingsValidator.Validate(new FaultSettings { LatencyMs = -1, MaxConcurrentCalls = -1, MaxCallsPerSecond = -1 });

        Assert.Equal(["latencyMs", "maxCallsPerSecond", "maxConcurrentCalls"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_UnknownOperation_ListsTheKnownOnes()
    {
        var errors = FaultSettingsValidator.Validate(new FaultSettings { Operations = ["Checkout", "BuyAll"] });

        var message = Assert.Single(errors["operations"]);
        Assert.Contains("BuyAll", message, StringComparison.Ordinal);
        Assert.Contains("GetNewSessionKey", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_OperationsInAnyCase_UsesCanonicalNames()
    {
        var normalized = FaultSettingsValidator.Normalize(new FaultSettings { Operations = ["checkout", "CHECKOUT", "FindOrder"] });

        Assert.Equal(["Checkout", "FindOrder"], normalized.Operations!);
    }
}
