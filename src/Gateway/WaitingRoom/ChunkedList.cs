namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// An append-only list in chunks of 16,384 items instead of one array that doubles: a full chunk is never copied, so a
/// room of a million places leaves no dropped arrays on the large-object heap (they stay in the process until a full
/// GC, and count in its memory as much as the live ones). The first chunk grows as a list's array does, so that a small
/// room stays small.
/// </summary>
internal sealed class ChunkedList<T>
    where T : struct
{
    private const int Shift = 14;
    private const int ChunkSize = 1 << Shift;
    private const int Mask = ChunkSize - 1;
    private const int FirstCapacity = 16;
    private readonly List<T[]> _chunks = [];

    public int Count { get; private set; }

    /// <summary>The item at <paramref name="index"/>, in place.</summary>
    public ref T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ref _chunks[index >> Shift][index & Mask];
        }
    }

    /// <summary>Appends <paramref name="item"/>; returns its index, which never changes.</summary>
    public int Add(T item)
    {
        var index = Count;
        var chunk = index >> Shift;
        var offset = index & Mask;
        if (chunk == _chunks.Count)
        {
            _chunks.Add(new T[chunk == 0 ? FirstCapacity : ChunkSize]);
        }
        else if (offset == _chunks[chunk].Length)
        {
            var grown = new T[Math.Min(ChunkSize, offset * 2)];
            _chunks[chunk].CopyTo(grown, 0);
            _chunks[chunk] = grown;
        }

        _chunks[chunk][offset] = item;
        Count = index + 1;
        return index;
    }
}
