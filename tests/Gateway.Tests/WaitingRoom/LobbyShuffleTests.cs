using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Tests.WaitingRoom;

public sealed class LobbyShuffleTests
{
    private const int Members = 8;
    private const int Trials = 40_000;

    // Chi-square critical value for (8-1)×(8-1) = 49 degrees of freedom at p = 0.001.
    private const double Critical = 85.35;

    [Fact]
    public void Shuffle_ManyTrialsWithAFixedSeed_EveryMemberLandsOnEveryPlaceEquallyOften()
    {
        var statistic = ChiSquare((items, random) => LobbyShuffle.Shuffle(items, new SeededRandom(random)), new Random(20261122));

        Assert.True(statistic < Critical, $"chi-square {statistic:0.0} ≥ {Critical}: the lobby order is not uniform");
    }

    [Fact]
    public void ChiSquare_ANaiveBiasedShuffle_IsCaught()
    {
        // Swapping each item with any position (not just the ones not yet placed) is a classic biased shuffle.
        var statistic = ChiSquare(
            (items, random) =>
            {
                for (var i = 0; i < items.Count; i++)
                {
                    var j = random.Next(items.Count);
                    (items[i], items[j]) = (items[j], items[i]);
                }
            },
            new Random(20261122));

        Assert.True(statistic > Critical, $"chi-square {statistic:0.0} should exceed {Critical} for a biased shuffle");
    }

    [Fact]
    public void Shuffle_CryptographicRandom_ReturnsAPermutation()
    {
        var items = Enumerable.Range(0, 1000).ToList();

        LobbyShuffle.Shuffle(items, new CryptoShuffleRandom());

        Assert.Equal(Enumerable.Range(0, 1000), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), items);
    }

    private static double ChiSquare(Action<List<int>, Random> shuffle, Random random)
    {
        var counts = new int[Members, Members];
        for (var t = 0; t < Trials; t++)
        {
            var items = Enumerable.Range(0, Members).ToList();
            shuffle(items, random);
            for (var position = 0; position < Members; position++)
            {
                counts[items[position], position]++;
            }
        }

        const double expected = (double)Trials / Members;
        var statistic = 0.0;
        foreach (var observed in counts)
        {
            statistic += (observed - expected) * (observed - expected) / expected;
        }

        return statistic;
    }

    private sealed class SeededRandom(Random random) : IShuffleRandom
    {
        public int Next(int maxExclusive) => random.Next(maxExclusive);
    }
}
