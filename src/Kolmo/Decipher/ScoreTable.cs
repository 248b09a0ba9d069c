namespace Kolmo.Decipher;

/// <summary>
/// Dense, quantised code-length table for fast search: (window of k ≤ n symbols) → cost of its last symbol given
/// the others, in units of 1/<see cref="UnitsPerBit"/> bit, as <c>ushort</c>. Level n (the search order) has
/// A^n entries (27^5 = 14.3 M, 28.7 MB); levels 1..n−1 cover the first n−1 symbols of a text. Integer costs make
/// every score sum exact and independent of summation order, so the solvers are deterministic per seed.
/// Quantisation error ≤ 1/(2·64) bit per symbol.
/// </summary>
public sealed class ScoreTable
{
    /// <summary>Cost units per bit.</summary>
    public const int UnitsPerBit = 64;

    /// <summary>Largest table the builder makes (entries at the top level).</summary>
    public const long MaxEntries = 1L << 24;

    private readonly ushort[][] _levels;

    private ScoreTable(Alphabet alphabet, int order, ushort[][] levels)
    {
        Alphabet = alphabet;
        Order = order;
        _levels = levels;
    }

    private ScoreTable(Alphabet alphabet, int order, ushort[][] levels, int[] hashKeys, ushort[] hashCosts, ushort[] backoff)
        : this(alphabet, order, levels)
    {
        HashKeys = hashKeys;
        HashCosts = hashCosts;
        Backoff = backoff;
        HashShift = 32 - System.Numerics.BitOperations.Log2((uint)hashKeys.Length);
    }

    /// <summary>
    /// Hashed top level (null when dense): open-addressing table of the seen n-grams (key, −1 = empty) with their
    /// exact cost; an unseen n-gram costs <see cref="Backoff"/>[context] + level n−1 cost of its suffix.
    /// </summary>
    internal int[]? HashKeys { get; }

    /// <summary>Costs parallel to <see cref="HashKeys"/>.</summary>
    internal ushort[]? HashCosts { get; }

    /// <summary>Back-off cost −log2(γ(h)/C(h)) of each (n−1)-symbol context, 0 for unseen contexts.</summary>
    internal ushort[]? Backoff { get; }

    /// <summary>Shift of the multiplicative hash (32 − log2 capacity).</summary>
    internal int HashShift { get; }

    /// <summary>True when the top level is hashed rather than dense.</summary>
    public bool IsHashed => HashKeys is not null;

