using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Tests.WaitingRoom;

public sealed class ChunkedListTests
{
    [Fact]
    public void Add_AcrossSeveralChunks_EveryItemStaysAtItsIndex()
    {
        var list = new ChunkedList<long>();

        var indices = Enumerable.Range(0, 40_000).Select(i => list.Add(i * 3L)).ToList();
        list[20_000] += 1;

        Assert.Equal(Enumerable.Range(0, 40_000), indices);
        Assert.Equal(40_000, list.Count);
        Assert.Equal(39_999 * 3L, list[39_999]);
        Assert.Equal((16_384 * 3L, 20_000 * 3L + 1), (list[16_384], list[20_000]));
    }

    [Fact]
    public void Indexer_PastTheEnd_Throws()
    {
        var list = new ChunkedList<int>();
        list.Add(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => list[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[-1]);
    }
}
