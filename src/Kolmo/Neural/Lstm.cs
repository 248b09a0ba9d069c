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
    private float[] _whT = [];    // Whᵀ of every layer, rebuilt by each backward pass
    private int[] _inputs = [];   // [B,T]
    private int[] _targets = [];
    private float[] _weights = [];
    private int _bsz, _t;
    private bool _hasTargets;
    // offsets (batch-major, N = B·T rows)
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
        _zero = Take(3L * B * H);
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

    /// <summary>Training FLOPs of one sequence of T tokens (forward + backward), to size the parallel split.</summary>
    private long FlopsPerSequence(int T)
        => 6L * T * (Config.Layers * 8L * Config.Hidden * Config.Hidden + (long)Config.Hidden * Config.VocabSize);

    /// <inheritdoc />
    public override float Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int time, ReadOnlySpan<float> weights = default)
    {
        Validate(inputs, targets, batch, time, weights);
        EnsureActs(batch, time);
        int N = batch * time;
        _hasTargets = !targets.IsEmpty;
        inputs.CopyTo(_inputs);
        if (_hasTargets)
        {
            targets.CopyTo(_targets);
            if (weights.IsEmpty)
            {
                _weights.AsSpan(0, N).Fill(1f);
            }
            else
            {
                weights.CopyTo(_weights);
            }
        }
        new Span<float>(Pin.Ptr(_acts) + _zero, batch * Config.Hidden).Clear();
        // the sequences of a batch are independent: each thread runs whole sequences through every layer and step, in
        // chunks of at least one row tile of the matmul (a step's product over fewer sequences would waste most of its tile)
        Par.For(batch, FlopsPerSequence(time), (b0, b1) => ForwardRows(b0, b1), grain: Kernels.RowTile);
        if (!_hasTargets)
        {
            return 0f;
        }
        float* a = Pin.Ptr(_acts);
        return ReduceLoss(new ReadOnlySpan<float>(a + _losses, N), _targets.AsSpan(0, N), _weights.AsSpan(0, N), new Span<float>(a + _dlosses, N));
    }

    // Activations are batch-major: row n = b·T + t. A time step of a chunk of sequences is a strided matrix (row stride T·width).
    private void ForwardRows(int b0, int b1)
    {
        int T = _t, H = Config.Hidden, V = Config.VocabSize, L = Config.Layers, N = _bsz * T;
        int nb = b1 - b0, n = nb * T;
        long r0 = (long)b0 * T;
        float* a = Pin.Ptr(_acts);
        var ps = Parameters;
        float* zero = a + _zero;
        Kernels.EncoderForward(a + _x + r0 * H, Pin.Ptr(_inputs) + r0, ps.ValuePtr(_wte), null, 1, n, H);
        float* layerIn = a + _x + r0 * H;
        for (int l = 0; l < L; l++)
        {
            long off = (long)l * N + r0;
            float* pre = a + _pre + off * 4 * H, act = a + _act + off * 4 * H;
            float* c = a + _c + off * H, tc = a + _tc + off * H, h = a + _h + off * H;
            Kernels.LinearForward(pre, layerIn, ps.ValuePtr(_wx[l]), ps.ValuePtr(_b[l]), n, H, 4 * H);   // pre = b + x·Wx
            for (int t = 0; t < T; t++)
            {
                float* hprev = t == 0 ? zero : h + (t - 1L) * H, cprev = t == 0 ? zero : c + (t - 1L) * H;
                int ldprev = t == 0 ? H : T * H;
                Kernels.MatMulAdd(pre + (long)t * 4 * H, T * 4 * H, hprev, ldprev, ps.ValuePtr(_wh[l]), 4 * H, nb, H, 4 * H);   // pre += h·Wh
                Kernels.LstmCellForward(h + (long)t * H, c + (long)t * H, act + (long)t * 4 * H, tc + (long)t * H, pre + (long)t * 4 * H, cprev,
                    nb, H, T * 4 * H, T * H, ldprev);
            }
            layerIn = h;
        }
        Kernels.LinearForward(a + _logits + r0 * V, layerIn, ps.ValuePtr(_wout), ps.ValuePtr(_bout), n, H, V);
        Kernels.SoftmaxCrossEntropyForward(a + _probs + r0 * V, _hasTargets ? a + _losses + r0 : null, a + _logits + r0 * V,
            _hasTargets ? Pin.Ptr(_targets) + r0 : null, n, V);
    }

    /// <inheritdoc />
    public override void Backward()
    {
        if (!_hasTargets)
        {
            throw new InvalidOperationException("Backward needs a Forward with targets");
        }
        int H = Config.Hidden, L = Config.Layers;
        if (_dacts.Length < _acts.Length)
        {
            _dacts = GC.AllocateArray<float>(_acts.Length, pinned: true);
        }
        if (_whT.Length < L * 4 * H * H)
        {
            _whT = GC.AllocateArray<float>(L * 4 * H * H, pinned: true);
        }
        for (int l = 0; l < L; l++)
        {
            Kernels.Transpose(Pin.Ptr(_whT) + (long)l * 4 * H * H, Parameters.ValuePtr(_wh[l]), H, 4 * H);   // Whᵀ [4H, H]
        }
        // 1. activation gradients, whole sequences per thread; 2. parameter gradients, split by tensor
        Par.For(_bsz, FlopsPerSequence(_t), (b0, b1) => BackwardRows(b0, b1), grain: Kernels.RowTile);
        Par.Tasks(ParameterGradientTasks(), split: _bsz > 1);
    }

    private void BackwardRows(int b0, int b1)
    {
        int B = _bsz, T = _t, H = Config.Hidden, V = Config.VocabSize, L = Config.Layers, N = B * T;
        int nb = b1 - b0, n = nb * T;
        long r0 = (long)b0 * T;
        float* a = Pin.Ptr(_acts), d = Pin.Ptr(_dacts);
        var ps = Parameters;
        float* zero = a + _zero;
        float* dc = d + _zero + (long)b0 * H, dcprev = d + _zero + (long)(B + b0) * H, dhTotal = d + _zero + (long)(2 * B + b0) * H;
        new Span<float>(d + _x + r0 * H, n * H).Clear();
        for (int l = 0; l < L; l++)
        {
            long off = (long)l * N + r0;
            new Span<float>(d + _pre + off * 4 * H, n * 4 * H).Clear();
            new Span<float>(d + _h + off * H, n * H).Clear();
        }
        new Span<float>(d + _logits + r0 * V, n * V).Clear();
        Kernels.SoftmaxCrossEntropyBackward(d + _logits + r0 * V, a + _dlosses + r0, a + _probs + r0 * V, Pin.Ptr(_targets) + r0, n, V);
        Kernels.LinearBackwardInput(d + _h + ((long)(L - 1) * N + r0) * H, d + _logits + r0 * V, ps.ValuePtr(_wout), n, H, V);
        for (int l = L - 1; l >= 0; l--)
        {
            long off = (long)l * N + r0;
            float* act = a + _act + off * 4 * H, c = a + _c + off * H, tc = a + _tc + off * H;
            float* dpre = d + _pre + off * 4 * H, dh = d + _h + off * H;
            float* wht = Pin.Ptr(_whT) + (long)l * 4 * H * H;
            new Span<float>(dc, nb * H).Clear();
            new Span<float>(dhTotal, nb * H).Clear();   // dh flowing back from step t+1
            for (int t = T - 1; t >= 0; t--)
            {
                float* cprev = t == 0 ? zero : c + (t - 1L) * H;
                int ldprev = t == 0 ? H : T * H;
                for (int b = 0; b < nb; b++)
                {
                    Kernels.AddTo(dhTotal + (long)b * H, dh + ((long)b * T + t) * H, H);
                }
                Kernels.LstmCellBackward(dpre + (long)t * 4 * H, dcprev, dhTotal, dc, act + (long)t * 4 * H, tc + (long)t * H, cprev,
                    nb, H, T * 4 * H, T * H, ldprev);
                new Span<float>(dc, nb * H).Clear();
                Kernels.AddTo(dc, dcprev, nb * H);
                new Span<float>(dhTotal, nb * H).Clear();
                Kernels.MatMulAdd(dhTotal, H, dpre + (long)t * 4 * H, T * 4 * H, wht, H, nb, 4 * H, H);             // dh_{t-1} = dpre·Whᵀ
            }
            float* dlayerIn = l == 0 ? d + _x + r0 * H : d + _h + (off - N) * H;
            Kernels.LinearBackwardInput(dlayerIn, dpre, ps.ValuePtr(_wx[l]), n, H, 4 * H);
        }
    }

    /// <summary>Parameter-gradient tasks: each owns disjoint gradient elements and sums over the rows in (b, t) order.</summary>
    private List<(long Cost, Action Run)> ParameterGradientTasks()
    {
        int B = _bsz, T = _t, H = Config.Hidden, V = Config.VocabSize, L = Config.Layers, N = B * T;
        var ps = Parameters;
        nint ap = (nint)Pin.Ptr(_acts), dp = (nint)Pin.Ptr(_dacts);
        var tasks = new List<(long, Action)>();
        int parts = Par.Parts(H / 16);
        for (int l = L - 1; l >= 0; l--)
        {
            long off = (long)l * N;
            long layerIn = l == 0 ? _x : _h + (off - N) * H;
            for (int k = 0; k < parts; k++)
            {
                int c0 = H * k / parts, c1 = H * (k + 1) / parts;
                bool first = k == 0;
                var wx = _wx[l];
                var wh = _wh[l];
                var bias = _b[l];
                tasks.Add((2L * N * (c1 - c0) * 4 * H, () => Kernels.LinearBackwardParams(ps.GradPtr(wx), first ? ps.GradPtr(bias) : null, (float*)dp + _pre + off * 4 * H, (float*)ap + layerIn, N, H, 4 * H, c0, c1)));
                if (T > 1)
                {
                    // dWh += Σ_b Σ_{t≥1} h_{t-1}ᵀ·dpre_t, one product per sequence, b ascending
                    tasks.Add((2L * B * (T - 1) * (c1 - c0) * 4 * H, () =>
                    {
                        float* dwh = ps.GradPtr(wh) + (long)c0 * 4 * H;
                        for (int b = 0; b < B; b++)
                        {
                            float* hb = (float*)ap + _h + (off + (long)b * T) * H;
                            float* dpb = (float*)dp + _pre + (off + (long)b * T + 1) * 4 * H;
                            Kernels.MatMulAtAdd(dwh, 4 * H, hb + c0, H, dpb, 4 * H, c1 - c0, T - 1, 4 * H);
                        }
                    }));
                }
            }
        }
        long top = _h + (long)(L - 1) * N * H;
        for (int k = 0; k < parts; k++)
        {
            int c0 = H * k / parts, c1 = H * (k + 1) / parts;
            bool first = k == 0;
            tasks.Add((2L * N * (c1 - c0) * V, () => Kernels.LinearBackwardParams(ps.GradPtr(_wout), first ? ps.GradPtr(_bout) : null, (float*)dp + _logits, (float*)ap + top, N, H, V, c0, c1)));
        }
        tasks.Add(((long)N * H, () => Kernels.EncoderBackward(ps.GradPtr(_wte), null, (float*)dp + _x, Pin.Ptr(_inputs), 1, N, H)));
        return tasks;
    }

    /// <inheritdoc />
    public override ReadOnlySpan<float> Probabilities(int b, int t)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)b, (uint)_bsz, nameof(b));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)t, (uint)_t, nameof(t));
        int V = Config.VocabSize;
        return _acts.AsSpan((int)(_probs + ((long)b * _t + t) * V), V);
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
