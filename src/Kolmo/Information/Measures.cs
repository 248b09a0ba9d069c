using Kolmo.Compression;
using Kolmo.Compression.Panel;

namespace Kolmo.Information;

/// <summary>Every measure of a pair (x, y) under one code-length source (all values in bits except NCD).</summary>
/// <param name="Name">The compressor or model.</param>
/// <param name="BitsX">C(x).</param>
/// <param name="BitsY">C(y).</param>
/// <param name="BitsXY">C(x, y): x then y.</param>
/// <param name="BitsYGivenX">C(y | x).</param>
/// <param name="BitsXGivenY">C(x | y).</param>
public sealed record PairInfo(string Name, double BitsX, double BitsY, double BitsXY, double BitsYGivenX, double BitsXGivenY)
{
    /// <summary>Mutual information by the joint gap: C(x) + C(y) − C(x, y).</summary>
    public double MiJoint => Measures.MutualInformationJoint(BitsX, BitsY, BitsXY);

    /// <summary>Mutual information by conditioning: C(y) − C(y | x).</summary>
    public double MiConditional => Measures.MutualInformationConditional(BitsY, BitsYGivenX);

    /// <summary>Normalised compression distance (C(x, y) − min C) / max C.</summary>
    public double Ncd => Measures.Ncd(BitsX, BitsY, BitsXY);

    /// <summary>Measures one pair under <paramref name="c"/>.</summary>
    public static PairInfo Measure(ICodeLength c, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new PairInfo(c.Name, c.Bits(x), c.Bits(y), c.JointBits(x, y), c.ConditionalBits(y, x), c.ConditionalBits(x, y));
    }
}

/// <summary>
/// Information measures from code lengths (Li &amp; Vitányi; Cilibrasi &amp; Vitányi 2005). Every function takes code
/// lengths in bits, so it works with any compressor; see docs/THEORY.md for definitions.
/// </summary>
public static class Measures
{
    /// <summary>I(x:y) ≈ C(x) + C(y) − C(x, y): the bits saved by coding x and y together.</summary>
    public static double MutualInformationJoint(double bitsX, double bitsY, double bitsXY) => bitsX + bitsY - bitsXY;

    /// <summary>I(x:y) ≈ C(y) − C(y | x): the bits x saves when coding y.</summary>
    public static double MutualInformationConditional(double bitsY, double bitsYGivenX) => bitsY - bitsYGivenX;

    /// <summary>
    /// Normalised compression distance NCD = (C(xy) − min(C(x), C(y))) / max(C(x), C(y)) (Cilibrasi &amp; Vitányi 2005);
    /// 0 when max is 0.
    /// </summary>
    public static double Ncd(double bitsX, double bitsY, double bitsXY)
    {
        double max = Math.Max(bitsX, bitsY);
        return max <= 0 ? 0 : (bitsXY - Math.Min(bitsX, bitsY)) / max;
    }

    /// <summary>NCD of <paramref name="x"/> and <paramref name="y"/> under <paramref name="c"/>.</summary>
    public static double Ncd(ICodeLength c, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Ncd(c.Bits(x), c.Bits(y), c.JointBits(x, y));
    }

    /// <summary>
    /// Regret of each entry against the best of the panel: value − min(values). The best has regret 0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="bits"/> is empty.</exception>
    public static double[] Regret(IReadOnlyList<double> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        if (bits.Count == 0)
        {
            throw new ArgumentException("At least one code length is needed.", nameof(bits));
        }
        double best = bits.Min();
        return [.. bits.Select(b => b - best)];
    }

    /// <summary>
    /// Kolmogorov upper bound K(x) ≤ min over compressors c of (C_c(x) + 8·|D_c|) bits, where |D_c| is the size of
    /// c's decompressor (<see cref="ICodeLength.DecompressorBytes"/>): a compressed file plus the program that
    /// decodes it is a description of x. Returns the bound and the compressor that attains it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="panel"/> is empty.</exception>
    public static KolmogorovBound KolmogorovUpperBound(IEnumerable<ICodeLength> panel, ReadOnlySpan<byte> x)
    {
        ArgumentNullException.ThrowIfNull(panel);
        KolmogorovBound? best = null;
        foreach (var c in panel)
        {
            double bits = c.Bits(x);
            double total = bits + 8.0 * c.DecompressorBytes;
            if (best is null || total < best.TotalBits)
            {
                best = new KolmogorovBound(c.Name, bits, c.DecompressorBytes, total);
            }
        }
        return best ?? throw new ArgumentException("The panel is empty.", nameof(panel));
    }

    /// <summary>
    /// Delétang et al. (2023)'s adjusted compression rate: (|C(x)| + |D|) / |x|, both in bytes — the compression rate
    /// charged for the decompressor's size.
    /// </summary>
    public static double AdjustedCompressionRate(double compressedBits, long decompressorBytes, long inputBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputBytes);
        return (compressedBits / 8.0 + decompressorBytes) / inputBytes;
    }
}

