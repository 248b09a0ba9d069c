using System.Globalization;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>Hyper-parameters of an <see cref="OnlineLstm"/>; <see cref="Spec"/> is the string the container records.</summary>
/// <param name="Cells">Cells per layer H (a multiple of 16, 16 … 1024).</param>
/// <param name="Layers">Layers L (1 … 8).</param>
/// <param name="Horizon">Truncated-BPTT window T: one Adam step every T bytes through the last T steps (1 … 256).</param>
/// <param name="LearningRate">Adam step size η at the start.</param>
/// <param name="Decay">Schedule: the step size after t updates is η / √(1 + decay·t).</param>
/// <param name="Beta1">Adam's first-moment decay.</param>
/// <param name="Beta2">Adam's second-moment decay.</param>
/// <param name="Clip">Elementwise bound on the gradients passed between steps and layers.</param>
/// <param name="InitScale">Initial weights are uniform in ±InitScale/√(inputs of the gate).</param>
/// <param name="Seed">Seed of the initial weights.</param>
/// <param name="OutputRate">Step size of the softmax layer trained by plain SGD on every byte (fast adaptation); 0: the softmax layer is trained by Adam with the rest.</param>
/// <param name="Epsilon">Adam's ε (added to √v̂).</param>
public sealed record OnlineLstmOptions(
    int Cells = 96,
    int Layers = 3,
    int Horizon = 20,
    float LearningRate = 0.012f,
    float Decay = 5e-4f,
    float Beta1 = 0.025f,
    float Beta2 = 0.9999f,
    float Clip = 2f,
    float InitScale = 1f,
    int Seed = 1,
    float OutputRate = 0f,
    float Epsilon = 1e-8f)
{
    /// <summary>The configuration kind in spec strings.</summary>
    public const string Kind = "online-lstm";

    /// <summary>Largest number of weights a configuration may have: 2^24 (the model keeps three such arrays: 192 MiB).</summary>
    public const long MaxWeights = 1L << 24;

    private const int V = 256;

    /// <summary>
    /// The values a spec key takes when it is absent. Part of the file format: files record only the keys that differ
    /// from these, so they must never change (the record's own defaults may).
    /// </summary>
    public static OnlineLstmOptions Baseline { get; } = new(96, 3, 20, 0.012f, 5e-4f, 0.025f, 0.9999f, 2f, 1f, 1, 0f, 1e-8f);

    /// <summary>The configuration as <c>online-lstm:h=…,l=…,t=…</c> and every other key whose value differs from <see cref="Baseline"/>.</summary>
    public string Spec
    {
        get
        {
            var b = Baseline;
            var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"h={Cells},l={Layers},t={Horizon}") };
            void Add(string key, float value, float baseline)
            {
                if (value != baseline)
                {
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"{key}={value:R}"));
                }
            }
            Add("lr", LearningRate, b.LearningRate);
            Add("decay", Decay, b.Decay);
            Add("b1", Beta1, b.Beta1);
            Add("b2", Beta2, b.Beta2);
            Add("clip", Clip, b.Clip);
            Add("init", InitScale, b.InitScale);
            Add("olr", OutputRate, b.OutputRate);
            Add("eps", Epsilon, b.Epsilon);
            if (Seed != b.Seed)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"seed={Seed}"));
            }
            return Kind + ":" + string.Join(',', parts);
        }
    }

    /// <summary>Reads the options of a spec (absent keys keep their defaults).</summary>
    /// <exception cref="ArgumentException">A value is malformed or out of range.</exception>
    public static OnlineLstmOptions FromOptions(IReadOnlyDictionary<string, string> o)
    {
        var d = Baseline;
        var r = new OnlineLstmOptions(
            SequenceModels.GetInt(o, "h", d.Cells),
            SequenceModels.GetInt(o, "l", d.Layers),
            SequenceModels.GetInt(o, "t", d.Horizon),
            SequenceModels.GetFloat(o, "lr", d.LearningRate),
            SequenceModels.GetFloat(o, "decay", d.Decay),
            SequenceModels.GetFloat(o, "b1", d.Beta1),
            SequenceModels.GetFloat(o, "b2", d.Beta2),
            SequenceModels.GetFloat(o, "clip", d.Clip),
            SequenceModels.GetFloat(o, "init", d.InitScale),
            SequenceModels.GetInt(o, "seed", d.Seed),
            SequenceModels.GetFloat(o, "olr", d.OutputRate),
            SequenceModels.GetFloat(o, "eps", d.Epsilon));
        r.Validate();
        return r;
    }

    /// <summary>Throws unless every field is in range.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        if (Cells < 16 || Cells > 1024 || Cells % RecurrentKernels.Align != 0)
        {
            throw new ArgumentException($"online-lstm: h={Cells} must be a multiple of 16 in 16..1024");
        }
        if (Layers is < 1 or > 8)
        {
            throw new ArgumentException($"online-lstm: l={Layers} must be 1..8");
        }
        if (Horizon is < 1 or > 256)
        {
            throw new ArgumentException($"online-lstm: t={Horizon} must be 1..256");
        }
        long weights = 0;
        for (int l = 0; l < Layers; l++)
        {
            weights += (long)((l == 0 ? 1 : 2) * Cells + V + 1) * 3 * Cells;
        }
        weights += (long)Layers * Cells * V + V;
        if (weights > MaxWeights)
        {
            // a spec comes from a container header, i.e. from outside: this bounds what a crafted file can allocate
            throw new ArgumentException($"online-lstm: h={Cells}, l={Layers} needs {weights:N0} weights, more than the limit of {MaxWeights:N0}");
        }
        if (!(LearningRate > 0 && LearningRate < 1) || !(Decay >= 0 && Decay < 1) || !(Beta1 >= 0 && Beta1 < 1)
            || !(Beta2 > 0 && Beta2 < 1) || !(Clip > 0 && Clip <= 1e6f) || !(InitScale >= 0 && InitScale <= 100)
            || !(OutputRate >= 0 && OutputRate < 10) || !(Epsilon > 0 && Epsilon < 1))
        {
            throw new ArgumentException($"online-lstm: options out of range ({Spec})");
        }
    }
}

