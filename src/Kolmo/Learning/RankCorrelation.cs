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

    /// <summary>
    /// Percentile bootstrap interval of Spearman's ρ between per-point means, resampling the shared units
    /// (e.g. test images) with replacement: point p's x is the mean of <paramref name="x"/>[p][i] over the
    /// resampled units i, likewise y, and ρ is taken over the points. Every point uses the same resample, so
    /// the interval reflects how much ρ depends on which units were measured. Resamples where ρ is undefined
    /// (a side constant) are skipped.
    /// </summary>
    /// <param name="x">Per point, one value per unit (all points the same unit count).</param>
    /// <param name="y">Per point, one value per unit.</param>
    /// <param name="resamples">Bootstrap resamples (e.g. 1000).</param>
    /// <param name="level">Coverage of the interval (e.g. 0.95 → 2.5th and 97.5th percentiles).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <returns>(low, high); NaN when fewer than 2 points or no resample gives a defined ρ.</returns>
    /// <exception cref="ArgumentException">Point or unit counts differ.</exception>
    public static (double Low, double High) BootstrapSpearman(IReadOnlyList<double[]> x, IReadOnlyList<double[]> y, int resamples = 1000, double level = 0.95, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (level is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(level), "level must be in (0, 1).");
        }
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"{x.Count} x points but {y.Count} y points.", nameof(y));
        }
        int points = x.Count;
        if (points < 2)
        {
            return (double.NaN, double.NaN);
        }
        int units = x[0].Length;
        for (int p = 0; p < points; p++)
        {
            if (x[p].Length != units || y[p].Length != units)
            {
                throw new ArgumentException("every point needs the same number of units on both sides.", nameof(x));
            }
        }
        if (units == 0)
        {
            return (double.NaN, double.NaN);
        }
        var rng = new Xoshiro256(seed);
        var count = new int[units];
        var mx = new double[points];
        var my = new double[points];
        var rhos = new List<double>(resamples);
        for (int r = 0; r < resamples; r++)
        {
            Array.Clear(count);
            for (int i = 0; i < units; i++)
            {
                count[rng.Next(units)]++;
            }
            for (int p = 0; p < points; p++)
            {
                double sx = 0, sy = 0;
                var xp = x[p];
                var yp = y[p];
                for (int i = 0; i < units; i++)
                {
                    if (count[i] != 0)
                    {
                        sx += count[i] * xp[i];
                        sy += count[i] * yp[i];
                    }
                }
                mx[p] = sx / units;
                my[p] = sy / units;
            }
            double rho = Spearman(mx, my);
            if (!double.IsNaN(rho))
            {
                rhos.Add(rho);
            }
        }
        if (rhos.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        rhos.Sort();
        double tail = (1 - level) / 2;
        return (Quantile(rhos, tail), Quantile(rhos, 1 - tail));
    }

    /// <summary>The q-quantile of sorted values, linear interpolation between order statistics.</summary>
    private static double Quantile(List<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
