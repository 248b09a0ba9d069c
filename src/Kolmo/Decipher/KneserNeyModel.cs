namespace Kolmo.Decipher;

/// <summary>
/// Character n-gram language model with interpolated modified Kneser-Ney smoothing
/// (Chen &amp; Goodman 1998, "An empirical study of smoothing techniques for language modeling", §3.5 / eq. 17).
/// <para>
/// Maps (context h of up to N−1 symbols, next symbol w) → P(w | h) on a double scale. Level k (1 ≤ k ≤ N) holds
/// counts c_k of k-grams: raw occurrence counts at the top level N, continuation counts N1+(• g) (number of
/// distinct left neighbours) below it. Each level has three discounts D1, D2, D3+ from its count-of-counts
/// n1..n4: Y = n1/(n1+2n2), D_r = r − (r+1)·Y·n_{r+1}/n_r (clamped to [0, r] so probabilities stay ≥ 0).
/// </para>
/// <para>
/// P_k(w|h) = max(c_k(hw) − D(c_k(hw)), 0)/C(h) + γ(h)·P_{k−1}(w|h′), γ(h) = (D1·N1(h•) + D2·N2(h•) + D3·N3+(h•))/C(h),
/// with C(h) = Σ_w c_k(hw), h′ = h without its first symbol, P_0 = 1/A; an unseen context (C(h) = 0) falls through
/// to P_{k−1}. Since D(c) ≤ c, Σ_w P_k(w|h) = 1 exactly for every context (tested).
/// </para>
/// Memory: one dictionary entry per distinct k-gram and per distinct context at each level.
/// </summary>
public sealed class KneserNeyModel
{
    private readonly int _a;
    private readonly Dictionary<long, int>[] _count;     // [k] k-gram key → c_k (k = 1..N)
    private readonly Dictionary<long, (int Total, double Gamma)>[] _context; // [k] context key (k−1 symbols) → C(h), γ numerator
    private readonly double[,] _discount;                // [k, r] r = 1..3