/// <summary>
/// A byte-level LSTM trained online by truncated backpropagation through time, the design of lstm-compress / cmix's
/// LSTM (B. Knoll), implemented here from its description:
/// <list type="bullet">
/// <item><b>Layers.</b> L stacked LSTM layers of H cells with coupled input and forget gates (i = 1 − f; three gate
/// blocks f, z, o). Layer l sees its own previous output h_l(t−1), the layer below's output h_{l−1}(t) (l &gt; 0) and
/// the previous byte as a one-hot input (a row of the embedding E_l), plus a bias.</item>
/// <item><b>Output.</b> A softmax over the 256 byte values from the concatenated outputs of all layers. It learns on
/// every byte by plain SGD (step <c>olr</c>), so it adapts fast; dL/d(outputs) of each step is taken with the
/// weights that made the prediction and kept for the backward pass.</item>
/// <item><b>Training.</b> Each byte runs one forward step (the prediction) and keeps its activations. Every
/// <c>Learn</c> (every T bytes) backpropagates through the steps since the last one (at most T), with dL/dc and the
/// gradients passed between steps and layers clipped elementwise to ±clip, and takes one Adam step with the
/// step size η/√(1 + decay·t); embedding rows of bytes not in the window are left alone (lazy Adam).</item>
/// </list>
/// Cost per byte ≈ 3 × (Σ_l inputs_l·3H + L·H·256) multiply-adds (forward, the two backward products) plus the
/// Adam step over all weights every T bytes. Memory: 4 × (weights, gradient, two moments, transposed copies).
/// <para>Determinism: every kernel (<see cref="RecurrentKernels"/>) gives identical bits for every SIMD width; the
/// model runs on one thread.</para>
/// </summary>
public sealed unsafe class OnlineLstm : ISequenceModel
{
    private const int V = 256;
    private readonly OnlineLstmOptions _o;
    private readonly int _h;
    private readonly int _l;
    private readonly int _g;
    private readonly int _lh;
    private readonly int _horizon;
    private readonly int[] _nIn;
    private readonly long[] _wOff;     // W_l [nIn_l, G]
    private readonly long[] _eOff;     // E_l [256, G]
    private readonly long[] _bOff;     // b_l [G]
    private readonly long _woOff;      // Wo [LH, 256], then bo [256]
    private readonly long _params;
    private readonly int _slotFloats;
    private readonly int[] _xOff;      // per layer, within a slot: x_l [nIn_l] | gates [G] | c' [H] | τ [H] | dPre [G]
    private readonly int _hcatOff;     // hcat [LH] | p [256] | dl [256] | dhcat [LH] | dhUp [H]

