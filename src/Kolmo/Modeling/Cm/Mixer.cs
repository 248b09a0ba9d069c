namespace Kolmo.Modeling;

/// <summary>
/// Two-layer gated logistic mixer on 16-bit integers (paq8 style): combines stretched predictions into one.
/// <para>Maps: layer 1 has S weight sets; set s picks one weight row by its own selector context (the partial
/// byte, the match state, the previous byte, …) and outputs st_s = Σ w·x / 2^14, clamped to ±2047. Layer 2
/// mixes the S outputs with a row picked by one more selector; the result is squashed to a 12-bit probability.</para>
/// <para>Scale: inputs are stretched probabilities (|x| ≤ 2047, 8 fractional bits of a nat); weights are 16-bit
/// with 14 fractional bits (16384 = 1.0, so |w| &lt; 2). Rows start at <c>initialWeight</c>.</para>
/// <para>Update rule: online gradient descent on coding cost, per set: e = (y·4096 − p_s)·lr,
/// w += round(x·e / 2^15) saturated (see <see cref="MixerKernels"/>); layer 2 the same with its own rate.</para>
/// <para>With one weight set (S = 1) there is no second layer: that set's output is the mix.</para>
/// <para>Cost per bit: S + 1 SIMD dot products and training steps over the padded input count (one 512-bit
/// vector for up to 32 inputs). Call order per bit: <see cref="Add"/> × inputs, <see cref="Select"/> per set,
/// <see cref="SelectFinal"/>, <see cref="Mix"/>, <see cref="Update"/>.</para>
/// </summary>
internal sealed unsafe class Mixer
{
    private readonly int _n;
    private readonly int _sets;
    private readonly PinnedBuffer<short> _xBuf;
    private readonly PinnedBuffer<short> _wBuf;
    private readonly PinnedBuffer<short> _w2Buf;
    private readonly PinnedBuffer<int> _state;
    private readonly PinnedBuffer<short> _x2Buf;
    private readonly PinnedBuffer<int> _dotBuf;
    private readonly int* _dots;
    private readonly short* _x;
    private readonly short* _w;
    private readonly short* _w2;
    private readonly int* _sel;
    private readonly int* _pr;
    private readonly short* _x2;
    private readonly int[] _setBase;
    private readonly int[] _setSizes;
    private readonly int _n2;
    private readonly int _finalContexts;
    private readonly int _lr;
    private readonly int _lr2;
    private int _count;
    private int _written;
    private int _sel2;
    private int _pr2;

    /// <summary>Creates a mixer of up to <paramref name="inputs"/> inputs, one layer-1 set per entry of
    /// <paramref name="setSizes"/> (its number of selector contexts), and <paramref name="finalContexts"/> layer-2 rows.</summary>
    public Mixer(int inputs, int[] setSizes, int finalContexts, int lr, int lr2, int initialWeight)
    {
        _n = (inputs + MixerKernels.Lanes - 1) / MixerKernels.Lanes * MixerKernels.Lanes;
        _sets = setSizes.Length;
        _setSizes = [.. setSizes];
        _setBase = new int[_sets];
        long total = 0;
        for (int s = 0; s < _sets; s++)
        {
            _setBase[s] = (int)total;
            total += (long)setSizes[s] * _n;
        }
        _xBuf = new PinnedBuffer<short>(_n);
        _wBuf = new PinnedBuffer<short>(total);
        _wBuf.Span.Fill((short)initialWeight);
        _n2 = (_sets + MixerKernels.Lanes - 1) / MixerKernels.Lanes * MixerKernels.Lanes;
        _finalContexts = finalContexts;
        _w2Buf = new PinnedBuffer<short>((long)finalContexts * _n2);
        for (int c = 0; c < finalContexts; c++)
        {
            _w2Buf.Span.Slice(c * _n2, _sets).Fill((short)(16384 / _sets));
        }
        _state = new PinnedBuffer<int>(2 * _sets);
        _x2Buf = new PinnedBuffer<short>(_n2);
        _dotBuf = new PinnedBuffer<int>(_sets + 2);
        _dots = _dotBuf.Pointer;
        _lr = lr;
        _lr2 = lr2;
        _x = _xBuf.Pointer;
        _w = _wBuf.Pointer;
        _w2 = _w2Buf.Pointer;
        _sel = _state.Pointer;
        _pr = _state.Pointer + _sets;
        _x2 = _x2Buf.Pointer;
    }

    private Mixer(Mixer o)
    {
        _n = o._n;
        _sets = o._sets;
        _setSizes = o._setSizes;
        _setBase = o._setBase;
        _xBuf = o._xBuf.Clone();
        _wBuf = o._wBuf.Clone();
        _w2Buf = o._w2Buf.Clone();
        _state = o._state.Clone();
        _x2Buf = o._x2Buf.Clone();
        _dotBuf = new PinnedBuffer<int>(_sets + 2);
        _dots = _dotBuf.Pointer;
        _n2 = o._n2;
        _finalContexts = o._finalContexts;
        _lr = o._lr;
        _lr2 = o._lr2;
        _x = _xBuf.Pointer;
        _w = _wBuf.Pointer;
        _w2 = _w2Buf.Pointer;
        _sel = _state.Pointer;
        _pr = _state.Pointer + _sets;
        _x2 = _x2Buf.Pointer;
        _count = o._count;
        _written = o._written;
        _sel2 = o._sel2;
        _pr2 = o._pr2;
        KernelPath = o.KernelPath;
    }

