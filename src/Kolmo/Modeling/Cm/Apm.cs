namespace Kolmo.Modeling;

/// <summary>
/// Adaptive probability map (APM, an SSE stage): (stretched probability, context) → refined probability.
/// <para>Maps: each context owns one 64-byte row (one cache line) of 32 knots at stretched values
/// −1984 + 128·j; the output interpolates linearly between the two knots around the input (inputs beyond the
/// outer knots are clamped to them).</para>
/// <para>Scale: input is a stretched value (±2047); knots and output are 16-bit probabilities (so a refined
/// prediction can be more confident than 4095/4096).</para>
/// <para>Update rule: both knots around the input move toward the bit in proportion to their interpolation weight:
/// t += ((y·65536 − t)·weight) >> (rate + 7). Knots start at squash of their position, i.e. the identity map.</para>
/// <para>Cost: 64 bytes per context, one cache line read and written per bit; the caller may
/// <see cref="Prefetch"/> the next row as soon as its context is known.</para>
/// </summary>
internal sealed unsafe class Apm
{
    private const int Knots = 32;
    private readonly PinnedBuffer<ushort> _buf;
    private readonly ushort* _t;
    private readonly int _contexts;
    private readonly int _rate;
    private ushort* _e;
    private int _w;

    /// <summary>Creates an APM over <paramref name="contexts"/> contexts, adapting at 1/2^<paramref name="rate"/>.</summary>
    public Apm(int contexts, int rate = 7)
    {
        _contexts = contexts;
        _rate = rate;
        _buf = new PinnedBuffer<ushort>((long)contexts * Knots);
        _t = _buf.Pointer;
        Span<ushort> row = stackalloc ushort[Knots];
        for (int j = 0; j < Knots; j++)
        {
            row[j] = (ushort)Math.Clamp(CmTables.Squash[j * 128 - 1984 + 2048] * 16, 32, 65535 - 32);
        }
        var all = _buf.Span;
        for (int c = 0; c < contexts; c++)
        {
            row.CopyTo(all.Slice(c * Knots, Knots));
        }
        _e = _t;
    }

    private Apm(Apm o)
    {
        _contexts = o._contexts;
        _rate = o._rate;
        _buf = o._buf.Clone();
        _t = _buf.Pointer;
        _e = _t + (o._e - o._t);
        _w = o._w;
    }

    /// <summary>Number of contexts.</summary>
    public int Contexts => _contexts;

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _buf.Bytes;

    /// <summary>Starts loading the row of context <paramref name="cx"/> into the cache (changes no result).</summary>
    public void Prefetch(int cx) => CmPrefetch.Line(_t + (cx * Knots));

    /// <summary>Refines stretched <paramref name="st"/> in context <paramref name="cx"/> (in [0, contexts)); returns a 16-bit probability.</summary>
    public int P(int st, int cx)
    {
        System.Diagnostics.Debug.Assert((uint)cx < (uint)_contexts);
        int s = st + 1984;
        s = s < 0 ? 0 : s > 3968 ? 3968 : s;
        int lo = s >> 7;
        int w = s & 127;
        ushort* r = _t + (cx * Knots) + lo;
        _e = r;
        _w = w;
        return (r[0] * (128 - w) + r[w == 0 ? 0 : 1] * w) >> 7;
    }

    /// <summary>Learns the bit for the last <see cref="P"/> call.</summary>
    public void Update(int bit)
    {
        int g = (bit << 16) + (bit << _rate) - bit - bit;
        ushort* r = _e;
        int w = _w;
        r[0] = (ushort)(r[0] + (((g - r[0]) * (128 - w)) >> (_rate + 7)));
        if (w != 0)
        {
            r[1] = (ushort)(r[1] + (((g - r[1]) * w) >> (_rate + 7)));
        }
    }

    /// <summary>A deep copy.</summary>
    public Apm Clone() => new(this);

    /// <summary>Overwrites the state with <paramref name="o"/>'s (same size and rate).</summary>
    public void CopyFrom(Apm o)
    {
        if (o._rate != _rate)
        {
            throw new ArgumentException("the APMs differ in rate", nameof(o));
        }
        _buf.CopyFrom(o._buf);
        _e = _t + (o._e - o._t);
        _w = o._w;
    }
}