    // 64-byte aligned (every offset below is a multiple of 16 floats, so every vector load is one cache line; an
    // unaligned base splits each Vector512 load over two lines, and where an allocation happened to land moved the
    // speed by several per cent from run to run)
    private readonly PinnedBuffer<float> _wArr;
    private readonly PinnedBuffer<float> _mArr;
    private readonly PinnedBuffer<float> _vArr;
    private readonly PinnedBuffer<float> _actArr;
    private readonly PinnedBuffer<float> _scratchArr;   // c_l [LH] | zeros [LH] | dh [H] | dc [H] | dhRec [H] | logits [256]
    private readonly int[] _sym;

    private readonly float* _w, _m, _v, _act, _sc;
    private int _cur;                  // slot of the current step (its target is the next byte); slots 0.._cur-1 wait for training
    private long _steps;
    private double _beta1Pow = 1, _beta2Pow = 1;

    /// <summary>Creates a fresh model.</summary>
    /// <exception cref="ArgumentException">Options out of range.</exception>
    public OnlineLstm(OnlineLstmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _o = options;
        _h = options.Cells;
        _l = options.Layers;
        _g = 3 * _h;
        _lh = _l * _h;
        _horizon = options.Horizon;
        _nIn = new int[_l];
        _wOff = new long[_l];
        _eOff = new long[_l];
        _bOff = new long[_l];
        _xOff = new int[_l];
        long p = 0;
        int s = 0;
        for (int l = 0; l < _l; l++)
        {
            _nIn[l] = l == 0 ? _h : 2 * _h;
            _wOff[l] = p;
            p += (long)_nIn[l] * _g;
            _eOff[l] = p;
            p += (long)V * _g;
            _bOff[l] = p;
            p += _g;
            _xOff[l] = s;
            s += _nIn[l] + 2 * _g + 2 * _h;
        }
        _woOff = p;
        p += (long)_lh * V + V;
        _params = p;
        _hcatOff = s;
        s += 2 * _lh + 2 * V + _h;
        _slotFloats = s;

        _wArr = Alloc(_params);
        _mArr = Alloc(options.Beta1 == 0 ? 0 : _params);
        _vArr = Alloc(_params);
        _actArr = Alloc((long)_slotFloats * (_horizon + 1));
        _scratchArr = Alloc(2 * _lh + 3 * _h + V);
        _sym = new int[_horizon + 1];
        _w = Address(_wArr);
        _m = Address(_mArr);
        _v = Address(_vArr);
        _act = Address(_actArr);
        _sc = Address(_scratchArr);
        Initialise();
        ResetContext();
    }

    private OnlineLstm(OnlineLstm o)
    {
        _o = o._o;
        _h = o._h;
        _l = o._l;
        _g = o._g;
        _lh = o._lh;
        _horizon = o._horizon;
        _nIn = o._nIn;
        _wOff = o._wOff;
        _eOff = o._eOff;
        _bOff = o._bOff;
        _woOff = o._woOff;
        _params = o._params;
        _slotFloats = o._slotFloats;
        _xOff = o._xOff;
        _hcatOff = o._hcatOff;
        _wArr = o._wArr.Clone();
        _mArr = o._mArr.Clone();
        _vArr = o._vArr.Clone();
        _actArr = o._actArr.Clone();
        _scratchArr = o._scratchArr.Clone();
        _sym = (int[])o._sym.Clone();
        _w = Address(_wArr);
        _m = Address(_mArr);
        _v = Address(_vArr);
        _act = Address(_actArr);
        _sc = Address(_scratchArr);
        _cur = o._cur;
        Frozen = o.Frozen;
        _steps = o._steps;
        _beta1Pow = o._beta1Pow;
        _beta2Pow = o._beta2Pow;
    }

    /// <summary>Creates the model of an <c>online-lstm:…</c> spec.</summary>
    public static OnlineLstm Create(IReadOnlyDictionary<string, string> options) => new(OnlineLstmOptions.FromOptions(options));

    /// <summary>The hyper-parameters.</summary>
    public OnlineLstmOptions Options => _o;

