namespace Kolmo.Neural;

/// <summary>Shape of a <see cref="Gpt"/>.</summary>
/// <param name="VocabSize">V: number of symbols (256 for bytes).</param>
/// <param name="Context">maxT: longest sequence (positional embeddings).</param>
/// <param name="Layers">L: transformer blocks.</param>
/// <param name="Dim">C: channels; a multiple of <paramref name="Heads"/>.</param>
/// <param name="Heads">NH: attention heads.</param>
/// <param name="Causal">true: decoder (each position sees only the past); false: bidirectional (BERT-style masked objectives).</param>
public sealed record GptConfig(int VocabSize = 256, int Context = 128, int Layers = 4, int Dim = 128, int Heads = 4, bool Causal = true)
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
        if (Layers < 1 || Layers > 64)
        {
            throw new ArgumentException($"layers {Layers} must be in [1, 64]");
        }
        if (Heads < 1 || Dim < 1 || Dim % Heads != 0 || Dim > 8192)
        {
            throw new ArgumentException($"dim {Dim} must be a positive multiple of heads {Heads} (at most 8192)");
        }
    }
}

/// <summary>
/// Decoder-only transformer (GPT-2 layout, pre-norm, GELU MLP 4C, tied input/output embedding), after llm.c's
/// gpt2: encoder → L × [x += attn(ln1(x)); x += mlp(ln2(x))] → lnf → logits = x · wteᵀ → softmax.
/// Memory: params ≈ V·C + maxT·C + L·12·C² floats; activations ≈ B·T·(L·(16C + 2NH) + 2V) floats (×2 with grads); attention keeps
/// only each row's softmax max and 1/sum and recomputes the probabilities in the backward pass.
/// <see cref="Hidden"/> gives the residual stream after every block for linear probes.
/// </summary>
public sealed unsafe class Gpt : SequenceModel
{
    private readonly ParameterInfo _wte, _wpe, _lnfw, _lnfb;
    private readonly ParameterInfo[] _ln1w, _ln1b, _qkvw, _qkvb, _attprojw, _attprojb, _ln2w, _ln2b, _fcw, _fcb, _fcprojw, _fcprojb;

    // activations of the last forward (B, T) and their gradients, one pinned buffer each (llm.c's acts/grads_acts)
    private float[] _acts = [];
    private float[] _dacts = [];
    private int[] _inputs = [];
    private int[] _targets = [];
    private float[] _weights = [];
    private int _b, _t, _capacity;
    private bool _hasTargets;
    private long _encoded, _ln1, _ln1Mean, _ln1Rstd, _qkv, _atty, _att, _attproj, _res2, _ln2, _ln2Mean, _ln2Rstd, _fch, _fchGelu, _fcproj, _res3;
    private long _lnf, _lnfMean, _lnfRstd, _logits, _probs, _losses, _dlosses, _total;

