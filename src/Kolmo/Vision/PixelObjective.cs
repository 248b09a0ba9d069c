namespace Kolmo.Vision;

/// <summary>The two pretraining objectives of iGPT (Chen et al. 2020, §2.2).</summary>
public enum Objective
{
    /// <summary>Next-pixel prediction: p(x) = Π_t p(x_t | x_&lt;t), causal attention, loss on every position.</summary>
    Autoregressive,

    /// <summary>BERT-style: a random 15% of positions replaced by a mask token, bidirectional attention, loss on the masked positions.</summary>
    Masked,
}

/// <summary>
/// Builds model inputs and loss targets for an <see cref="Objective"/>, and measures code lengths. The vocabulary
/// is V = K + 1: the K palette tokens and one special token (id K) that is the start-of-image token for AR and the
/// mask token for masked training. The special token is never a target (training drives its probability towards
/// 0); code lengths renormalise it away, so AR bits/dim are exactly what an arithmetic coder driven by the model
/// pays (up to frequency quantisation).
/// <code>
/// AR:      inputs  [S, x0, x1, …, x(T−2)]      targets [x0, x1, …, x(T−1)]
/// masked:  inputs  x with masked positions = M  targets x at masked positions, −1 (no loss) elsewhere
/// </code>
/// </summary>
public sealed class PixelObjective
{
    /// <summary>Creates the objective for a palette of <paramref name="paletteSize"/> tokens.</summary>
    public PixelObjective(Objective kind, int paletteSize, double maskRate = 0.15)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(paletteSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maskRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maskRate, 1.0);
        Kind = kind;
        PaletteSize = paletteSize;
        MaskRate = maskRate;
    }

    /// <summary>The objective.</summary>
    public Objective Kind { get; }

    /// <summary>K, the number of palette tokens.</summary>
    public int PaletteSize { get; }

    /// <summary>V = K + 1.</summary>
    public int Vocabulary => PaletteSize + 1;

    /// <summary>The special token id (K): start token (AR) or mask token (masked).</summary>
    public int SpecialToken => PaletteSize;

    /// <summary>Fraction of positions masked (masked objective). Default 0.15.</summary>
    public double MaskRate { get; }

    /// <summary>True when the model must use causal attention.</summary>
    public bool Causal => Kind == Objective.Autoregressive;

    /// <summary>
    /// Fills <paramref name="inputs"/> and <paramref name="targets"/> ([B, T] each) for the images
    /// <paramref name="images"/> of <paramref name="data"/>. <paramref name="rng"/> draws the masks (masked objective).
    /// </summary>
    public void BuildBatch(PixelTokens data, ReadOnlySpan<int> images, Span<int> inputs, Span<int> targets, ref Xoshiro256 rng)
    {
        ArgumentNullException.ThrowIfNull(data);
        int t = data.Length;
        for (int b = 0; b < images.Length; b++)
        {
            var seq = data.Sequence(images[b]);
            var inp = inputs.Slice(b * t, t);
            var tgt = targets.Slice(b * t, t);
            if (Kind == Objective.Autoregressive)
            {
                inp[0] = SpecialToken;
                for (int i = 0; i < t; i++)
                {
                    tgt[i] = seq[i];
                    if (i + 1 < t)
                    {
                        inp[i + 1] = seq[i];
                    }
                }
            }
            else
            {
                int masked = 0;
                ulong threshold = (ulong)(MaskRate * (1UL << 32));
                for (int i = 0; i < t; i++)
                {
                    bool mask = (rng.NextUInt64() >> 32) < threshold;
                    inp[i] = mask ? SpecialToken : seq[i];
                    tgt[i] = mask ? seq[i] : -1;
                    masked += mask ? 1 : 0;
                }
                if (masked == 0)
                {
                    int i = rng.Next(t);
                    inp[i] = SpecialToken;
                    tgt[i] = seq[i];
                }
            }
        }
    }

    /// <summary>
    /// Code length in bits of the targets of batch row <paramref name="b"/> under the last forward of <paramref name="model"/>:
    /// Σ −log2(p[target] / Σ_{v&lt;K} p[v]) over the positions with a target (the special token's probability is
    /// renormalised away, exactly as the range coder sees it). Returns (bits, number of targets).
    /// </summary>
    public (double Bits, int Count) Bits(ITokenTransformer model, ReadOnlySpan<int> targets, int b) => Bits(model, targets, b, 0, model?.Context ?? 0);

    /// <summary>As <see cref="Bits(ITokenTransformer, ReadOnlySpan{int}, int)"/> over positions [<paramref name="from"/>, <paramref name="to"/>) only.</summary>
    public (double Bits, int Count) Bits(ITokenTransformer model, ReadOnlySpan<int> targets, int b, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(model);
        int t = model.Context;
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to, t);
        double bits = 0;
        int count = 0;
        for (int i = from; i < to; i++)
        {
            int target = targets[b * t + i];
            if (target < 0)
            {
                continue;
            }
            var p = model.Probabilities(b, i);
            double z = 0;
            for (int v = 0; v < PaletteSize; v++)
            {
                z += p[v];
            }
            bits -= Math.Log2(Math.Max(p[target], 1e-30) / z);
            count++;
        }
        return (bits, count);
    }
}