    /// <inheritdoc />
    public string Spec => _o.Spec;

    /// <inheritdoc />
    public long ParameterCount => _params;

    /// <inheritdoc />
    public bool Frozen { get; set; }

    /// <summary>Adam steps taken so far.</summary>
    public long Steps => _steps;

    /// <summary>Multiply-adds of one byte's forward step (the backward costs about twice as much).</summary>
    public long ForwardMultiplyAdds
    {
        get
        {
            long n = (long)_lh * V;
            foreach (int i in _nIn)
            {
                n += (long)i * _g;
            }
            return n;
        }
    }

    private static PinnedBuffer<float> Alloc(long n) => new(n);

    private static float* Address(PinnedBuffer<float> a) => a.Length == 0 ? null : a.Pointer;

    private float* Slot(int s) => _act + (long)s * _slotFloats;

    private float* X(float* slot, int l) => slot + _xOff[l];

    private float* Gates(float* slot, int l) => slot + _xOff[l] + _nIn[l];

    private float* CPrev(float* slot, int l) => Gates(slot, l) + _g;

    private float* TanhC(float* slot, int l) => CPrev(slot, l) + _h;

    private float* DPre(float* slot, int l) => TanhC(slot, l) + _h;

    private float* Hcat(float* slot) => slot + _hcatOff;

    private float* P(float* slot) => slot + _hcatOff + _lh;

    private float* Dl(float* slot) => P(slot) + V;

    private float* Dhcat(float* slot) => Dl(slot) + V;

    private float* DhUp(float* slot) => Dhcat(slot) + _lh;

    private float* CellState(int l) => _sc + l * _h;

    private float* Zeros => _sc + _lh;

    private float* Dh => _sc + 2 * _lh;

    private float* Dc => Dh + _h;

    private float* DhRec => Dc + _h;

    private float* Logits => DhRec + _h;

    private void Initialise()
    {
        var rng = new Xoshiro256((ulong)_o.Seed, 0x4C53544D);
        for (int l = 0; l < _l; l++)
        {
            float r = _o.InitScale / MathF.Sqrt(_nIn[l] + 1);
            Uniform(ref rng, _w + _wOff[l], (long)_nIn[l] * _g, r);
            Uniform(ref rng, _w + _eOff[l], (long)V * _g, r);
            float* b = _w + _bOff[l];
            for (int j = 0; j < _h; j++)
            {
                b[j] = 1f;   // forget gates start mostly open: remember by default
            }
        }
        Uniform(ref rng, _w + _woOff, (long)_lh * V, _o.InitScale / MathF.Sqrt(_lh));
    }

    private static void Uniform(ref Xoshiro256 rng, float* p, long n, float r)
    {
        for (long i = 0; i < n; i++)
        {
            p[i] = (float)((rng.NextDouble() * 2 - 1) * r);
        }
    }

    /// <summary>One forward step on input byte <paramref name="symbol"/> into slot <see cref="_cur"/>.</summary>
    private void Forward(int symbol, float* hPrevCat)
    {
        float* slot = Slot(_cur);
        _sym[_cur] = symbol;
        float* hcat = Hcat(slot);
        for (int l = 0; l < _l; l++)
        {
            float* x = X(slot, l);
            float* gates = Gates(slot, l);
            Copy(x, hPrevCat + l * _h, _h);
            if (l > 0)
            {
                Copy(x + _h, hcat + (l - 1) * _h, _h);
            }
            RecurrentKernels.MatVec(gates, _w + _bOff[l], _w + _eOff[l] + (long)symbol * _g, x, _nIn[l], _w + _wOff[l], _g);
            float* c = CellState(l);
            Copy(CPrev(slot, l), c, _h);
            RecurrentKernels.CellForward(gates, c, TanhC(slot, l), hcat + l * _h, _h);
        }
        RecurrentKernels.MatVec(Logits, _w + _woOff + (long)_lh * V, null, hcat, _lh, _w + _woOff, V);
        RecurrentKernels.Softmax(P(slot), Logits, V);
    }

    private static void Copy(float* to, float* from, int n) => new ReadOnlySpan<float>(from, n).CopyTo(new Span<float>(to, n));

    /// <inheritdoc />
    public void Predict(Span<float> probabilities) => new ReadOnlySpan<float>(P(Slot(_cur)), V).CopyTo(probabilities);