    /// <summary>Creates a model with GPT-2 style seeded initialisation: N(0, 0.02) weights, residual projections
    /// N(0, 0.02/√(2L)), zero biases, unit norms.</summary>
    /// <exception cref="ArgumentException">Invalid configuration.</exception>
    public Gpt(GptConfig config, ulong seed)
        : this(config)
    {
        var rng = new Xoshiro256(seed);
        float std = 0.02f;
        float projStd = 0.02f / MathF.Sqrt(2f * config.Layers);
        foreach (var p in Parameters.Tensors)
        {
            var v = Parameters.Value(p);
            if (p.Name.EndsWith(".b", StringComparison.Ordinal))
            {
                v.Clear();
            }
            else if (p.Name.EndsWith("ln1.w", StringComparison.Ordinal) || p.Name.EndsWith("ln2.w", StringComparison.Ordinal) || p.Name == "lnf.w")
            {
                v.Fill(1f);
            }
            else
            {
                float s = p.Name.EndsWith("proj.w", StringComparison.Ordinal) ? projStd : std;
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (float)(rng.NextNormal() * s);
                }
            }
        }
    }

    /// <summary>Creates a model with all parameters zero (to be loaded).</summary>
    internal Gpt(GptConfig config)
        : base(new ParameterSet())
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int V = config.VocabSize, C = config.Dim, L = config.Layers;
        var ps = Parameters;
        _wte = ps.Add("wte", true, V, C);
        _wpe = ps.Add("wpe", true, config.Context, C);
        _ln1w = new ParameterInfo[L]; _ln1b = new ParameterInfo[L]; _qkvw = new ParameterInfo[L]; _qkvb = new ParameterInfo[L];
        _attprojw = new ParameterInfo[L]; _attprojb = new ParameterInfo[L]; _ln2w = new ParameterInfo[L]; _ln2b = new ParameterInfo[L];
        _fcw = new ParameterInfo[L]; _fcb = new ParameterInfo[L]; _fcprojw = new ParameterInfo[L]; _fcprojb = new ParameterInfo[L];
        for (int l = 0; l < L; l++)
        {
            _ln1w[l] = ps.Add($"h{l}.ln1.w", false, C);
            _ln1b[l] = ps.Add($"h{l}.ln1.b", false, C);
            _qkvw[l] = ps.Add($"h{l}.attn.qkv.w", true, C, 3 * C);
            _qkvb[l] = ps.Add($"h{l}.attn.qkv.b", false, 3 * C);
            _attprojw[l] = ps.Add($"h{l}.attn.proj.w", true, C, C);
            _attprojb[l] = ps.Add($"h{l}.attn.proj.b", false, C);
            _ln2w[l] = ps.Add($"h{l}.ln2.w", false, C);
            _ln2b[l] = ps.Add($"h{l}.ln2.b", false, C);
            _fcw[l] = ps.Add($"h{l}.mlp.fc.w", true, C, 4 * C);
            _fcb[l] = ps.Add($"h{l}.mlp.fc.b", false, 4 * C);
            _fcprojw[l] = ps.Add($"h{l}.mlp.proj.w", true, 4 * C, C);
            _fcprojb[l] = ps.Add($"h{l}.mlp.proj.b", false, C);
        }
        _lnfw = ps.Add("lnf.w", false, C);
        _lnfb = ps.Add("lnf.b", false, C);
        ps.Allocate();
    }

    /// <summary>The configuration.</summary>
    public GptConfig Config { get; }

    /// <inheritdoc />
    public override string Kind => "gpt";

    /// <inheritdoc />
    public override int VocabSize => Config.VocabSize;

    /// <inheritdoc />
    public override int Context => Config.Context;

    internal override int[] ConfigInts() => [Config.VocabSize, Config.Context, Config.Layers, Config.Dim, Config.Heads, Config.Causal ? 1 : 0];

    internal static Gpt FromConfigInts(int[] c)
    {
        if (c.Length != 6 || (c[5] != 0 && c[5] != 1))
        {
            throw new InvalidDataException("checkpoint: bad GPT configuration block");
        }
        try
        {
            return new Gpt(new GptConfig(c[0], c[1], c[2], c[3], c[4], c[5] == 1));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("checkpoint: " + e.Message);
        }
    }

    private void EnsureActs(int B, int T)
    {
        int L = Config.Layers, C = Config.Dim, NH = Config.Heads, V = Config.VocabSize;
        long N = (long)B * T;
        long o = 0;
        long Take(long n) { long r = o; o += n; return r; }
        _encoded = Take(N * C);
        _ln1 = Take(L * N * C); _ln1Mean = Take(L * N); _ln1Rstd = Take(L * N);
        _qkv = Take(L * N * 3 * C); _atty = Take(L * N * C); _att = Take(L * (long)B * NH * T * 2);
        _attproj = Take(L * N * C); _res2 = Take(L * N * C);
        _ln2 = Take(L * N * C); _ln2Mean = Take(L * N); _ln2Rstd = Take(L * N);
        _fch = Take(L * N * 4 * C); _fchGelu = Take(L * N * 4 * C); _fcproj = Take(L * N * C); _res3 = Take(L * N * C);
        _lnf = Take(N * C); _lnfMean = Take(N); _lnfRstd = Take(N);
        _logits = Take(N * V); _probs = Take(N * V); _losses = Take(N); _dlosses = Take(N);
        _total = o;
        if (o > int.MaxValue)
        {
            throw new ArgumentException($"batch {B}×{T} needs {o} activation floats: too large");
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
        _b = B;
        _t = T;
        _capacity = (int)N;
    }

    /// <inheritdoc />
    public override float Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int time, ReadOnlySpan<float> weights = default)
    {
        Validate(inputs, targets, batch, time, weights);
        EnsureActs(batch, time);
        int B = batch, T = time;
        int N = B * T;
        inputs.CopyTo(_inputs);
        _hasTargets = !targets.IsEmpty;
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
        // the batch elements are independent until the loss: each thread runs the whole network on its share
        Par.For(B, FlopsPerSequence(T), (b0, b1) => ForwardRows(b0, b1));
        if (!_hasTargets)
        {
            return 0f;
        }
        float* a = Pin.Ptr(_acts);
        return ReduceLoss(new ReadOnlySpan<float>(a + _losses, N), _targets.AsSpan(0, N), _weights.AsSpan(0, N), new Span<float>(a + _dlosses, N));
    }

    /// <summary>Training FLOPs of one sequence of T tokens (forward + backward), to size the parallel split.</summary>
    private long FlopsPerSequence(int T)
        => (long)T * (6L * (Config.Layers * 12L * Config.Dim * Config.Dim + (long)Config.VocabSize * Config.Dim) + 6L * T * Config.Dim * Config.Layers);

    /// <summary>The forward pass of batch elements b0..b1 (rows b0·T .. b1·T of every activation).</summary>
    private void ForwardRows(int b0, int b1)
    {
        int T = _t, C = Config.Dim, NH = Config.Heads, V = Config.VocabSize, L = Config.Layers, N = _b * T;
        int nb = b1 - b0, n = nb * T;
        long r0 = (long)b0 * T;
        float* a = Pin.Ptr(_acts);
        var ps = Parameters;
        Kernels.EncoderForward(a + _encoded + r0 * C, Pin.Ptr(_inputs) + r0, ps.ValuePtr(_wte), ps.ValuePtr(_wpe), nb, T, C);
        float* residual = a + _encoded + r0 * C;
        for (int l = 0; l < L; l++)
        {
            long nc = (long)l * N * C + r0 * C, ln = (long)l * N + r0;
            float* ln1 = a + _ln1 + nc, qkv = a + _qkv + 3 * nc, atty = a + _atty + nc;
            float* att = a + _att + ((long)l * _b + b0) * NH * T * 2, attproj = a + _attproj + nc, res2 = a + _res2 + nc;
            float* ln2 = a + _ln2 + nc, fch = a + _fch + 4 * nc, fchg = a + _fchGelu + 4 * nc, fcproj = a + _fcproj + nc, res3 = a + _res3 + nc;
            Kernels.LayerNormForward(ln1, a + _ln1Mean + ln, a + _ln1Rstd + ln, residual, ps.ValuePtr(_ln1w[l]), ps.ValuePtr(_ln1b[l]), n, C);
            Kernels.LinearForward(qkv, ln1, ps.ValuePtr(_qkvw[l]), ps.ValuePtr(_qkvb[l]), n, C, 3 * C);
            Kernels.AttentionForward(atty, att, qkv, nb, T, C, NH, Config.Causal);
            Kernels.LinearForward(attproj, atty, ps.ValuePtr(_attprojw[l]), ps.ValuePtr(_attprojb[l]), n, C, C);
            Kernels.ResidualForward(res2, residual, attproj, n * C);
            Kernels.LayerNormForward(ln2, a + _ln2Mean + ln, a + _ln2Rstd + ln, res2, ps.ValuePtr(_ln2w[l]), ps.ValuePtr(_ln2b[l]), n, C);
            Kernels.LinearForward(fch, ln2, ps.ValuePtr(_fcw[l]), ps.ValuePtr(_fcb[l]), n, C, 4 * C);
            Kernels.GeluForward(fchg, fch, n * 4 * C);
            Kernels.LinearForward(fcproj, fchg, ps.ValuePtr(_fcprojw[l]), ps.ValuePtr(_fcprojb[l]), n, 4 * C, C);
            Kernels.ResidualForward(res3, res2, fcproj, n * C);
            residual = res3;
        }
        Kernels.LayerNormForward(a + _lnf + r0 * C, a + _lnfMean + r0, a + _lnfRstd + r0, residual, ps.ValuePtr(_lnfw), ps.ValuePtr(_lnfb), n, C);
        Kernels.MatMulTri(Kernels.Tri.None, false, true, a + _logits + r0 * V, V, a + _lnf + r0 * C, C, ps.ValuePtr(_wte), C, n, C, V,
            Kernels.CMode.Overwrite);                                                                             // logits = lnf · wteᵀ
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
        if (_dacts.Length < _acts.Length)
        {
            _dacts = GC.AllocateArray<float>(_acts.Length, pinned: true);
        }
        // 1. gradients of the activations: independent per batch element (each thread clears and fills its rows)
        Par.For(_b, FlopsPerSequence(_t), (b0, b1) => BackwardRows(b0, b1));
        // 2. gradients of the parameters: sums over all rows in a fixed order, split by parameter tensor
        Par.Tasks(ParameterGradientTasks(), split: _b > 1);
    }

    /// <summary>Activation gradients of batch elements b0..b1, from the loss down to the embeddings.</summary>
    private void BackwardRows(int b0, int b1)
    {
        int T = _t, C = Config.Dim, NH = Config.Heads, V = Config.VocabSize, L = Config.Layers, N = _b * T;
        int nb = b1 - b0, n = nb * T;
        long r0 = (long)b0 * T;
        float* a = Pin.Ptr(_acts), d = Pin.Ptr(_dacts);
        var ps = Parameters;
        // No clearing pass: every activation gradient of these rows is written by its first producer (overwrite: the same
        // bits as adding to zeros, up to the sign of a zero, which no parameter gradient can see) and accumulated by the second.
        Kernels.SoftmaxCrossEntropyBackward(d + _logits + r0 * V, a + _dlosses + r0, a + _probs + r0 * V, Pin.Ptr(_targets) + r0, n, V, overwrite: true);
        Kernels.MatMulTri(Kernels.Tri.None, false, false, d + _lnf + r0 * C, C, d + _logits + r0 * V, V, ps.ValuePtr(_wte), C, n, V, C,
            Kernels.CMode.Overwrite);                                                                             // dlnf = dlogits · wte
        long last = L > 0 ? _res3 + (long)(L - 1) * N * C : _encoded;
        Kernels.LayerNormBackwardInput(d + last + r0 * C, d + _lnf + r0 * C, a + last + r0 * C, ps.ValuePtr(_lnfw), a + _lnfMean + r0, a + _lnfRstd + r0, n, C,
            overwrite: true);
        for (int l = L - 1; l >= 0; l--)
        {
            long nc = (long)l * N * C + r0 * C, ln = (long)l * N + r0;
            long resIn = (l == 0 ? _encoded : _res3 + (l - 1L) * N * C) + r0 * C;
            float* att = a + _att + ((long)l * _b + b0) * NH * T * 2;
            // x3 = x2 + proj(gelu(fc(ln2(x2)))): dx2 and dproj are first written here
            Kernels.ResidualBackward(d + _res2 + nc, d + _fcproj + nc, d + _res3 + nc, n * C, overwrite: true);
            Kernels.LinearBackwardInput(d + _fchGelu + 4 * nc, d + _fcproj + nc, ps.ValuePtr(_fcprojw[l]), n, 4 * C, C, overwrite: true);
            Kernels.GeluBackward(d + _fch + 4 * nc, a + _fch + 4 * nc, d + _fchGelu + 4 * nc, n * 4 * C, overwrite: true);
            Kernels.LinearBackwardInput(d + _ln2 + nc, d + _fch + 4 * nc, ps.ValuePtr(_fcw[l]), n, C, 4 * C, overwrite: true);
            Kernels.LayerNormBackwardInput(d + _res2 + nc, d + _ln2 + nc, a + _res2 + nc, ps.ValuePtr(_ln2w[l]), a + _ln2Mean + ln, a + _ln2Rstd + ln, n, C);
            // x2 = x + proj(attn(qkv(ln1(x)))): dx (the block's input) and dproj are first written here
            Kernels.ResidualBackward(d + resIn, d + _attproj + nc, d + _res2 + nc, n * C, overwrite: true);
            Kernels.LinearBackwardInput(d + _atty + nc, d + _attproj + nc, ps.ValuePtr(_attprojw[l]), n, C, C, overwrite: true);
            Kernels.AttentionBackward(d + _qkv + 3 * nc, d + _atty + nc, a + _qkv + 3 * nc, att, nb, T, C, NH, Config.Causal, overwrite: true);
            Kernels.LinearBackwardInput(d + _ln1 + nc, d + _qkv + 3 * nc, ps.ValuePtr(_qkvw[l]), n, C, 3 * C, overwrite: true);
            Kernels.LayerNormBackwardInput(d + resIn, d + _ln1 + nc, a + resIn, ps.ValuePtr(_ln1w[l]), a + _ln1Mean + ln, a + _ln1Rstd + ln, n, C);
        }
    }

    /// <summary>
    /// The parameter-gradient tasks of a backward pass, largest first. Each task owns disjoint gradient elements and
    /// sums over all B·T rows in row order, so the result does not depend on which thread runs it.
    /// </summary>
    private List<(long Cost, Action Run)> ParameterGradientTasks()
    {
        int T = _t, B = _b, C = Config.Dim, V = Config.VocabSize, L = Config.Layers, N = B * T;
        var ps = Parameters;
        nint ap = (nint)Pin.Ptr(_acts), dp = (nint)Pin.Ptr(_dacts);
        var tasks = new List<(long, Action)>();
        // a weight gradient is split into one row block per thread (at least 16 rows each), so that the tasks, handed out
        // largest first, balance; every part streams all of dout, so there are no more parts than threads
        void Weight(ParameterInfo w, ParameterInfo? bias, long dout, long inp, int cin, int cout)
        {
            int parts = Par.Parts(cin / 16);
            for (int k = 0; k < parts; k++)
            {
                int c0 = cin * k / parts, c1 = cin * (k + 1) / parts;
                bool withBias = k == 0 && bias is not null;
                tasks.Add((2L * N * (c1 - c0) * cout, () => Kernels.LinearBackwardParams(ps.GradPtr(w), withBias ? ps.GradPtr(bias!) : null,
                    (float*)dp + dout, (float*)ap + inp, N, cin, cout, c0, c1)));
            }
        }
        for (int l = L - 1; l >= 0; l--)
        {
            long nc = (long)l * N * C;
            long resIn = l == 0 ? _encoded : _res3 + (l - 1L) * N * C;
            Weight(_fcw[l], _fcb[l], _fch + 4 * nc, _ln2 + nc, C, 4 * C);
            Weight(_fcprojw[l], _fcprojb[l], _fcproj + nc, _fchGelu + 4 * nc, 4 * C, C);
            Weight(_qkvw[l], _qkvb[l], _qkv + 3 * nc, _ln1 + nc, C, 3 * C);
            Weight(_attprojw[l], _attprojb[l], _attproj + nc, _atty + nc, C, C);
            int li = l;
            tasks.Add((6L * N * C, () => Kernels.LayerNormBackwardParams(ps.GradPtr(_ln2w[li]), ps.GradPtr(_ln2b[li]), (float*)dp + _ln2 + nc, (float*)ap + _res2 + nc,
                (float*)ap + _ln2Mean + (long)li * N, (float*)ap + _ln2Rstd + (long)li * N, N, C)));
            tasks.Add((6L * N * C, () => Kernels.LayerNormBackwardParams(ps.GradPtr(_ln1w[li]), ps.GradPtr(_ln1b[li]), (float*)dp + _ln1 + nc, (float*)ap + resIn,
                (float*)ap + _ln1Mean + (long)li * N, (float*)ap + _ln1Rstd + (long)li * N, N, C)));
        }
        // tied embedding: dwte += dlogitsᵀ · lnf, then the token rows of the encoder (per column block: the same order)
        int wteParts = Par.Parts(C / 16);
        for (int k = 0; k < wteParts; k++)
        {
            int c0 = C * k / wteParts, c1 = C * (k + 1) / wteParts;
            tasks.Add(((2L * V + 1) * N * (c1 - c0), () =>
            {
                float* dwte = ps.GradPtr(_wte);
                Kernels.MatMulAtAdd(dwte + c0, C, (float*)dp + _logits, V, (float*)ap + _lnf + c0, C, V, N, c1 - c0);
                Kernels.EncoderBackwardTokens(dwte, (float*)dp + _encoded, Pin.Ptr(_inputs), N, C, c0, c1);
            }));
        }
        long last = L > 0 ? _res3 + (long)(L - 1) * N * C : _encoded;
        tasks.Add((6L * N * C, () => Kernels.LayerNormBackwardParams(ps.GradPtr(_lnfw), ps.GradPtr(_lnfb), (float*)dp + _lnf, (float*)ap + last,
            (float*)ap + _lnfMean, (float*)ap + _lnfRstd, N, C)));
        tasks.Add(((long)N * C, () => Kernels.EncoderBackwardPositions(ps.GradPtr(_wpe), (float*)dp + _encoded, B, T, C)));
        return tasks;
    }

    /// <inheritdoc />
    public override ReadOnlySpan<float> Probabilities(int b, int t)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)b, (uint)_b, nameof(b));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)t, (uint)_t, nameof(t));
        int V = Config.VocabSize;
        return _acts.AsSpan((int)(_probs + ((long)b * _t + t) * V), V);
    }

    /// <summary>
    /// The residual stream of the last <see cref="Forward"/> as [B, T, C] floats: layer 0 = token + position
    /// embedding, layer l in 1..L = output of block l, layer L+1 = after the final layer norm.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> outside [0, L+1].</exception>
    public ReadOnlySpan<float> Hidden(int layer)
    {
        int L = Config.Layers, C = Config.Dim;
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)layer, (uint)(L + 1), nameof(layer));
        long N = (long)_b * _t;
        long off = layer == 0 ? _encoded : layer <= L ? _res3 + (layer - 1L) * N * C : _lnf;
        return _acts.AsSpan((int)off, (int)(N * C));
    }

    /// <inheritdoc />
    public override ISymbolPredictor CreatePredictor() => new GptPredictor(this);

    // ----- incremental inference with a KV cache (same kernels, one row at a time: bit-identical to Forward) -----

    private sealed class GptPredictor : ISymbolPredictor
    {
        private readonly Gpt _m;
        private readonly float[] _qkvCache;   // [L, maxT, 3C]
        private readonly float[] _row;        // scratch for one position
        private readonly float[] _probs;
        private readonly List<int> _window = [];
        private long _position;

        public GptPredictor(Gpt m)
        {
            if (!m.Config.Causal)
            {
                throw new InvalidOperationException("a bidirectional (non-causal) GPT cannot predict the next symbol");
            }
            _m = m;
            int C = m.Config.Dim;
            _qkvCache = GC.AllocateArray<float>(m.Config.Layers * m.Config.Context * 3 * C, pinned: true);
            _row = GC.AllocateArray<float>(16 * C + Kernels.RowCapacity(m.Config.Context) + 2 * m.Config.VocabSize + 8, pinned: true);
            _probs = new float[m.Config.VocabSize];
            Reset();
        }

        public int VocabSize => _m.Config.VocabSize;

        public long Position => _position;

        public ReadOnlySpan<float> Probabilities => _probs;

        public void Reset()
        {
            _window.Clear();
            _position = 0;
            _probs.AsSpan().Fill(1f / VocabSize);
        }

        public ISymbolPredictor Clone(SequenceModel? model = null)
        {
            var target = model ?? _m;
            if (target is not Gpt g || g.Config != _m.Config)
            {
                throw new ArgumentException("the model must be a GPT of the same configuration", nameof(model));
            }
            var c = new GptPredictor(g);
            _qkvCache.CopyTo(c._qkvCache, 0);
            _probs.CopyTo(c._probs, 0);
            c._window.AddRange(_window);
            c._position = _position;
            return c;
        }

        public void Update(int symbol)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)symbol, (uint)VocabSize, nameof(symbol));
            _position++;
            int maxT = _m.Config.Context;
            if (_window.Count == maxT)
            {
                // window full: keep the last maxT/2 symbols and rebuild the cache from position 0
                int keep = maxT / 2;
                _window.RemoveRange(0, _window.Count - keep);
                for (int i = 0; i < _window.Count; i++)
                {
                    Step(_window[i], i);
                }
            }
            _window.Add(symbol);
            Step(symbol, _window.Count - 1);
        }

        private void Step(int token, int pos)
        {
            var m = _m;
            var ps = m.Parameters;
            int C = m.Config.Dim, NH = m.Config.Heads, L = m.Config.Layers, V = m.Config.VocabSize, maxT = m.Config.Context;
            int hs = C / NH;
            float scale = 1f / MathF.Sqrt(hs);
            float* r = Pin.Ptr(_row);
            float* x = r, ln = r + C, atty = r + 2 * C, tmp = r + 3 * C, fch = r + 4 * C, fchg = r + 8 * C, stats = r + 12 * C;
            float* arow = r + 12 * C + 8, logits = arow + Kernels.RowCapacity(maxT), probs = logits + V;
            float* we = ps.ValuePtr(m._wte) + (long)token * C, wp = ps.ValuePtr(m._wpe) + (long)pos * C;
            for (int i = 0; i < C; i++)
            {
                x[i] = we[i] + wp[i];
            }
            for (int l = 0; l < L; l++)
            {
                float* cache = Pin.Ptr(_qkvCache) + (long)l * maxT * 3 * C;
                float* qkv = cache + (long)pos * 3 * C;
                Kernels.LayerNormForward(ln, stats, stats + 1, x, ps.ValuePtr(m._ln1w[l]), ps.ValuePtr(m._ln1b[l]), 1, C);
                Kernels.LinearForward(qkv, ln, ps.ValuePtr(m._qkvw[l]), ps.ValuePtr(m._qkvb[l]), 1, C, 3 * C);
                for (int h = 0; h < NH; h++)
                {
                    Kernels.AttentionRow(atty + h * hs, arow, qkv + h * hs, cache + C + h * hs, cache + 2 * C + h * hs, 3 * C, pos + 1, hs, scale);
                }
                Kernels.LinearForward(tmp, atty, ps.ValuePtr(m._attprojw[l]), ps.ValuePtr(m._attprojb[l]), 1, C, C);
                Kernels.ResidualForward(x, x, tmp, C);
                Kernels.LayerNormForward(ln, stats, stats + 1, x, ps.ValuePtr(m._ln2w[l]), ps.ValuePtr(m._ln2b[l]), 1, C);
                Kernels.LinearForward(fch, ln, ps.ValuePtr(m._fcw[l]), ps.ValuePtr(m._fcb[l]), 1, C, 4 * C);
                Kernels.GeluForward(fchg, fch, 4 * C);
                Kernels.LinearForward(tmp, fchg, ps.ValuePtr(m._fcprojw[l]), ps.ValuePtr(m._fcprojb[l]), 1, 4 * C, C);
                Kernels.ResidualForward(x, x, tmp, C);
            }
            Kernels.LayerNormForward(ln, stats, stats + 1, x, ps.ValuePtr(m._lnfw), ps.ValuePtr(m._lnfb), 1, C);
            new Span<float>(logits, V).Clear();
            Kernels.MatMulBtAdd(logits, ln, ps.ValuePtr(m._wte), 1, C, V);
            Kernels.SoftmaxRow(probs, logits, V, out _);
            new ReadOnlySpan<float>(probs, V).CopyTo(_probs);
        }
    }
}