    private KneserNeyModel(NGramCounts counts)
    {
        Counts = counts;
        Order = counts.Order;
        _a = counts.Alphabet.Size;
        int n = Order;
        _count = new Dictionary<long, int>[n + 1];
        _context = new Dictionary<long, (int, double)>[n + 1];
        _discount = new double[n + 1, 4];

        // Top level: raw counts. Level k < N: continuation counts from the distinct (k+1)-grams.
        var top = new Dictionary<long, int>(counts.Distinct);
        for (int i = 0; i < counts.Distinct; i++)
        {
            top[counts.Keys[i]] = counts.Counts[i];
        }
        _count[n] = top;
        for (int k = n - 1; k >= 1; k--)
        {
            long mod = NGramCounts.Pow(_a, k);
            var lower = new Dictionary<long, int>();
            foreach (long key in _count[k + 1].Keys)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lower, key % mod, out _)++;
            }
            _count[k] = lower;
        }
        for (int k = 1; k <= n; k++)
        {
            long[] nr = new long[5];
            foreach (int c in _count[k].Values)
            {
                if (c <= 4)
                {
                    nr[c]++;
                }
            }
            double y = nr[1] + 2 * nr[2] > 0 ? nr[1] / (double)(nr[1] + 2 * nr[2]) : 0.5;
            for (int r = 1; r <= 3; r++)
            {
                double d = nr[r] > 0 ? r - (r + 1) * y * nr[r + 1] / nr[r] : 0.5 * r;
                _discount[k, r] = Math.Clamp(d, 0.0, r);
            }
            var stats = new Dictionary<long, (int Total, int N1, int N2, int N3)>();
            foreach (var (key, c) in _count[k])
            {
                ref var s = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(stats, key / _a, out _);
                s.Total += c;
                if (c == 1)
                {
                    s.N1++;
                }
                else if (c == 2)
                {
                    s.N2++;
                }
                else
                {
                    s.N3++;
                }
            }
            var ctx = new Dictionary<long, (int, double)>(stats.Count);
            foreach (var (h, s) in stats)
            {
                ctx[h] = (s.Total, _discount[k, 1] * s.N1 + _discount[k, 2] * s.N2 + _discount[k, 3] * s.N3);
            }
            _context[k] = ctx;
        }
    }

    /// <summary>Builds the smoothed model from n-gram counts.</summary>
    public static KneserNeyModel Build(NGramCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return new KneserNeyModel(counts);
    }

    /// <summary>Counts the N-grams of <paramref name="text"/> and builds the model.</summary>
    public static KneserNeyModel Train(ReadOnlySpan<byte> text, Alphabet alphabet, int order)
        => new(NGramCounts.Count(text, alphabet, order));

    /// <summary>The counts the model was built from (what the model file stores).</summary>
    public NGramCounts Counts { get; }

    /// <summary>The alphabet.</summary>
    public Alphabet Alphabet => Counts.Alphabet;

    /// <summary>The order N (contexts of up to N−1 symbols).</summary>
    public int Order { get; }

    /// <summary>Discount D_r (r = 1, 2, 3 meaning 3+) of level <paramref name="k"/>.</summary>
    public double Discount(int k, int r) => _discount[k, r];

    /// <summary>
    /// P(<paramref name="symbol"/> | <paramref name="context"/>); only the last N−1 symbols of the context are used
    /// (fewer at the start of a text).
    /// </summary>
    public double Probability(ReadOnlySpan<byte> context, int symbol)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(symbol);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(symbol, _a);
        int h = Math.Min(context.Length, Order - 1);
        long key = 0;
        long scale = 1;
        for (int j = 0; j < h; j++)
        {
            int s = context[context.Length - 1 - j];
            if (s >= _a)
            {
                throw new ArgumentException($"context symbol {s} is outside the alphabet", nameof(context));
            }
            key += s * scale;
            scale *= _a;
        }
        // key = packed context (h symbols); the k-gram for level k is (key % A^(k-1)) * A + symbol.
        double p = 1.0 / _a;
        long ctxMod = 1;
        for (int k = 1; k <= h + 1; k++)
        {
            long ctx = key % ctxMod;
            if (_context[k].TryGetValue(ctx, out var st))
            {
                int c = _count[k].GetValueOrDefault(ctx * _a + symbol);
                double d = c == 0 ? 0 : _discount[k, Math.Min(c, 3)];
                p = (Math.Max(c - d, 0) + st.Gamma * p) / st.Total;
            }
            ctxMod *= _a;
        }
        return p;
    }

    /// <summary>Code length of <paramref name="text"/> in bits: Σ −log2 P(xᵢ | preceding symbols).</summary>
    public double Bits(ReadOnlySpan<byte> text)
    {
        double bits = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int start = Math.Max(0, i - (Order - 1));
            bits -= Math.Log2(Probability(text[start..i], text[i]));
        }
        return bits;
    }

    /// <summary>Every seen top-level N-gram key with its probability P_N(last | first N−1).</summary>
    internal IEnumerable<(long Key, double P)> TopLevel()
    {
        byte[] ctx = new byte[Order - 1];
        foreach (long key in _count[Order].Keys)
        {
            long h = key / _a;
            for (int j = Order - 2; j >= 0; j--)
            {
                ctx[j] = (byte)(h % _a);
                h /= _a;
            }
            yield return (key, Probability(ctx, (int)(key % _a)));
        }
    }

    /// <summary>Every seen top-level context (N−1 symbols) with its back-off weight γ(h)/C(h).</summary>
    internal IEnumerable<(long Context, double Weight)> TopBackoff()
    {
        foreach (var (h, st) in _context[Order])
        {
            yield return (h, st.Gamma / st.Total);
        }
    }

    /// <summary>
    /// Dense table of all probabilities of levels 1..<paramref name="order"/>: element [k−1][g] = P_k(last | first k−1
    /// symbols of the k-gram g). Level k uses A^k doubles, so this is only feasible for small A^order.
    /// </summary>
    internal float[][] DenseLevels(int order)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, Order);
        var levels = new float[order][];
        float[] prev = [.. Enumerable.Repeat(1.0f / _a, _a)];
        for (int k = 1; k <= order; k++)
        {
            long size = NGramCounts.Pow(_a, k);
            var cur = new float[size];
            var cnt = _count[k];
            var ctxs = _context[k];
            for (long h = 0; h < size / _a; h++)
            {
                long lowBase = k == 1 ? 0 : (h % NGramCounts.Pow(_a, k - 2)) * _a;
                long baseKey = h * _a;
                if (ctxs.TryGetValue(h, out var st))
                {
                    double inv = 1.0 / st.Total;
                    float gamma = (float)st.Gamma;
                    for (int w = 0; w < _a; w++)
                    {
                        int c = cnt.GetValueOrDefault(baseKey + w);
                        double d = c == 0 ? 0 : _discount[k, Math.Min(c, 3)];
                        float lower = k == 1 ? prev[w] : prev[lowBase + w];
                        cur[baseKey + w] = (float)((Math.Max(c - d, 0) + gamma * lower) * inv);
                    }
                }
                else
                {
                    for (int w = 0; w < _a; w++)
                    {
                        cur[baseKey + w] = k == 1 ? prev[w] : prev[lowBase + w];
                    }
                }
            }
            levels[k - 1] = cur;
            prev = cur;
        }
        return levels;
    }
}