    /// <summary>The current next-byte distribution (256 floats summing to about 1), valid until the next call.</summary>
    public ReadOnlySpan<float> Probabilities => new(P(Slot(_cur)), V);

    /// <inheritdoc />
    public void Observe(byte symbol)
    {
        float* cur = Slot(_cur);
        // the current prediction's error: dl = p − onehot, dL/d(outputs) = Wo·dl, then one SGD step of the softmax layer
        float* dl = Dl(cur);
        Copy(dl, P(cur), V);
        dl[symbol] -= 1f;
        RecurrentKernels.DotRows(Dhcat(cur), _lh, _w + _woOff, _lh, V, dl, V, 1);
        if (!Frozen && _o.OutputRate > 0)
        {
            float* wo = _w + _woOff;
            RecurrentKernels.AddOuter(wo, Hcat(cur), _lh, dl, V, -_o.OutputRate);
            RecurrentKernels.AddOuter(wo + (long)_lh * V, null, 1, dl, V, -_o.OutputRate);
        }
        if (_cur == _horizon)
        {
            // a full window was not trained on (no Learn call): keep only the current step
            ShiftCurrentToFront();
        }
        float* hPrev = Hcat(Slot(_cur));
        _cur++;
        Forward(symbol, hPrev);
    }

    private void ShiftCurrentToFront()
    {
        if (_cur > 0)
        {
            Copy(Slot(0), Slot(_cur), _slotFloats);
            _sym[0] = _sym[_cur];
            _cur = 0;
        }
    }

    /// <summary>
    /// Backpropagates through the steps observed since the last call (at most the horizon; their targets are the
    /// bytes observed after them) and takes one Adam step. <paramref name="history"/> and <paramref name="start"/>
    /// are not read: the model keeps what it needs of them.
    /// </summary>
    public void Learn(ReadOnlySpan<byte> history, int start)
    {
        int n = _cur;
        if (n == 0)
        {
            return;
        }
        if (!Frozen)
        {
            Backward(n);
            AdamStep(n);
        }
        ShiftCurrentToFront();
    }

    private void Backward(int n)
    {
        float* s0 = Slot(0);
        int ld = _slotFloats;
        // layers top-down: the recurrence runs backwards in time; the gradient to the layer below is one batch
        for (int l = _l - 1; l >= 0; l--)
        {
            new Span<float>(Dc, 2 * _h).Clear();   // dc and dhRec at the end of the window
            float* wRec = _w + _wOff[l];           // rows 0..H of W_l: the recurrent input h_l(t−1)
            for (int t = n - 1; t >= 0; t--)
            {
                float* slot = Slot(t);
                Copy(Dh, Dhcat(slot) + l * _h, _h);
                RecurrentKernels.AddTo(Dh, DhRec, _h);
                if (l < _l - 1)
                {
                    RecurrentKernels.AddTo(Dh, DhUp(slot), _h);
                }
                RecurrentKernels.CellBackward(DPre(slot, l), Dc, Dh, Gates(slot, l), CPrev(slot, l), TanhC(slot, l), _h, _o.Clip);
                if (t > 0)
                {
                    RecurrentKernels.DotRows(DhRec, _h, wRec, _h, _g, DPre(slot, l), ld, 1);
                    RecurrentKernels.Clip(DhRec, _h, _o.Clip);
                }
            }
            if (l > 0)
            {
                RecurrentKernels.DotRows(DhUp(s0), ld, wRec + (long)_h * _g, _h, _g, DPre(s0, l), ld, n);
                for (int t = 0; t < n; t++)
                {
                    RecurrentKernels.Clip(DhUp(Slot(t)), _h, _o.Clip);
                }
            }
        }
    }