    /// <summary>
    /// Builds a table whose top level (order n = model order) is hashed: seen n-grams are stored exactly, unseen ones
    /// back off to the dense level n−1. Needs A^(n−1) ≤ <see cref="MaxEntries"/> and A^n &lt; 2^31.
    /// </summary>
    public static ScoreTable BuildHashed(KneserNeyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int a = model.Alphabet.Size;
        int n = model.Order;
        if (n < 2 || NGramCounts.Pow(a, n - 1) > MaxEntries || NGramCounts.Pow(a, n) >= int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(model), $"a hashed order-{n} table over {a} symbols is not supported");
        }
        float[][] p = model.DenseLevels(n - 1);
        var levels = new ushort[n][];
        for (int k = 0; k < n - 1; k++)
        {
            levels[k] = Quantise(p[k]);
        }
        var backoff = new ushort[NGramCounts.Pow(a, n - 1)];
        foreach (var (h, w) in model.TopBackoff())
        {
            backoff[h] = ToUnits(w);
        }
        var top = model.TopLevel().ToList();
        int cap = 1 << 10;
        while (cap < top.Count * 3)
        {
            cap <<= 1;
        }
        var keys = new int[cap];
        Array.Fill(keys, -1);
        var costs = new ushort[cap];
        int shift = 32 - System.Numerics.BitOperations.Log2((uint)cap);
        foreach (var (key, prob) in top)
        {
            int slot = (int)(((uint)key * 0x9E3779B1u) >> shift);
            while (keys[slot] >= 0)
            {
                slot = (slot + 1) & (cap - 1);
            }
            keys[slot] = (int)key;
            costs[slot] = ToUnits(prob);
        }
        levels[n - 1] = [];
        return new ScoreTable(model.Alphabet, n, levels, keys, costs, backoff);
    }

    private static ushort ToUnits(double p) => (ushort)Math.Clamp(Math.Round(-Math.Log2(p) * UnitsPerBit), 0, ushort.MaxValue);

    private static ushort[] Quantise(float[] src)
    {
        var dst = new ushort[src.Length];
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = ToUnits(src[i]);
        }
        return dst;
    }

    /// <summary>Cost of a top-level n-gram (dense or hashed).</summary>
    internal int TopCost(int key)
    {
        if (HashKeys is null)
        {
            return _levels[Order - 1][key];
        }
        int mask = HashKeys.Length - 1;
        int slot = (int)(((uint)key * 0x9E3779B1u) >> HashShift);
        while (true)
        {
            int k = HashKeys[slot];
            if (k == key)
            {
                return HashCosts![slot];
            }
            if (k < 0)
            {
                int a = Alphabet.Size;
                return Backoff![key / a] + _levels[Order - 2][key % (int)NGramCounts.Pow(a, Order - 1)];
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The alphabet (size A).</summary>
    public Alphabet Alphabet { get; }

    /// <summary>Search order n (windows of n symbols at the top level).</summary>
    public int Order { get; }

    /// <summary>
    /// The search table for a model: a hashed top level at the highest order k ≤ N that allows it
    /// (A^(k−1) ≤ <see cref="MaxEntries"/>), otherwise a dense table of the highest feasible order.
    /// For 26 or 27 letters and N ≥ 6 this is a hashed order-6 table.
    /// </summary>
    public static ScoreTable ForModel(KneserNeyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int a = model.Alphabet.Size;
        for (int k = Math.Min(model.Order, 6); k >= 3; k--)
        {
            if (NGramCounts.Pow(a, k - 1) <= MaxEntries && NGramCounts.Pow(a, k) < int.MaxValue)
            {
                return BuildHashed(k == model.Order ? model : KneserNeyModel.Build(model.Counts.Truncate(k)));
            }
        }
        return Build(model, FeasibleOrder(a, model.Order));
    }

    /// <summary>Largest order ≤ <paramref name="maxOrder"/> whose table has at most <see cref="MaxEntries"/> entries.</summary>
    public static int FeasibleOrder(int alphabetSize, int maxOrder)
    {
        int n = 1;
        while (n < maxOrder && NGramCounts.Pow(alphabetSize, n + 1) <= MaxEntries)
        {
            n++;
        }
        return n;
    }

    /// <summary>
    /// Builds the table from a Kneser-Ney model of order ≥ <paramref name="order"/>; the top level uses the model
    /// truncated to that order (raw counts at level n), so it is a proper order-n model, not the lower-order
    /// continuation distribution of a higher-order one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The table would exceed <see cref="MaxEntries"/>.</exception>
    public static ScoreTable Build(KneserNeyModel model, int order)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, model.Order);
        if (NGramCounts.Pow(model.Alphabet.Size, order) > MaxEntries)
        {
            throw new ArgumentOutOfRangeException(nameof(order), $"a dense order-{order} table over {model.Alphabet.Size} symbols is too large");
        }
        var m = order == model.Order ? model : KneserNeyModel.Build(model.Counts.Truncate(order));
        float[][] p = m.DenseLevels(order);
        var levels = new ushort[order][];
        for (int k = 0; k < order; k++)
        {
            levels[k] = Quantise(p[k]);
        }
        return new ScoreTable(model.Alphabet, order, levels);
    }

    /// <summary>Costs of level k (1..n): index = packed k-gram.</summary>
    internal ushort[] Level(int k) => _levels[k - 1];

    /// <summary>Quantised code length of a whole text, in units (1/64 bit).</summary>
    public long Cost(ReadOnlySpan<byte> text)
    {
        long total = 0;
        int a = Alphabet.Size;
        for (int e = 0; e < text.Length; e++)
        {
            int k = Math.Min(e + 1, Order);
            long key = 0;
            for (int j = e - k + 1; j <= e; j++)
            {
                key = key * a + text[j];
            }
            total += k == Order ? TopCost((int)key) : _levels[k - 1][key];
        }
        return total;
    }
}