    /// <summary>The kernel path (tests force the scalar reference or a narrower SIMD width).</summary>
    public MixerKernels.Path KernelPath { get; set; } = MixerKernels.Widest;

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => _xBuf.Bytes + _wBuf.Bytes + _w2Buf.Bytes + _state.Bytes + _x2Buf.Bytes;

    /// <summary>Padded input count.</summary>
    public int Width => _n;

    /// <summary>Inputs added since the last update.</summary>
    public int Count => _count;

    /// <summary>Input <paramref name="i"/> added since the last update (tests read what a model contributed).</summary>
    public int Input(int i) => _x[i];

    /// <summary>Pointer to the next free input slot (the model writes its inputs there directly, then <see cref="Advance"/>s).</summary>
    public short* Next => _x + _count;

    /// <summary>Counts <paramref name="k"/> inputs written through <see cref="Next"/>.</summary>
    public void Advance(int k) => _count += k;

    /// <summary>Adds one stretched input (|x| ≤ 2047).</summary>
    public void Add(int x) => _x[_count++] = (short)x;

    /// <summary>Chooses the row of layer-1 set <paramref name="set"/> (context in [0, size)).</summary>
    public void Select(int set, int cx)
    {
        System.Diagnostics.Debug.Assert((uint)cx < (uint)_setSizes[set]);
        _sel[set] = _setBase[set] + cx * _n;
    }

    /// <summary>Chooses the layer-2 row (context in [0, finalContexts)).</summary>
    public void SelectFinal(int cx)
    {
        System.Diagnostics.Debug.Assert((uint)cx < (uint)_finalContexts);
        _sel2 = cx * _n2;
    }

    /// <summary>Mixes the inputs; returns the stretched output (±2047). <see cref="P12"/> then holds its 12-bit probability.</summary>
    public int Mix()
    {
        var path = KernelPath;
        int n = _n;
        short* x = _x;
        for (int i = _count; i < _written; i++)
        {
            x[i] = 0;   // inputs past the count must read as 0 (only when a mix had more inputs than this one)
        }
        _written = _count;
        var squash = CmTables.Squash;
        if (_sets == 1)
        {
            // One weight set: its output is the mix (no second layer).
            int d = MixerKernels.Dot(x, _w + _sel[0], n, path) >> 6;
            d = d < -2047 ? -2047 : d > 2047 ? 2047 : d;
            _pr2 = squash[d + 2048];
            return d;
        }
        int* dots = _dots;
        for (int s = 0; s < _sets; s++)
        {
            int dot = MixerKernels.Dot(x, _w + _sel[s], n, path) >> 6;
            dot = dot < -2047 ? -2047 : dot > 2047 ? 2047 : dot;
            dots[s] = dot;
            _x2[s] = (short)dot;
            _pr[s] = squash[dot + 2048];
        }
        // Layer 2 over the few set outputs: the same pair sums as MixerKernels.Dot (pairs past the sets are 0), in
        // scalar code on 32-bit values just computed, so it neither waits for the 16-bit stores to reach the cache
        // nor pays a full-width vector reduction.
        short* w2 = _w2 + _sel2;
        int sum = 0;
        for (int s = 0; s < _sets; s += 2)
        {
            sum += (dots[s] * w2[s] + dots[s + 1] * w2[s + 1]) >> 8;
        }
        int d2 = sum >> 6;
        d2 = d2 < -2047 ? -2047 : d2 > 2047 ? 2047 : d2;
        _pr2 = squash[d2 + 2048];
        return d2;
    }

    /// <summary>12-bit probability of the last <see cref="Mix"/>.</summary>
    public int P12 => _pr2;

    /// <summary>Trains both layers on <paramref name="bit"/> and clears the inputs.</summary>
    public void Update(int bit)
    {
        var path = KernelPath;
        int target = bit << 12;
        if (_sets == 1)
        {
            int e1 = Clamp16(((target - _pr2) * _lr) >> 2);
            if (e1 != 0)
            {
                MixerKernels.Train(_x, _w + _sel[0], _n, e1, path);
            }
            _count = 0;
            return;
        }
        int e2 = Clamp16(((target - _pr2) * _lr2) >> 2);
        if (e2 != 0)
        {
            MixerKernels.Train(_x2, _w2 + _sel2, _n2, e2, path);
        }
        for (int s = 0; s < _sets; s++)
        {
            int e = Clamp16(((target - _pr[s]) * _lr) >> 2);
            if (e != 0)
            {
                MixerKernels.Train(_x, _w + _sel[s], _n, e, path);
            }
        }
        _count = 0;
    }

    private static int Clamp16(int e) => e < -32767 ? -32767 : e > 32767 ? 32767 : e;

    /// <summary>A deep copy.</summary>
    public Mixer Clone() => new(this);

    /// <summary>Overwrites the weights and state with <paramref name="o"/>'s (same shape).</summary>
    public void CopyFrom(Mixer o)
    {
        if (o._n != _n || o._sets != _sets || o._finalContexts != _finalContexts || o._lr != _lr || o._lr2 != _lr2)
        {
            throw new ArgumentException("the mixers differ in shape", nameof(o));
        }
        _xBuf.CopyFrom(o._xBuf);
        _wBuf.CopyFrom(o._wBuf);
        _w2Buf.CopyFrom(o._w2Buf);
        _state.CopyFrom(o._state);
        _x2Buf.CopyFrom(o._x2Buf);
        _count = o._count;
        _written = o._written;
        _sel2 = o._sel2;
        _pr2 = o._pr2;
        KernelPath = o.KernelPath;
    }
}
