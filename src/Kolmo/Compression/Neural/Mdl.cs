namespace Kolmo.Compression.Neural;

/// <summary>The three description lengths of one data set under one model family (Blier &amp; Ollivier 2018), in bits.</summary>
/// <param name="Spec">Model configuration.</param>
/// <param name="Symbols">Bytes of data, n.</param>
/// <param name="Parameters">Trainable parameters of the model.</param>
/// <param name="UniformBits">n · log2 256: the code that learns nothing.</param>
/// <param name="PrequentialBits">Σ −log2 p(x_t | x_&lt;t; θ_t) while training online (what <see cref="PrequentialCoder"/> pays).</param>
/// <param name="TwoPart">The best two-part code found.</param>
public sealed record MdlReport(string Spec, long Symbols, long Parameters, double UniformBits, double PrequentialBits, TwoPartCode TwoPart);

/// <summary>
/// A two-part code: first the quantised weights, then the data given those weights.
/// <see cref="TotalBits"/> = <see cref="WeightBits"/> + <see cref="DataBits"/>.
/// </summary>
/// <param name="Step">Quantisation step δ: every weight w is sent as the integer q = round(w / δ), decoded as q · δ.</param>
/// <param name="WeightBits">Length of the weight message (see <see cref="Mdl.WeightCodeBits"/>), header included.</param>
/// <param name="DataBits">Σ −log2 p(x_t | x_&lt;t; θ_q) with the quantised weights frozen, from a fresh context.</param>
/// <param name="DistinctValues">Number of distinct quantised integers (size of the transmitted histogram).</param>
public sealed record TwoPartCode(double Step, double WeightBits, double DataBits, int DistinctValues)
{
    /// <summary>Weight bits + data bits.</summary>
    public double TotalBits => WeightBits + DataBits;
}

/// <summary>
/// MDL accounting for trainable sequence models.
/// <list type="bullet">
/// <item><b>Uniform code</b>: n · log2 V bits, V = 256.</item>
/// <item><b>Prequential code</b>: train online while coding, sum the per-symbol code lengths (no weights are sent;
/// the decoder repeats the training). Computed by <see cref="PrequentialCoder.Measure"/>.</item>
/// <item><b>Two-part code</b>: fit the model to the data (the same online training, <c>epochs</c> passes), quantise the
/// weights to a step δ, send them, then send the data with the frozen quantised model. The weight message is a static
/// entropy code of the integers q_i = round(w_i / δ):
/// a 64-bit header (δ as float32, number of distinct values as uint32); for each distinct value v its count c_v,
/// each as Elias-gamma codes γ(zigzag(v) + 1) and γ(c_v); then Σ_i log2(N / c_{q_i}) bits for the N integers (the ideal
/// arithmetic-code length under the transmitted histogram, which an arithmetic coder reaches within 2 bits).
/// δ is chosen from a grid of powers of two to minimise the total. The parameter count N and the model configuration
/// are assumed known to both sides (they are in the container header, identical for every code compared).</item>
/// </list>
/// </summary>
public static class Mdl
{
    /// <summary>Bits of the fixed weight-message header: δ (float32) and the number of distinct values (uint32).</summary>
    public const int HeaderBits = 64;

    /// <summary>Default grid of quantisation steps: 2^4, 2^2, 1, 2^−2, …, 2^−14.</summary>
    public static IReadOnlyList<double> DefaultSteps { get; } = [.. Enumerable.Range(-2, 10).Select(i => Math.Pow(2, -2 * i))];

    /// <summary>Uniform code length n · log2 <paramref name="vocabulary"/>.</summary>
    public static double UniformBits(long symbols, int vocabulary = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(symbols);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        return symbols * Math.Log2(vocabulary);
    }

    /// <summary>Length in bits of the Elias-gamma code of <paramref name="x"/> ≥ 1: 2⌊log2 x⌋ + 1.</summary>
    public static int EliasGammaBits(ulong x)
    {
        ArgumentOutOfRangeException.ThrowIfZero(x);
        return 2 * (63 - System.Numerics.BitOperations.LeadingZeroCount(x)) + 1;
    }

    /// <summary>
    /// Quantises <paramref name="weights"/> to step <paramref name="step"/> (into <paramref name="quantised"/>, as q · δ)
    /// and returns the weight-message length in bits (see the class remarks) and the number of distinct integers.
    /// </summary>
    public static (double Bits, int Distinct) WeightCodeBits(ReadOnlySpan<float> weights, double step, Span<float> quantised)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(quantised.Length, weights.Length, nameof(quantised));
        var counts = new Dictionary<long, long>();
        for (int i = 0; i < weights.Length; i++)
        {
            long q = (long)Math.Round(weights[i] / step, MidpointRounding.ToEven);
            quantised[i] = (float)(q * step);
            counts[q] = counts.TryGetValue(q, out long c) ? c + 1 : 1;
        }
        double bits = HeaderBits;
        double n = weights.Length;
        foreach (var (v, c) in counts)
        {
            ulong zig = (ulong)((v << 1) ^ (v >> 63));
            bits += EliasGammaBits(zig + 1) + EliasGammaBits((ulong)c);
            bits += c * Math.Log2(n / c);
        }
        return (bits, counts.Count);
    }

    /// <summary>
    /// Best two-part code over <paramref name="steps"/> for a model already fitted to <paramref name="data"/>.
    /// The model's parameters are restored afterwards.
    /// </summary>
    public static TwoPartCode TwoPart(ISequenceModel fitted, ReadOnlySpan<byte> data, IEnumerable<double>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        var w = new float[fitted.ParameterCount];
        fitted.ReadParameters(w);
        var q = new float[w.Length];
        TwoPartCode? best = null;
        try
        {
            foreach (double step in steps ?? DefaultSteps)
            {
                var (wb, distinct) = WeightCodeBits(w, step, q);
                if (best is not null && wb >= best.TotalBits)
                {
                    continue;   // the weights alone already cost more than the best total
                }
                fitted.WriteParameters(q);
                double db = PrequentialCoder.MeasureFrozen(fitted, data);
                var code = new TwoPartCode(step, wb, db, distinct);
                if (best is null || code.TotalBits < best.TotalBits)
                {
                    best = code;
                }
            }
        }
        finally
        {
            fitted.WriteParameters(w);
        }
        return best ?? throw new ArgumentException("no quantisation step given", nameof(steps));
    }

    /// <summary>
    /// Uniform, prequential and two-part code lengths of <paramref name="data"/> for the model <paramref name="spec"/>:
    /// one fresh model codes the data prequentially (learning every <paramref name="block"/> bytes); a second fresh model
    /// is fitted with <paramref name="epochs"/> passes of the same training and scored as a two-part code.
    /// A <paramref name="block"/> of 0 takes the model's own (<see cref="SequenceModels.NaturalBlock"/>).
    /// </summary>
    public static MdlReport Measure(string spec, ReadOnlySpan<byte> data, int block = 0, int epochs = 1, IEnumerable<double>? steps = null)
    {
        var online = SequenceModels.Create(spec);
        if (block <= 0)
        {
            block = SequenceModels.NaturalBlock(online);
        }
        double preq = PrequentialCoder.Measure(online, data, block);
        var fitted = SequenceModels.Create(spec);
        PrequentialCoder.Train(fitted, data, block, epochs);
        var two = TwoPart(fitted, data, steps);
        return new MdlReport(online.Spec, data.Length, online.ParameterCount, UniformBits(data.Length), preq, two);
    }
}