    private void AdamStep(int n)
    {
        _steps++;
        _beta1Pow *= _o.Beta1;
        _beta2Pow *= _o.Beta2;
        double rate = _o.LearningRate / Math.Sqrt(1 + _o.Decay * (double)_steps);
        var step = new AdamStep(_o.Beta1, _o.Beta2, (float)(rate / (1 - _beta1Pow)), (float)(1 / Math.Sqrt(1 - _beta2Pow)), _o.Epsilon);
        float* s0 = Slot(0);
        int ld = _slotFloats;
        fixed (int* sym = _sym)
        {
            for (int l = 0; l < _l; l++)
            {
                float* dPre = DPre(s0, l);
                Update(_wOff[l], _nIn[l], _g, X(s0, l), dPre, n, null, 0, step);
                Update(_bOff[l], 1, _g, null, dPre, n, null, 0, step);
                // embedding rows of the bytes in the window (lazy: the others keep their moments)
                for (int t = 0; t < n; t++)
                {
                    int s = sym[t];
                    bool first = true;
                    for (int u = 0; u < t; u++)
                    {
                        first &= sym[u] != s;
                    }
                    if (first)
                    {
                        Update(_eOff[l] + (long)s * _g, 1, _g, null, dPre, n, sym, s, step);
                    }
                }
            }
            if (_o.OutputRate == 0)
            {
                Update(_woOff, _lh, V, Hcat(s0), Dl(s0), n, null, 0, step);
                Update(_woOff + (long)_lh * V, 1, V, null, Dl(s0), n, null, 0, step);
            }
        }

        void Update(long off, int rows, int cols, float* a, float* d, int count, int* select, int value, in AdamStep st)
            => RecurrentKernels.AdamOuter(_w + off, _m == null ? null : _m + off, _v + off, rows, cols, a, ld, d, ld, count, select, value, st);
    }

    /// <summary>
    /// For gradient tests: from a fresh context, observes <paramref name="bytes"/> with the weights frozen (at most the
    /// horizon, so no truncation), backpropagates, and adds dLoss/dWeights of the window into
    /// <paramref name="gradient"/> (parameter layout of <see cref="ReadParameters"/>). Returns the loss Σ −ln p(next byte)
    /// in nats. Leaves the context reset.
    /// </summary>
    internal double WindowGradient(ReadOnlySpan<byte> bytes, float[] gradient)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes.Length, _horizon);
        ArgumentOutOfRangeException.ThrowIfLessThan(gradient.Length, _params);
        bool frozen = Frozen;
        Frozen = true;
        ResetContext();
        double loss = 0;
        foreach (byte b in bytes)
        {
            loss -= Math.Log(P(Slot(_cur))[b]);
            Observe(b);
        }
        int n = _cur;
        Backward(n);
        fixed (float* g = gradient)
        {
            for (int t = 0; t < n; t++)
            {
                float* slot = Slot(t);
                for (int l = 0; l < _l; l++)
                {
                    RecurrentKernels.AddOuter(g + _wOff[l], X(slot, l), _nIn[l], DPre(slot, l), _g);
                    RecurrentKernels.AddTo(g + _bOff[l], DPre(slot, l), _g);
                    RecurrentKernels.AddTo(g + _eOff[l] + (long)_sym[t] * _g, DPre(slot, l), _g);
                }
                RecurrentKernels.AddOuter(g + _woOff, Hcat(slot), _lh, Dl(slot), V);
                RecurrentKernels.AddTo(g + _woOff + (long)_lh * V, Dl(slot), V);
            }
        }
        Frozen = frozen;
        ResetContext();
        return loss;
    }

    /// <summary>For gradient tests: Σ −ln p(next byte) over <paramref name="bytes"/> from a fresh context, weights frozen.</summary>
    internal double WindowLoss(ReadOnlySpan<byte> bytes)
    {
        bool frozen = Frozen;
        Frozen = true;
        ResetContext();
        double loss = 0;
        foreach (byte b in bytes)
        {
            loss -= Math.Log(P(Slot(_cur))[b]);
            Observe(b);
        }
        Frozen = frozen;
        ResetContext();
        return loss;
    }

    /// <inheritdoc />
    public void ResetContext()
    {
        new Span<float>(_sc, 2 * _lh).Clear();   // cell states and the zero "previous output"
        _cur = 0;
        Forward(0, Zeros);
    }

    /// <inheritdoc />
    public void ReadParameters(Span<float> destination) => new ReadOnlySpan<float>(_w, checked((int)_params)).CopyTo(destination);

    /// <inheritdoc />
    public void WriteParameters(ReadOnlySpan<float> source)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(source.Length, _params, nameof(source));
        source.CopyTo(new Span<float>(_w, checked((int)_params)));
        ResetContext();
    }

    /// <inheritdoc />
    public ISequenceModel Clone() => new OnlineLstm(this);
}
