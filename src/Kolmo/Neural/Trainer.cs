using System.Runtime.Intrinsics;

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
/// <see cref="SequenceModel"/>. Every step is deterministic: the norm equals the index-order double sum (see
/// <see cref="GradientNorm"/>), β^t by repeated multiplication, the schedule's cosine from Kolmo's own series (no libm).
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
        // pinned: Update hands raw pointers to them to its worker threads, and a garbage collection in between (any
        // allocation on any thread) would otherwise move an array of a small model (under 85 kB) out from under them
        _m = GC.AllocateArray<float>((int)n, pinned: true);
        _v = GC.AllocateArray<float>((int)n, pinned: true);
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

    /// <summary>
    /// Writes the optimiser state — step, β1ᵗ, β2ᵗ, first and second moments — so that <see cref="ReadState"/> on a
    /// trainer over the same parameter layout continues bit-identically (save the model's weights beside it).
    /// Layout (little-endian): "KOLMOADW" | u16 version 1 | i32 step | f64 β1ᵗ | f64 β2ᵗ | i64 n | f32 m[n] | f32 v[n] | u64 xxHash64 of the preceding bytes.
    /// </summary>
    public void WriteState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long n = _m.Length;
        var buffer = new byte[8 + 2 + 4 + 8 + 8 + 8 + 8 * n + 8];
        var span = buffer.AsSpan();
        "KOLMOADW"u8.CopyTo(span);
        int pos = 8;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span[pos..], 1);
        pos += 2;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[pos..], Step);
        pos += 4;
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(span[pos..], _beta1Pow);
        pos += 8;
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(span[pos..], _beta2Pow);
        pos += 8;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[pos..], n);
        pos += 8;
        foreach (var moments in new[] { _m, _v })
        {
            foreach (float x in moments)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(span[pos..], x);
                pos += 4;
            }
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(span[pos..], System.IO.Hashing.XxHash64.HashToUInt64(span[..pos]));
        stream.Write(buffer);
    }

    /// <summary>Restores a state written by <see cref="WriteState"/>.</summary>
    /// <exception cref="InvalidDataException">Corrupt, truncated, or written for a different parameter count.</exception>
    public void ReadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long n = _m.Length;
        var buffer = new byte[8 + 2 + 4 + 8 + 8 + 8 + 8 * n + 8];
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var span = buffer.AsSpan(0, read);
        if (read < 38 || !span[..8].SequenceEqual("KOLMOADW"u8))
        {
            throw new InvalidDataException("not an optimiser state (bad magic or truncated)");
        }
        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(span[8..]) != 1)
        {
            throw new InvalidDataException("unsupported optimiser state version");
        }
        if (System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(span[30..]) != n || read != buffer.Length)
        {
            throw new InvalidDataException($"optimiser state is for a different model or truncated (expected {n} parameters)");
        }
        int end = buffer.Length - 8;
        if (System.IO.Hashing.XxHash64.HashToUInt64(span[..end]) != System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(span[end..]))
        {
            throw new InvalidDataException("optimiser state is corrupt (checksum mismatch)");
        }
        int step = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span[10..]);
        if (step < 0)
        {
            throw new InvalidDataException("optimiser state has a negative step");
        }
        Step = step;
        _beta1Pow = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(span[14..]);
        _beta2Pow = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(span[22..]);
        int pos = 38;
        foreach (var moments in new[] { _m, _v })
        {
            for (long i = 0; i < n; i++)
            {
                moments[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(span[pos..]);
                pos += 4;
            }
        }
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
        // a batch of one sequence cannot split at the top: the whole step (the parameter gradients and the optimiser's
        // memory-bound passes included) runs on this thread, where a second one would cost more than it saves
        using var serial = Par.SerialIf(batch.BatchSize < 2);
        var ps = _model.Parameters;
        ps.ZeroGrad();                 // free when the previous update left them zero
        float loss = _model.Forward(batch.Inputs, batch.Targets, batch.BatchSize, batch.Time, batch.Weights);
        _model.Backward();
        Update(learningRate);
        Step++;
        _model.StepsTrained++;
        return loss;
    }

    // elements per chunk of the fused update (the unit of the parallel split and of the norm's partial sums)
    private const int Chunk = 16384;

    /// <summary>
    /// Applies one AdamW update from the gradients currently in the model (clipping first) and zeroes the gradients,
    /// in two passes over the parameters: the gradient norm, then clip + moments + decay + step + zeroing fused.
    /// </summary>
    public unsafe void Update(float lr)
    {
        var ps = _model.Parameters;
        float[] g = ps.Grads, p = ps.Values;
        float norm = GradientNorm(g);
        LastGradNorm = norm;
        float clip = Options.ClipNorm > 0 && norm > Options.ClipNorm ? Options.ClipNorm / norm : 1f;
        _beta1Pow *= Options.Beta1;
        _beta2Pow *= Options.Beta2;
        var k = new AdamW(Options.Beta1, Options.Beta2, Options.Epsilon, (float)(1 / (1 - _beta1Pow)), (float)(1 / (1 - _beta2Pow)), lr, clip);
        var tensors = ps.Tensors;
        float wdOn = Options.WeightDecay;
        nint gp = (nint)Pin.Ptr(g), pp = (nint)Pin.Ptr(p), mp = (nint)Pin.Ptr(_m), vp = (nint)Pin.Ptr(_v);
        int chunks = (int)((g.LongLength + Chunk - 1) / Chunk);
        Par.For(chunks, 12L * Chunk, (c0, c1) =>
        {
            long begin = (long)c0 * Chunk, end = Math.Min(g.LongLength, (long)c1 * Chunk);
            // the tensors overlapping [begin, end), each with its own weight decay
            for (int ti = 0; ti < tensors.Count; ti++)
            {
                long a = Math.Max(begin, tensors[ti].Offset), b = Math.Min(end, tensors[ti].Offset + tensors[ti].Length);
                if (a < b)
                {
                    k.Apply((float*)pp + a, (float*)gp + a, (float*)mp + a, (float*)vp + a, (int)(b - a), _decay[ti] ? wdOn : 0f);
                }
            }
        });
        ps.MarkGradsZero();
    }

    /// <summary>
    /// ‖g‖₂ as float, equal bit for bit to <c>(float)√(Σ (double)gᵢ² summed in index order)</c> (the definition, and
    /// what earlier versions computed), but fast: partial sums over chunks in 8 double lanes give the sum within a
    /// proven bound; when every value in that interval rounds to the same float, that float is the answer, otherwise
    /// (very rarely) the sequential sum is computed.
    /// </summary>
    internal static unsafe float GradientNorm(float[] g, double boundScale = 1)
    {
        int n = g.Length;
        int chunks = (n + Chunk - 1) / Chunk;
        double[] partial = new double[chunks];
        nint gp = (nint)Pin.Ptr(g);
        Par.For(chunks, 2L * Chunk, (c0, c1) =>
        {
            for (int c = c0; c < c1; c++)
            {
                int a = c * Chunk, b = Math.Min(n, a + Chunk);
                partial[c] = SumSquares((float*)gp + a, b - a);
            }
        });
        double ss = 0;
        foreach (double x in partial)
        {
            ss += x;
        }
        // |lane sum − exact| and |sequential sum − exact| are each at most (terms + steps)·2⁻⁵³·exact for n ≥ 0 terms
        double bound = (1.25 * n + 64 + chunks) * 1.1102230246251565e-16 * 1.001 * ss * boundScale;
        float lo = (float)Math.Sqrt(Math.Max(0, ss - bound)), hi = (float)Math.Sqrt(ss + bound);
        if (lo == hi)
        {
            return lo;
        }
        double seq = 0;
        for (int i = 0; i < n; i++)
        {
            seq += (double)g[i] * g[i];
        }
        return (float)Math.Sqrt(seq);
    }

    private static unsafe double SumSquares(float* x, int n)
    {
        int i = 0;
        double s;
        if (Vector512.IsHardwareAccelerated && Kernels.Width >= 512)
        {
            var acc0 = Vector512<double>.Zero;
            var acc1 = Vector512<double>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.Load(x + i));
                acc0 = Vector512.FusedMultiplyAdd(lo, lo, acc0);
                acc1 = Vector512.FusedMultiplyAdd(hi, hi, acc1);
            }
            s = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && Kernels.Width >= 256)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Load(x + i));
                acc0 = Vector256.FusedMultiplyAdd(lo, lo, acc0);
                acc1 = Vector256.FusedMultiplyAdd(hi, hi, acc1);
            }
            s = Vector256.Sum(acc0 + acc1);
        }
        else
        {
            s = 0;
        }
        for (; i < n; i++)
        {
            s += (double)x[i] * x[i];
        }
        return s;
    }

    /// <summary>The AdamW step for one range, vectorised; every path performs the scalar expression's operations in order.</summary>
    private readonly struct AdamW(float b1, float b2, float eps, float c1, float c2, float lr, float clip)
    {
        public unsafe void Apply(float* p, float* g, float* m, float* v, int n, float wd)
        {
            float ob1 = 1 - b1, ob2 = 1 - b2;
            int i = 0;
            int w = Kernels.Width;
            if (w == 512)
            {
                Vector512<float> vb1 = Vector512.Create(b1), vb2 = Vector512.Create(b2), vob1 = Vector512.Create(ob1), vob2 = Vector512.Create(ob2);
                Vector512<float> vc1 = Vector512.Create(c1), vc2 = Vector512.Create(c2), veps = Vector512.Create(eps), vlr = Vector512.Create(lr);
                Vector512<float> vclip = Vector512.Create(clip), vwd = Vector512.Create(wd);
                for (; i + 16 <= n; i += 16)
                {
                    var gi = Vector512.Load(g + i) * vclip;
                    var mi = vb1 * Vector512.Load(m + i) + vob1 * gi;
                    var vi = vb2 * Vector512.Load(v + i) + vob2 * gi * gi;
                    mi.Store(m + i);
                    vi.Store(v + i);
                    var pi = Vector512.Load(p + i);
                    (pi - vlr * (mi * vc1 / (Vector512.Sqrt(vi * vc2) + veps) + vwd * pi)).Store(p + i);
                    Vector512<float>.Zero.Store(g + i);
                }
            }
            if (w >= 256)
            {
                Vector256<float> vb1 = Vector256.Create(b1), vb2 = Vector256.Create(b2), vob1 = Vector256.Create(ob1), vob2 = Vector256.Create(ob2);
                Vector256<float> vc1 = Vector256.Create(c1), vc2 = Vector256.Create(c2), veps = Vector256.Create(eps), vlr = Vector256.Create(lr);
                Vector256<float> vclip = Vector256.Create(clip), vwd = Vector256.Create(wd);
                for (; i + 8 <= n; i += 8)
                {
                    var gi = Vector256.Load(g + i) * vclip;
                    var mi = vb1 * Vector256.Load(m + i) + vob1 * gi;
                    var vi = vb2 * Vector256.Load(v + i) + vob2 * gi * gi;
                    mi.Store(m + i);
                    vi.Store(v + i);
                    var pi = Vector256.Load(p + i);
                    (pi - vlr * (mi * vc1 / (Vector256.Sqrt(vi * vc2) + veps) + vwd * pi)).Store(p + i);
                    Vector256<float>.Zero.Store(g + i);
                }
            }
            for (; i < n; i++)
            {
                float gi = g[i] * clip;
                float mi = b1 * m[i] + ob1 * gi;
                float vi = b2 * v[i] + ob2 * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float mh = mi * c1, vh = vi * c2;
                p[i] -= lr * (mh / (MathF.Sqrt(vh) + eps) + wd * p[i]);
                g[i] = 0f;
            }
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
    public static double TotalBits(SequenceModel model, int[] data, int batchSize = 8, Action<long, long>? progress = null) =>
        Score(model, data, batchSize, progress, stop: null).Bits;

    /// <summary>
    /// As <see cref="TotalBits"/>, but asks <paramref name="stop"/> before every batch after the first and, when it
    /// says so, ends early: the result is the code length of the leading <see cref="PrefixScore.Symbols"/> symbols,
    /// exactly <c>TotalBits(data[..Symbols])</c>. For time budgets (e.g. <c>kolmo train --max-minutes</c>).
    /// </summary>
    public static PrefixScore PrefixBits(SequenceModel model, int[] data, int batchSize, Func<bool> stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        return Score(model, data, batchSize, null, stop);
    }

    private static PrefixScore Score(SequenceModel model, int[] data, int batchSize, Action<long, long>? progress, Func<bool>? stop)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0)
        {
            return new PrefixScore(0, 0);
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
        int scored = 1;
        for (int w0 = 0; w0 < windows.Count;)
        {
            if (w0 > 0 && stop is not null && stop())
            {
                break;
            }
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
            scored = windows[w0 - 1].Start + windows[w0 - 1].Len + 1;
            progress?.Invoke(w0, windows.Count);
        }
        return new PrefixScore(bits, scored);
    }
}

/// <summary>The code length of the first <paramref name="Symbols"/> symbols of a sequence.</summary>
/// <param name="Bits">Code length in bits.</param>
/// <param name="Symbols">How many leading symbols it covers.</param>
public readonly record struct PrefixScore(double Bits, int Symbols);
