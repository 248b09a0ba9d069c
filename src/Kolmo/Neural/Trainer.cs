namespace Kolmo.Neural;

/// <summary>Hyper-parameters of <see cref="Trainer"/>.</summary>
/// <param name="LearningRate">Peak learning rate (after warmup).</param>
/// <param name="Steps">Total optimiser steps (end of the cosine schedule).</param>
/// <param name="WarmupSteps">Linear warmup from 0 to the peak.</param>
/// <param name="MinLearningRateFraction">The cosine schedule ends at peak × this.</param>
/// <param name="WeightDecay">Decoupled (AdamW) decay on matrices and embeddings.</param>
/// <param name="Beta1">Adam β1.</param>
/// <param name="Beta2">Adam β2.</param>
/// <param name="Epsilon">Adam ε.</param>
/// <param name="ClipNorm">Global gradient-norm clip (0 = off).</param>
public sealed record TrainOptions(
    float LearningRate = 1e-3f,
    int Steps = 1000,
    int WarmupSteps = 50,
    float MinLearningRateFraction = 0.1f,
    float WeightDecay = 0.1f,
    float Beta1 = 0.9f,
    float Beta2 = 0.95f,
    float Epsilon = 1e-8f,
    float ClipNorm = 1f);

/// <summary>One mini-batch: B × T inputs and targets (row-major), optional per-position weights (0 = ignore).</summary>
/// <param name="Inputs">[B·T] input symbols.</param>
/// <param name="Targets">[B·T] target symbols (negative = ignored).</param>
/// <param name="BatchSize">B.</param>
/// <param name="Time">T.</param>
/// <param name="Weights">[B·T] loss weights or null for all ones.</param>
public sealed record Batch(int[] Inputs, int[] Targets, int BatchSize, int Time, float[]? Weights = null);

/// <summary>
/// AdamW (Loshchilov &amp; Hutter) with linear warmup, cosine decay and global-norm clipping over a
/// <see cref="SequenceModel"/>. Every step is deterministic: fixed-order double sums for the norm, β^t by
/// repeated multiplication, the schedule's cosine from Kolmo's own series (no libm).
/// </summary>
public sealed class Trainer
{
    private readonly SequenceModel _model;
    private readonly float[] _m;
    private readonly float[] _v;
    private readonly bool[] _decay;
    private double _beta1Pow = 1, _beta2Pow = 1;

    /// <summary>Creates a trainer with zeroed moments.</summary>
    public Trainer(SequenceModel model, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.WarmupSteps);
        if (!(options.LearningRate > 0) || !float.IsFinite(options.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "learning rate must be positive");
        }
        _model = model;
        Options = options;
        long n = model.Parameters.Count;
        _m = new float[n];
        _v = new float[n];
        _decay = new bool[model.Parameters.Tensors.Count];
        for (int i = 0; i < _decay.Length; i++)
        {
            _decay[i] = model.Parameters.Tensors[i].Decay;
        }
    }

    /// <summary>The options.</summary>
    public TrainOptions Options { get; }

    /// <summary>
    /// A copy of this trainer's optimiser state (moments, step, βᵗ) driving <paramref name="model"/>, which must
    /// have the same parameter layout (e.g. a <see cref="SequenceModel.Clone"/> of this trainer's model).
    /// </summary>
    /// <exception cref="ArgumentException">Different parameter count.</exception>
    public Trainer Clone(SequenceModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Parameters.Count != _model.Parameters.Count)
        {
            throw new ArgumentException("the model has a different parameter layout", nameof(model));
        }
        var t = new Trainer(model, Options);
        _m.CopyTo(t._m, 0);
        _v.CopyTo(t._v, 0);
        t._beta1Pow = _beta1Pow;
        t._beta2Pow = _beta2Pow;
        t.Step = Step;
        return t;
    }

    /// <summary>Steps taken by this trainer.</summary>
    public int Step { get; private set; }

    /// <summary>Gradient norm before clipping at the last step.</summary>
    public float LastGradNorm { get; private set; }

    /// <summary>Learning rate at step <paramref name="step"/> (0-based): linear warmup, then cosine to the minimum.</summary>
    public float LearningRate(int step)
    {
        var o = Options;
        if (step < o.WarmupSteps)
        {
            return o.LearningRate * (step + 1) / o.WarmupSteps;
        }
        double decaySteps = Math.Max(1, o.Steps - o.WarmupSteps);
        double ratio = Math.Clamp((step - o.WarmupSteps) / decaySteps, 0, 1);
        double coeff = 0.5 * (1 + NMath.Cos(Math.PI * ratio));
        double min = o.LearningRate * o.MinLearningRateFraction;
        return (float)(min + coeff * (o.LearningRate - min));
    }

    /// <summary>Zero grads, forward, backward, clip, AdamW update. Returns the batch loss in nats (before the update).</summary>
    public float TrainStep(Batch batch) => TrainStep(batch, LearningRate(Step));

    /// <summary>As <see cref="TrainStep(Batch)"/> with an explicit learning rate (e.g. a wall-clock schedule).</summary>
    public float TrainStep(Batch batch, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ps = _model.Parameters;
        ps.ZeroGrad();
        float loss = _model.Forward(batch.Inputs, batch.Targets, batch.BatchSize, batch.Time, batch.Weights);
        _model.Backward();
        Update(learningRate);
        Step++;
        _model.StepsTrained++;
        return loss;
    }

    /// <summary>Applies one AdamW update from the gradients currently in the model (clipping first).</summary>
    public void Update(float lr)
    {
        var ps = _model.Parameters;
        float[] g = ps.Grads, p = ps.Values;
        double ss = 0;
        for (int i = 0; i < g.Length; i++)
        {
            ss += (double)g[i] * g[i];
        }
        float norm = (float)Math.Sqrt(ss);
        LastGradNorm = norm;
        float clip = Options.ClipNorm > 0 && norm > Options.ClipNorm ? Options.ClipNorm / norm : 1f;
        _beta1Pow *= Options.Beta1;
        _beta2Pow *= Options.Beta2;
        float b1 = Options.Beta1, b2 = Options.Beta2, eps = Options.Epsilon;
        float c1 = (float)(1 / (1 - _beta1Pow)), c2 = (float)(1 / (1 - _beta2Pow));
        var tensors = ps.Tensors;
        for (int ti = 0; ti < tensors.Count; ti++)
        {
            var t = tensors[ti];
            float wd = _decay[ti] ? Options.WeightDecay : 0f;
            int start = (int)t.Offset, end = (int)(t.Offset + t.Length);
            Par.For(end - start, 20, (a, b) =>
            {
                for (int i = start + a; i < start + b; i++)
                {
                    float gi = g[i] * clip;
                    float m = b1 * _m[i] + (1 - b1) * gi;
                    float v = b2 * _v[i] + (1 - b2) * gi * gi;
                    _m[i] = m;
                    _v[i] = v;
                    float mh = m * c1, vh = v * c2;
                    p[i] -= lr * (mh / (MathF.Sqrt(vh) + eps) + wd * p[i]);
                }
            });
        }
    }
}

