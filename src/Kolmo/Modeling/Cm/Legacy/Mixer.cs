using Kolmo.Coding;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Two-layer gated logistic mixer (paq8 style): combines stretched predictions into one probability.
/// <para>Maps: layer 1 has <c>S</c> weight sets; set s picks one weight vector by its own selector context
/// (e.g. the partial byte, the match state, the previous byte) and outputs st_s = Σ w·x (stretched, clamped to
/// ±2047). Layer 2 mixes the S outputs with a weight vector picked by one more selector; the result is squashed
/// to a 12-bit probability.</para>
/// <para>Scale: inputs are stretched probabilities (|x| ≤ 2047, 8 fractional bits of a nat); weights have 16
/// fractional bits (65536 = 1.0), clamped to ±8.</para>
/// <para>Update rule: online gradient descent on coding cost, per set: err = (y·4096 − p_s) · lr,
/// w += x · err / 1024 (layer 2 the same with its own rate) — see <see cref="MixerKernels"/>.</para>
/// <para>Cost per bit: (S + 1) dot products and training steps over the padded input count, SIMD.</para>
/// <para>Call order per bit: <see cref="Add"/> × inputs, <see cref="Select"/> per set, <see cref="Mix"/>, <see cref="Update"/>.</para>
/// </summary>
internal sealed class Mixer
{
    private readonly int _n;
    private readonly int[] _x;
    private readonly int[][] _w;
    private readonly int[] _sel;
    private readonly int[] _pr;
    private readonly int _n2;
    private readonly int[] _x2;
    private readonly int[] _w2;
    private readonly int _lr;
    private readonly int _lr2;
    private int _count;
    private int _sel2;
    private int _pr2;

    /// <summary>Creates a mixer of up to <paramref name="inputs"/> inputs, one layer-1 set per entry of
    /// <paramref name="setSizes"/> (its number of selector contexts), and <paramref name="finalContexts"/> layer-2 weight sets.</summary>
    public Mixer(int inputs, int[] setSizes, int finalContexts, int lr = 6, int lr2 = 2)
    {
        _n = (inputs + 7) & ~7;
        _x = new int[_n];
        _w = new int[setSizes.Length][];
        int init = 65536 / 4;
        for (int s = 0; s < setSizes.Length; s++)
        {
            _w[s] = new int[setSizes[s] * _n];
            Array.Fill(_w[s], init);
        }
        _sel = new int[setSizes.Length];
        _pr = new int[setSizes.Length];
        _n2 = (setSizes.Length + 7) & ~7;
        _x2 = new int[_n2];
        _w2 = new int[finalContexts * _n2];
        Array.Fill(_w2, 65536 / setSizes.Length);
        _lr = lr;
        _lr2 = lr2;
    }

    private Mixer(Mixer o)
    {
        _n = o._n;
        _x = (int[])o._x.Clone();
        _w = [.. o._w.Select(a => (int[])a.Clone())];
        _sel = (int[])o._sel.Clone();
        _pr = (int[])o._pr.Clone();
        _n2 = o._n2;
        _x2 = (int[])o._x2.Clone();
        _w2 = (int[])o._w2.Clone();
        _lr = o._lr;
        _lr2 = o._lr2;
        _count = o._count;
        _sel2 = o._sel2;
        _pr2 = o._pr2;
    }

    /// <summary>Forces a kernel path (tests compare the scalar reference with SIMD).</summary>
    public MixerKernels.Path KernelPath { get; set; }

    /// <summary>Bytes used.</summary>
    public long MemoryBytes => (_w.Sum(a => (long)a.Length) + _w2.Length + _x.Length + _x2.Length) * 4L;

    /// <summary>Input <paramref name="i"/> added since the last update (tests read what a model contributed).</summary>
    internal int Input(int i) => _x[i];

    /// <summary>Adds one stretched input (|x| ≤ 2047).</summary>
    public void Add(int x) => _x[_count++] = x;

    /// <summary>Chooses the weight vector of layer-1 set <paramref name="set"/> (context in [0, size)).</summary>
    public void Select(int set, int cx) => _sel[set] = cx * _n;

    /// <summary>Chooses the layer-2 weight vector.</summary>
    public void SelectFinal(int cx) => _sel2 = cx * _n2;

    /// <summary>Mixes the inputs; returns P(1) on 12 bits.</summary>
    public int Mix()
    {
        var path = KernelPath;
        for (int i = _count; i < _n; i++)
        {
            _x[i] = 0;
        }
        for (int s = 0; s < _w.Length; s++)
        {
            int dot = MixerKernels.Dot(_x, _w[s].AsSpan(_sel[s], _n), _n, path) >> 8;
            dot = Math.Clamp(dot, -2047, 2047);
            _x2[s] = dot;
            _pr[s] = Logistic.Squash(dot);
        }
        int d2 = MixerKernels.Dot(_x2, _w2.AsSpan(_sel2, _n2), _n2, path) >> 8;
        _pr2 = Logistic.Squash(Math.Clamp(d2, -2047, 2047));
        return _pr2;
    }

    /// <summary>Trains both layers on <paramref name="bit"/> and clears the inputs.</summary>
    public void Update(int bit)
    {
        var path = KernelPath;
        int target = bit << 12;
        int err2 = (target - _pr2) * _lr2;
        MixerKernels.Train(_x2, _w2.AsSpan(_sel2, _n2), _n2, err2, path);
        for (int s = 0; s < _w.Length; s++)
        {
            int err = (target - _pr[s]) * _lr;
            if (err != 0)
            {
                MixerKernels.Train(_x, _w[s].AsSpan(_sel[s], _n), _n, err, path);
            }
        }
        _count = 0;
    }

    /// <summary>A deep copy.</summary>
    public Mixer Clone() => new(this);

    /// <summary>Overwrites the weights and state with <paramref name="o"/>'s (same shape).</summary>
    public void CopyFrom(Mixer o)
    {
        if (o._n != _n || o._w.Length != _w.Length || o._w2.Length != _w2.Length || o._lr != _lr || o._lr2 != _lr2)
        {
            throw new ArgumentException("the mixers differ in shape", nameof(o));
        }
        o._x.CopyTo(_x, 0);
        for (int s = 0; s < _w.Length; s++)
        {
            o._w[s].CopyTo(_w[s], 0);
        }
        o._sel.CopyTo(_sel, 0);
        o._pr.CopyTo(_pr, 0);
        o._x2.CopyTo(_x2, 0);
        o._w2.CopyTo(_w2, 0);
        _count = o._count;
        _sel2 = o._sel2;
        _pr2 = o._pr2;
    }
}
