namespace OnSale.LegacyAdapters.Tests;

public sealed class NotEnoughSeatsExceptionTests
{
    [Theory]
    [InlineData("Not enough seats: 3 available", 3)]
    [InlineData("Only 4 seats left in zone 2", 4)]
    [InlineData("zone 2: available: 5", 5)]
    [InlineData("12 tickets remaining", 12)]
    [InlineData("sold out", null)]
    [InlineData("zone 2 row 3 is full", null)]
    public void Available_FromMessage_ReadsTheNumberNextToTheWord(string message, int? expected)
    {
        Assert.Equal(expected, new NotEnoughSeatsException(message).Available);
    }

    [Fact]
    public void Available_GivenExplicitly_WinsOverTheMessage()
    {
        Assert.Equal(9, new NotEnoughSeatsException("Not enough seats: 3 available", 9).Available);
    }
}
