namespace Kolmo.Learning;

/// <summary>Rank statistics: average ranks with ties, and Spearman's rank correlation.</summary>
public static class RankCorrelation
{
    /// <summary>
    /// Ranks 1..n of <paramref name="values"/>; tied values share the mean of the ranks they span
    /// (e.g. [10, 20, 20, 30] → [1, 2.5, 2.5, 4]).
    /// </summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var v = values.ToArray();
        Array.Sort(order, (a, b) => v[a] != v[b] ? v[a].CompareTo(v[b]) : a.CompareTo(b));
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]])
            {
                j++;
            }
            double r = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++)
            {
                ranks[order[t]] = r;
            }
            i = j + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Spearman's ρ: the Pearson correlation of the average ranks (correct with ties). NaN when either
    /// side is constant or there are fewer than 2 pairs.
    /// </summary>
    /// <exception cref="ArgumentException">The two sides differ in length, or contain NaN.</exception>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"{x.Length} x values but {y.Length} y values.", nameof(y));
        }
        foreach (double v in x)
        {
            if (double.IsNaN(v))
            {
                throw new ArgumentException("x contains NaN.", nameof(x));
            }
        }
        foreach (double v in y)
        {
            if (double.IsNaN(v))
            {
                throw new ArgumentException("y contains NaN.", nameof(y));
            }
        }
        if (x.Length < 2)
        {
            return double.NaN;
        }
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Pearson's correlation coefficient; NaN when either side has zero variance.</summary>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"{x.Length} x values but {y.Length} y values.", nameof(y));
        }
        int n = x.Length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++)
        {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}
