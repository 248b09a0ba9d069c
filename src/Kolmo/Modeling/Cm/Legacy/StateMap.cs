namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Adaptive state map: context (usually a bit-history state, or a small integer) → P(1).
/// <para>Scale: each entry packs P(1) in its high 22 bits and a hit count n in its low 10 bits;
/// <see cref="P"/> returns 12 bits (what <see cref="Coding.Logistic.Stretch"/> takes).</para>
/// <para>Update rule: p += (y·2^22 − p) / (n + 1.5), n += 1 up to <c>limit</c> — so an entry first averages
/// what it saw (converges to the empirical frequency) and later follows changes at rate 1/(limit + 1.5).
/// The division is a table of reciprocals (65536 / (n + 1.5)), integers only.</para>
/// <para>Cost: one read and one write of a 4-byte entry per bit. Call order: <see cref="P"/> then <see cref="Update"/>.</para>
/// </summary>
internal sealed class StateMap
{
    private static readonly int[] Recip = BuildRecip();
    private readonly uint[] _t;
    private readonly int _limit;
    private int _cx;

    /// <summary>Creates a map of <paramref name="size"/> contexts; bit-history maps start from the state's counts.</summary>
    public StateMap(int size, int limit = 1023, bool bitHistory = false)
    {
        _t = new uint[size];
        _limit = limit;
        for (int i = 0; i < size; i++)
        {
            int p22 = bitHistory ? StateTable.InitialP22(i % 256 < StateTable.Count ? i % 256 : 0) : 1 << 21;
            _t[i] = (uint)p22 << 10;
        }
    }

    private StateMap(StateMap other)
    {
        _t = (uint[])other._t.Clone();
        _limit = other._limit;
        _cx = other._cx;
    }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _t.Length * 4L;

    private static int[] BuildRecip()
    {
        var r = new int[1024];
        for (int n = 0; n < 1024; n++)
        {
            r[n] = (int)(65536 * 2 / (2 * n + 3));
        }
        return r;
    }

    /// <summary>P(1) of context <paramref name="cx"/>, 12 bits; remembers <paramref name="cx"/> for <see cref="Update"/>.</summary>
    public int P(int cx)
    {
        _cx = cx;
        return (int)(_t[cx] >> 20);
    }

    /// <summary>Moves the last context's probability toward <paramref name="bit"/>.</summary>
    public void Update(int bit)
    {
        ref uint e = ref _t[_cx];
        uint t = e;
        int n = (int)(t & 1023);
        int p = (int)(t >> 10);
        p += (int)(((long)((bit << 22) - p) * Recip[n]) >> 16);
        if (n < _limit)
        {
            n++;
        }
        e = ((uint)p << 10) | (uint)n;
    }

    /// <summary>A deep copy.</summary>
    public StateMap Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same size).</summary>
    public void CopyFrom(StateMap o)
    {
        if (o._t.Length != _t.Length)
        {
            throw new ArgumentException("the tables differ in size", nameof(o));
        }
        o._t.CopyTo(_t, 0);
        _cx = o._cx;
    }
}
