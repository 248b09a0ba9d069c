namespace Kolmo.Modeling;

/// <summary>
/// Adaptive state map: context (a bit-history state, or a small integer) → P(1).
/// <para>Scale: each entry packs P(1) in its high 22 bits and a hit count n in its low 10 bits; <see cref="P"/>
/// returns 12 bits (what stretch takes).</para>
/// <para>Update rule: p += (y·2^22 − p) / (n + 1.5), n += 1 up to <c>limit</c> — an entry first averages what it
/// saw, later follows changes at rate 1/(limit + 1.5). The division is a table of reciprocals, integers only.</para>
/// <para>Cost: one read and one write of a 4-byte entry per bit. Call order: <see cref="P"/> then <see cref="Update"/>.
/// The model's per-context maps use the same rule inline (<see cref="UpdateEntry"/>) on one flat table.</para>
/// </summary>
internal sealed unsafe class StateMap
{
    private readonly PinnedBuffer<uint> _buf;
    private readonly uint* _t;
    private readonly int _size;
    private readonly int _limit;
    private int _cx;

    /// <summary>Creates a map of <paramref name="size"/> contexts; bit-history maps start from each state's counts.</summary>
    public StateMap(int size, int limit = 1023, bool bitHistory = false)
    {
        _size = size;
        _limit = limit;
        _buf = new PinnedBuffer<uint>(size);
        _t = _buf.Pointer;
        Init(_buf.Span, bitHistory);
    }

    private StateMap(StateMap o)
    {
        _size = o._size;
        _limit = o._limit;
        _buf = o._buf.Clone();
        _t = _buf.Pointer;
        _cx = o._cx;
    }

    /// <summary>Fills <paramref name="t"/> with initial entries: P(1) from the state's counts (bit histories, in rows of 256) or 1/2.</summary>
    public static void Init(Span<uint> t, bool bitHistory)
    {
        for (int i = 0; i < t.Length; i++)
        {
            int p16 = bitHistory ? BitHistory.InitialP16(i & 255) : 1 << 15;
            t[i] = (uint)p16 << 16;
        }
    }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _buf.Bytes;

    /// <summary>P(1) of context <paramref name="cx"/>, 12 bits; remembers <paramref name="cx"/> for <see cref="Update"/>.</summary>
    public int P(int cx)
    {
        System.Diagnostics.Debug.Assert((uint)cx < (uint)_size);
        _cx = cx;
        return (int)(_t[cx] >> 20);
    }

    /// <summary>Moves the last context's probability toward <paramref name="bit"/>.</summary>
    public void Update(int bit) => UpdateEntry(_t + _cx, bit, _limit);

    /// <summary>The update rule on one entry.</summary>
    public static void UpdateEntry(uint* e, int bit, int limit)
    {
        uint t = *e;
        int n = (int)(t & 1023);
        int p = (int)(t >> 10);
        p += (int)(((long)((bit << 22) - p) * CmTables.Recip[n]) >> 16);
        n += n < limit ? 1 : 0;
        *e = ((uint)p << 10) | (uint)n;
    }

    /// <summary>A deep copy.</summary>
    public StateMap Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same size).</summary>
    public void CopyFrom(StateMap o)
    {
        _buf.CopyFrom(o._buf);
        _cx = o._cx;
    }
}
