namespace Kolmo.Neural;

/// <summary>Shape of an <see cref="Lstm"/>.</summary>
/// <param name="VocabSize">V: number of symbols.</param>
/// <param name="Context">T: backprop-through-time length of a training window.</param>
/// <param name="Layers">Stacked LSTM layers.</param>
/// <param name="Hidden">H: hidden (and embedding) width.</param>
public sealed record LstmConfig(int VocabSize = 256, int Context = 64, int Layers = 1, int Hidden = 256)
{
    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        if (VocabSize < 2 || VocabSize > 1 << 20)
        {
            throw new ArgumentException($"vocabulary size {VocabSize} must be in [2, 2^20]");
        }
        if (Context < 1 || Context > 8192)
        {
            throw new ArgumentException($"context {Context} must be in [1, 8192]");
        }
        if (Layers < 1 || Layers > 16)
        {
            throw new ArgumentException($"layers {Layers} must be in [1, 16]");
        }
        if (Hidden < 1 || Hidden > 8192)
        {
            throw new ArgumentException($"hidden {Hidden} must be in [1, 8192]");
        }
    }
}

/// <summary>
/// Stacked LSTM language model (Hochreiter &amp; Schmidhuber; gates i, f, g, o): embedding wte[V,H] →
/// L × LSTM(H) → logits = h · Wout[H,V] + bout → softmax. Training windows start from zero state (truncated
/// BPTT over T steps); the incremental predictor carries its state over the whole stream. The gate
/// pre-activation is evaluated in one fixed order (b, then x·Wx, then h·Wh) in both, so they agree bit for bit
/// on the first T symbols. Memory: params = V·H + L·(8H² + 4H) + H·V + V floats.
/// </summary>
public sealed unsafe class Lstm : SequenceModel
{
    private readonly ParameterInfo _wte, _wout, _bout;
    private readonly ParameterInfo[] _wx, _wh, _b;
    private float[] _acts = [];
    private float[] _dacts = [];
    private int[] _inputs = [];   // time-major [T,B]
    private int[] _targets = [];
    private float[] _weights = [];
    private int _bsz, _t;
    private bool _hasTargets;
    // offsets (all time-major, N = T·B rows)
    private long _x, _pre, _act, _c, _tc, _h, _logits, _probs, _losses, _dlosses, _zero, _total;