/// <summary>A Kolmogorov upper bound and the compressor attaining it.</summary>
/// <param name="Compressor">Name of the compressor.</param>
/// <param name="CompressedBits">C(x) in bits.</param>
/// <param name="DecompressorBytes">|D| in bytes.</param>
/// <param name="TotalBits">C(x) + 8·|D|: the bound on K(x) in bits.</param>
public sealed record KolmogorovBound(string Compressor, double CompressedBits, long DecompressorBytes, double TotalBits);

/// <summary>Creates the code-length sources by name: the standard panel and Kolmo's adaptive models.</summary>
public static class CodeLengthPanel
{
    /// <summary>Names of the adaptive models: ordermix (this layer's fast model), order3 and cm.</summary>
    public static IReadOnlyList<string> ModelNames => ["ordermix", "order3", "cm"];

    /// <summary>The online-trained neural models, accepted by name but not in the default panel (they are slow).</summary>
    public static IReadOnlyList<string> NeuralNames => ["nn", "cm+nn"];

    /// <summary>Names accepted by <see cref="Create(IEnumerable{string})"/>.</summary>
    public static IReadOnlyList<string> Names => [.. StandardPanel.Create().Select(c => c.Name), .. ModelNames];

    /// <summary>All of them: the standard panel plus the adaptive models.</summary>
    public static IReadOnlyList<ICodeLength> Create() => Create(Names);

    /// <summary>Creates the named sources, in the given order.</summary>
    /// <exception cref="ArgumentException">A name is unknown.</exception>
    public static IReadOnlyList<ICodeLength> Create(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var panel = StandardPanel.Create().ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var result = new List<ICodeLength>();
        foreach (string raw in names)
        {
            string n = raw.Trim().ToLowerInvariant();
            if (panel.TryGetValue(n, out var comp))
            {
                result.Add(new CompressorCodeLength(comp));
            }
            else if (ModelNames.Contains(n) || NeuralNames.Contains(n))
            {
                result.Add(Model(n));
            }
            else
            {
                throw new ArgumentException($"unknown compressor '{raw.Trim()}' (known: {string.Join(", ", Names)})", nameof(names));
            }
        }
        return result;
    }

    /// <summary>
    /// An adaptive model as a code-length source, at a fixed size suited to inputs up to a few hundred KB (so every
    /// query uses the same model and C(x, y) = C(x) + C(y | x) holds): ordermix 2^18 slots per context; order3 its
    /// level 4 (2^18 counters per order); cm level 6 with a 2^20-byte hash table (and 256 KB match buffer).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown model name.</exception>
    public static ModelCodeLength Model(string name)
    {
        long dec = ModelCodeLength.LibraryDecompressorBytes;
        return name.ToLowerInvariant() switch
        {
            "ordermix" => ModelCodeLength.OrderMix(),
            "order3" => new ModelCodeLength("order3", _ => new Modeling.Order3Model(18), dec),
            "cm" => new ModelCodeLength("cm", _ => new Modeling.CmModel(new Modeling.CmOptions { TableBits = 20 }), dec),
            "nn" => new ModelCodeLength("nn", _ => Compression.ModelCatalog.Create("nn", 2), dec),
            "cm+nn" => new ModelCodeLength("cm+nn", _ => Compression.ModelCatalog.Create("cm+nn", 6), dec),
            _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", ModelNames)})", nameof(name)),
        };
    }

    /// <summary>
    /// A factory of models sized for priming on a corpus of the given length (used by class-conditional
    /// classification): ordermix <see cref="Modeling.OrderMixModel.TableBitsFor"/> without its match model (which
    /// rewards verbatim repeats of recent text, little evidence of a topic; measured on R8 in docs/INFORMATION.md); order3 and cm with tables growing
    /// with the corpus, capped at 2^22 entries/bytes so a per-document clone stays cheap.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown model name.</exception>
    public static Func<long, Modeling.IByteModel> SizedFactory(string name)
    {
        static int Bits(long bytes, int min, int max)
        {
            int b = min;
            while (b < max && (1L << b) < bytes * 4)
            {
                b++;
            }
            return b;
        }
        return name.ToLowerInvariant() switch
        {
            "ordermix" => n => new Modeling.OrderMixModel(Modeling.OrderMixModel.TableBitsFor(n), match: false),
            "order3" => n => new Modeling.Order3Model(Bits(n, 16, 22)),
            "cm" => n => new Modeling.CmModel(new Modeling.CmOptions { TableBits = Bits(n, 18, 22) }),
            _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", ModelNames)})", nameof(name)),
        };
    }
}