/// <summary>
/// Deterministic mini-batches of random windows from a symbol sequence: each row is T+1 consecutive symbols
/// starting at a seeded random offset (inputs = first T, targets = last T).
/// </summary>
public sealed class WindowSampler
{
    private readonly int[] _data;
    private Xoshiro256 _rng;

    /// <summary>Samples from <paramref name="data"/> (at least T+1 symbols).</summary>
    /// <exception cref="ArgumentException">Too little data.</exception>
    public WindowSampler(int[] data, int batchSize, int time, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, 1);
        if (data.Length < time + 1)
        {
            throw new ArgumentException($"need at least {time + 1} symbols for windows of {time}, got {data.Length}");
        }
        _data = data;
        BatchSize = batchSize;
        Time = time;
        _rng = new Xoshiro256(seed);
    }

    /// <summary>B.</summary>
    public int BatchSize { get; }

    /// <summary>T.</summary>
    public int Time { get; }

    /// <summary>The next batch.</summary>
    public Batch Next()
    {
        int B = BatchSize, T = Time;
        var inp = new int[B * T];
        var tgt = new int[B * T];
        for (int b = 0; b < B; b++)
        {
            int s = _rng.Next(_data.Length - T);
            Array.Copy(_data, s, inp, b * T, T);
            Array.Copy(_data, s + 1, tgt, b * T, T);
        }
        return new Batch(inp, tgt, B, T);
    }
}

/// <summary>Code-length evaluation of a model on a symbol sequence.</summary>
public static class Evaluator
{
    /// <summary>
    /// Ideal code length of <paramref name="data"/> under <paramref name="model"/>, in bits: the first symbol
    /// costs log2 V; then windows of T = Context symbols overlap by half, each symbol scored once with at
    /// least T/2 symbols of context (except in the first window). Batches of <paramref name="batchSize"/> windows.
    /// </summary>
    public static double TotalBits(SequenceModel model, int[] data, int batchSize = 8, Action<long, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0)
        {
            return 0;
        }
        int T = model.Context;
        int V = model.VocabSize;
        double bits = Math.Log2(V);
        // window (s, len, from): inputs data[s .. s+len), targets data[s+1 .. s+len]; positions t >= from are new
        var windows = new List<(int Start, int Len, int From)>();
        int keep = T - Math.Max(1, T / 2);          // context kept from the previous window
        int covered = 0;                            // data[0..covered] already scored
        while (covered < data.Length - 1)
        {
            int s = windows.Count == 0 ? 0 : covered - keep;
            s = Math.Max(0, Math.Min(s, data.Length - 1 - T));
            int len = Math.Min(T, data.Length - 1 - s);
            windows.Add((s, len, covered - s));
            covered = s + len;
        }
        for (int w0 = 0; w0 < windows.Count;)
        {
            int len = windows[w0].Len;
            int nb = 1;
            while (nb < batchSize && w0 + nb < windows.Count && windows[w0 + nb].Len == len)
            {
                nb++;
            }
            var inp = new int[nb * len];
            var tgt = new int[nb * len];
            for (int i = 0; i < nb; i++)
            {
                var (s, _, from) = windows[w0 + i];
                for (int t = 0; t < len; t++)
                {
                    inp[i * len + t] = data[s + t];
                    tgt[i * len + t] = t >= from ? data[s + t + 1] : -1;
                }
            }
            model.Forward(inp, tgt, nb, len);
            for (int i = 0; i < nb; i++)
            {
                for (int t = windows[w0 + i].From; t < len; t++)
                {
                    float p = model.Probabilities(i, t)[tgt[i * len + t]];
                    bits -= NMath.Log(Math.Max(p, 1e-30f)) / 0.69314718055994530942;
                }
            }
            w0 += nb;
            progress?.Invoke(w0, windows.Count);
        }
        return bits;
    }
}