    /// <summary>Creates a model with seeded initialisation: U(±1/√H) weights, forget-gate bias 1.</summary>
    public Lstm(LstmConfig config, ulong seed)
        : this(config)
    {
        var rng = new Xoshiro256(seed);
        float r = 1f / MathF.Sqrt(config.Hidden);
        foreach (var p in Parameters.Tensors)
        {
            var v = Parameters.Value(p);
            if (p.Name.EndsWith(".b", StringComparison.Ordinal) || p.Name == "out.b")
            {
                v.Clear();
                if (p.Name != "out.b")
                {
                    v.Slice(config.Hidden, config.Hidden).Fill(1f);   // forget gate
                }
            }
            else
            {
                float s = p.Name == "wte" ? 0.1f : r;
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (float)((2 * rng.NextDouble() - 1) * s);
                }
            }
        }
    }

    internal Lstm(LstmConfig config)
        : base(new ParameterSet())
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int V = config.VocabSize, H = config.Hidden, L = config.Layers;
        var ps = Parameters;
        _wte = ps.Add("wte", true, V, H);
        _wx = new ParameterInfo[L]; _wh = new ParameterInfo[L]; _b = new ParameterInfo[L];
        for (int l = 0; l < L; l++)
        {
            _wx[l] = ps.Add($"l{l}.wx", true, H, 4 * H);
            _wh[l] = ps.Add($"l{l}.wh", true, H, 4 * H);
            _b[l] = ps.Add($"l{l}.b", false, 4 * H);
        }
        _wout = ps.Add("out.w", true, H, V);
        _bout = ps.Add("out.b", false, V);
        ps.Allocate();
    }

    /// <summary>The configuration.</summary>
    public LstmConfig Config { get; }

    /// <inheritdoc />
    public override string Kind => "lstm";

    /// <inheritdoc />
    public override int VocabSize => Config.VocabSize;

    /// <inheritdoc />
    public override int Context => Config.Context;

    internal override int[] ConfigInts() => [Config.VocabSize, Config.Context, Config.Layers, Config.Hidden];

    internal static Lstm FromConfigInts(int[] c)
    {
        if (c.Length != 4)
        {
            throw new InvalidDataException("checkpoint: bad LSTM configuration block");
        }
        try
        {
            return new Lstm(new LstmConfig(c[0], c[1], c[2], c[3]));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("checkpoint: " + e.Message);
        }
    }

    private void EnsureActs(int B, int T)
    {
        int L = Config.Layers, H = Config.Hidden, V = Config.VocabSize;
        long N = (long)B * T;
        long o = 0;
        long Take(long n) { long r = o; o += n; return r; }
        _x = Take(N * H);
        _pre = Take(L * N * 4 * H); _act = Take(L * N * 4 * H);
        _c = Take(L * N * H); _tc = Take(L * N * H); _h = Take(L * N * H);
        _logits = Take(N * V); _probs = Take(N * V); _losses = Take(N); _dlosses = Take(N);
        _zero = Take(4L * B * H + (long)B * H);
        _total = o;
        if (o > int.MaxValue)
        {
            throw new ArgumentException($"batch {B}×{T} is too large");
        }
        if (_acts.Length < o)
        {
            _acts = GC.AllocateArray<float>((int)o, pinned: true);
            _dacts = [];
        }
        if (_inputs.Length < N)
        {
            _inputs = GC.AllocateArray<int>((int)N, pinned: true);
            _targets = GC.AllocateArray<int>((int)N, pinned: true);
            _weights = new float[N];
        }
        _bsz = B;
        _t = T;
    }

    /// <inheritdoc />
    public override float Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int time, ReadOnlySpan<float> weights = default)
    {
        Validate(inputs, targets, batch, time, weights);
        EnsureActs(batch, time);
        int B = batch, T = time, H = Config.Hidden, V = Config.VocabSize, L = Config.Layers;
        int N = B * T;
        _hasTargets = !targets.IsEmpty;
        for (int b = 0; b < B; b++)
        {
            for (int t = 0; t < T; t++)
            {
                _inputs[t * B + b] = inputs[b * T + t];
                if (_hasTargets)
                {
                    _targets[t * B + b] = targets[b * T + t];
                    _weights[t * B + b] = weights.IsEmpty ? 1f : weights[b * T + t];
                }
            }
        }
        float* a = Pin.Ptr(_acts);
        var ps = Parameters;
        float* zero = a + _zero;
        new Span<float>(zero, B * H).Clear();
        Kernels.EncoderForward(a + _x, Pin.Ptr(_inputs), ps.ValuePtr(_wte), null, 1, N, H);
        float* layerIn = a + _x;
        for (int l = 0; l < L; l++)
        {
            long off = (long)l * N;
            float* pre = a + _pre + off * 4 * H, act = a + _act + off * 4 * H;
            float* c = a + _c + off * H, tc = a + _tc + off * H, h = a + _h + off * H;
            Kernels.LinearForward(pre, layerIn, ps.ValuePtr(_wx[l]), ps.ValuePtr(_b[l]), N, H, 4 * H);   // pre = b + x·Wx
            for (int t = 0; t < T; t++)
            {
                long r = (long)t * B;
                float* hprev = t == 0 ? zero : h + (r - B) * H;
                float* cprev = t == 0 ? zero : c + (r - B) * H;
                Kernels.MatMulAdd(pre + r * 4 * H, hprev, ps.ValuePtr(_wh[l]), B, H, 4 * H);         // pre += h·Wh
                Kernels.LstmCellForward(h + r * H, c + r * H, act + r * 4 * H, tc + r * H, pre + r * 4 * H, cprev, B, H);
            }
            layerIn = h;
        }
        Kernels.LinearForward(a + _logits, layerIn, ps.ValuePtr(_wout), ps.ValuePtr(_bout), N, H, V);
        Kernels.SoftmaxCrossEntropyForward(a + _probs, _hasTargets ? a + _losses : null, a + _logits, _hasTargets ? Pin.Ptr(_targets) : null, N, V);
        if (!_hasTargets)
        {
            return 0f;
        }
        return ReduceLoss(new ReadOnlySpan<float>(a + _losses, N), _targets.AsSpan(0, N), _weights.AsSpan(0, N), new Span<float>(a + _dlosses, N));
    }

    /// <inheritdoc />
    public override void Backward()
    {
        if (!_hasTargets)
        {
            throw new InvalidOperationException("Backward needs a Forward with targets");
        }
        int B = _bsz, T = _t, H = Config.Hidden, V = Config.VocabSize, L = Config.Layers;
        int N = B * T;
        if (_dacts.Length < _acts.Length)
        {
            _dacts = GC.AllocateArray<float>(_acts.Length, pinned: true);
        }
        else
        {
            Array.Clear(_dacts, 0, (int)_total);
        }
        float* a = Pin.Ptr(_acts), d = Pin.Ptr(_dacts);
        var ps = Parameters;
        float* zero = a + _zero;
        float* dc = d + _zero, dcprev = d + _zero + (long)B * H, dhTotal = d + _zero + 2L * B * H;
        Kernels.SoftmaxCrossEntropyBackward(d + _logits, a + _dlosses, a + _probs, Pin.Ptr(_targets), N, V);
        float* top = a + _h + (long)(L - 1) * N * H;
        Kernels.LinearBackward(d + _h + (long)(L - 1) * N * H, ps.GradPtr(_wout), ps.GradPtr(_bout), d + _logits, top, ps.ValuePtr(_wout), N, H, V);
        for (int l = L - 1; l >= 0; l--)
        {
            long off = (long)l * N;
            float* act = a + _act + off * 4 * H, c = a + _c + off * H, tc = a + _tc + off * H, h = a + _h + off * H;
            float* dpre = d + _pre + off * 4 * H, dh = d + _h + off * H;
            new Span<float>(dc, B * H).Clear();
            new Span<float>(dhTotal, B * H).Clear();   // dh flowing back from step t+1
            float[] whT = System.Buffers.ArrayPool<float>.Shared.Rent(4 * H * H);
            fixed (float* wht = whT)
            {
            Kernels.Transpose(wht, ps.ValuePtr(_wh[l]), H, 4 * H);                                  // Whᵀ [4H, H], once per layer
            for (int t = T - 1; t >= 0; t--)
            {
                long r = (long)t * B;
                float* hprev = t == 0 ? zero : h + (r - B) * H;
                float* cprev = t == 0 ? zero : c + (r - B) * H;
                Kernels.AddTo(dhTotal, dh + r * H, B * H);
                Kernels.LstmCellBackward(dpre + r * 4 * H, dcprev, dhTotal, dc, act + r * 4 * H, tc + r * H, cprev, B, H);
                new Span<float>(dc, B * H).Clear();
                Kernels.AddTo(dc, dcprev, B * H);
                new Span<float>(dhTotal, B * H).Clear();
                Kernels.MatMulAdd(dhTotal, dpre + r * 4 * H, wht, B, 4 * H, H);                      // dh_{t-1} = dpre·Whᵀ
            }
            }
            System.Buffers.ArrayPool<float>.Shared.Return(whT);
            // dWh += Σ_t h_{t-1}ᵀ·dpre_t as one product over the rows (t ≥ 1, b), summed in the order (t, b)
            if (T > 1)
            {
                Kernels.MatMulAtAdd(ps.GradPtr(_wh[l]), h, dpre + (long)B * 4 * H, H, (T - 1) * B, 4 * H);
            }
            float* layerIn = l == 0 ? a + _x : a + _h + (off - N) * H;
            float* dlayerIn = l == 0 ? d + _x : d + _h + (off - N) * H;
            Kernels.LinearBackward(dlayerIn, ps.GradPtr(_wx[l]), ps.GradPtr(_b[l]), dpre, layerIn, ps.ValuePtr(_wx[l]), N, H, 4 * H);
        }
        Kernels.EncoderBackward(ps.GradPtr(_wte), null, d + _x, Pin.Ptr(_inputs), 1, N, H);
    }

    /// <inheritdoc />
    public override ReadOnlySpan<float> Probabilities(int b, int t)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)b, (uint)_bsz, nameof(b));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)t, (uint)_t, nameof(t));
        int V = Config.VocabSize;
        return _acts.AsSpan((int)(_probs + ((long)t * _bsz + b) * V), V);
    }

    /// <inheritdoc />
    public override ISymbolPredictor CreatePredictor() => new LstmPredictor(this);

    private sealed class LstmPredictor : ISymbolPredictor
    {
        private readonly Lstm _m;
        private readonly float[] _state;   // per layer: h[H], c[H]; then scratch
        private readonly float[] _probs;
        private long _position;

        public LstmPredictor(Lstm m)
        {
            _m = m;
            int H = m.Config.Hidden, L = m.Config.Layers, V = m.Config.VocabSize;
            _state = GC.AllocateArray<float>(2 * L * H + 4 * H + 4 * H + 2 * H + H + 2 * V, pinned: true);
            _probs = new float[V];
            Reset();
        }

        public int VocabSize => _m.Config.VocabSize;

        public long Position => _position;

        public ReadOnlySpan<float> Probabilities => _probs;

        public void Reset()
        {
            Array.Clear(_state);
            _position = 0;
            _probs.AsSpan().Fill(1f / VocabSize);
        }

        public ISymbolPredictor Clone(SequenceModel? model = null)
        {
            var target = model ?? _m;
            if (target is not Lstm l || l.Config != _m.Config)
            {
                throw new ArgumentException("the model must be an LSTM of the same configuration", nameof(model));
            }
            var c = new LstmPredictor(l);
            _state.CopyTo(c._state, 0);
            _probs.CopyTo(c._probs, 0);
            c._position = _position;
            return c;
        }

        public void Update(int symbol)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)symbol, (uint)VocabSize, nameof(symbol));
            _position++;
            var m = _m;
            var ps = m.Parameters;
            int H = m.Config.Hidden, L = m.Config.Layers, V = m.Config.VocabSize;
            float* s = Pin.Ptr(_state);
            float* pre = s + 2L * L * H, act = pre + 4 * H, tc = act + 4 * H, hnew = tc + H, x = hnew + H, logits = x + H, probs = logits + V;
            new ReadOnlySpan<float>(ps.ValuePtr(m._wte) + (long)symbol * H, H).CopyTo(new Span<float>(x, H));
            for (int l = 0; l < L; l++)
            {
                float* h = s + 2L * l * H, c = h + H;
                Kernels.LinearForward(pre, x, ps.ValuePtr(m._wx[l]), ps.ValuePtr(m._b[l]), 1, H, 4 * H);
                Kernels.MatMulAdd(pre, h, ps.ValuePtr(m._wh[l]), 1, H, 4 * H);
                Kernels.LstmCellForward(hnew, c, act, tc, pre, c, 1, H);
                new ReadOnlySpan<float>(hnew, H).CopyTo(new Span<float>(h, H));
                new ReadOnlySpan<float>(hnew, H).CopyTo(new Span<float>(x, H));
            }
            Kernels.LinearForward(logits, x, ps.ValuePtr(m._wout), ps.ValuePtr(m._bout), 1, H, V);
            Kernels.SoftmaxRow(probs, logits, V, out _);
            new ReadOnlySpan<float>(probs, V).CopyTo(_probs);
        }
    }
}
