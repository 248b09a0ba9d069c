using Kolmo.Learning;

namespace Kolmo.Reporting;

/// <summary>Pictures of distance matrices (heat maps) and trees (dendrograms), as PNG bytes or SVG text, in <see cref="ChartStyle"/>.</summary>
public static class DistanceFigures
{
    /// <summary>
    /// Heat map of <paramref name="m"/>: rows and columns in the leaf order of <paramref name="order"/> (default: the
    /// UPGMA tree of <paramref name="m"/>), so clusters show as blocks; the colour scale spans the off-diagonal values
    /// (the diagonal, NCD(x, x), is drawn grey and left out of the scale, where it would squash every other colour).
    /// </summary>
    /// <param name="m">The matrix.</param>
    /// <param name="title">Title above the picture.</param>
    /// <param name="svg">SVG text instead of PNG.</param>
    /// <param name="order">Tree whose leaf order sets the row order (its leaves must be the matrix labels).</param>
    /// <param name="displayNames">Label shown for each matrix label (default: the label itself).</param>
    /// <param name="scale">Pixel density (2 = twice the resolution).</param>
    /// <returns>PNG bytes or UTF-8 SVG bytes.</returns>
    /// <exception cref="ArgumentException">The tree's leaves are not the matrix labels.</exception>
    public static byte[] Heatmap(DistanceMatrix m, string title, bool svg, TreeNode? order = null, IReadOnlyDictionary<string, string>? displayNames = null, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(m);
        int n = m.Count;
        int[] idx = RowOrder(m, order);
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                values[r, c] = r == c ? double.NaN : m[idx[r], idx[c]];
            }
        }
        var (lo, hi) = ColourRange(m);
        var plot = new ScottPlot.Plot();
        var hm = plot.Add.Heatmap(values);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.ManualRange = new ScottPlot.Range(lo, hi);
        hm.NaNCellColor = ScottPlot.Color.FromHex("#D9D9D9");
        var bar = plot.Add.ColorBar(hm);
        bar.Label = "NCD";
        string[] labels = [.. idx.Select(i => displayNames?.GetValueOrDefault(m.Labels[i]) ?? m.Labels[i])];
        double[] pos = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(pos, labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. pos.Select(p => n - 1 - p)], labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        int longest = labels.Length == 0 ? 1 : labels.Max(l => l.Length);
        plot.Axes.Bottom.MinimumSize = 16 + 8 * longest;
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Grid.IsVisible = false;
        plot.Title(title);
        int cell = n <= 30 ? 24 : Math.Max(12, 720 / n);
        int side = Math.Max(320, cell * n);
        return Charts.Render(plot, side + 8 * longest + 230, side + 8 * longest + 70, svg, scale);
    }

    /// <summary>
    /// Dendrogram (phylogram) of <paramref name="root"/>: the root on the left, leaves on the right at their distance
    /// from the root (x), using the whole width; leaf labels line up on the right, joined to short leaves by dotted
    /// leaders; with <paramref name="groups"/>, each leaf gets a coloured mark for its group and a legend below.
    /// </summary>
    /// <param name="root">The tree.</param>
    /// <param name="title">Title above the picture.</param>
    /// <param name="svg">SVG text instead of PNG.</param>
    /// <param name="groups">Group of each leaf label (e.g. language family), optional.</param>
    /// <param name="displayNames">Label shown for each leaf label (default: the label).</param>
    /// <param name="scale">Pixel density (2 = twice the resolution).</param>
    /// <returns>PNG bytes or UTF-8 SVG bytes.</returns>
    public static byte[] Dendrogram(TreeNode root, string title, bool svg, IReadOnlyDictionary<string, string>? groups = null,
        IReadOnlyDictionary<string, string>? displayNames = null, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(root);
        var segs = new List<(double X1, double Y1, double X2, double Y2)>();
        var leaves = new List<(string Label, double X, double Y)>();
        int next = 0;
        Layout(root, 0, segs, leaves, ref next);
        int count = next;
        double maxX = Math.Max(1e-9, leaves.Max(l => l.X));
        var plot = new ScottPlot.Plot();
        foreach (var (x1, y1, x2, y2) in segs)
        {
            var line = plot.Add.Line(x1, -y1, x2, -y2);
            line.LineWidth = 1.6f;
            line.Color = ScottPlot.Color.FromHex("#333333");
        }
        foreach (var (_, x, y) in leaves.Where(l => l.X < maxX * 0.999))
        {
            var lead = plot.Add.Line(x, -y, maxX, -y);
            lead.LineWidth = 1;
            lead.LinePattern = ScottPlot.LinePattern.Dotted;
            lead.Color = ScottPlot.Color.FromHex("#AAAAAA");
        }
        if (groups is not null)
        {
            var names = leaves.Select(l => groups.GetValueOrDefault(l.Label, "?")).Distinct().ToList();
            for (int g = 0; g < names.Count; g++)
            {
                var at = leaves.Where(l => groups.GetValueOrDefault(l.Label, "?") == names[g]).ToArray();
                double[] mx = [.. at.Select(_ => maxX)], my = [.. at.Select(l => -l.Y)];
                var marks = plot.Add.ScatterPoints(mx, my, ChartStyle.Color(g));
                marks.MarkerShape = ScottPlot.MarkerShape.FilledSquare;
                marks.MarkerSize = 9;
                marks.LegendText = names[g];
            }
            plot.ShowLegend(ScottPlot.Edge.Bottom);
        }
        string[] labels = [.. leaves.Select(l => displayNames?.GetValueOrDefault(l.Label) ?? l.Label)];
        plot.Axes.Right.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. leaves.Select(l => -l.Y)], labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.Axes.Left.MinimumSize = 8;
        plot.Axes.SetLimitsX(-0.01 * maxX, maxX * 1.01);
        plot.Axes.SetLimitsY(-count + 0.4, 0.6);
        plot.Axes.SetLimitsY(-count + 0.4, 0.6, plot.Axes.Right);
        plot.Grid.YAxisStyle.IsVisible = false;
        plot.XLabel("distance from the root");
        plot.Title(title);
        int longest = labels.Length == 0 ? 1 : labels.Max(l => l.Length);
        int height = Math.Max(320, 90 + 22 * count + (groups is null ? 0 : 60));
        return Charts.Render(plot, 760 + 8 * longest, height, svg, scale);
    }

    /// <summary>
    /// Row (and column) order of a heat map: the leaf order of <paramref name="tree"/> (default: the UPGMA tree of
    /// <paramref name="m"/>) as matrix indices.
    /// </summary>
    /// <exception cref="ArgumentException">The tree's leaves are not exactly the matrix labels.</exception>
    public static int[] RowOrder(DistanceMatrix m, TreeNode? tree)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Count < 3 && tree is null)
        {
            return [.. Enumerable.Range(0, m.Count)];
        }
        var leaves = (tree ?? Clustering.Upgma(m)).Leaves().ToArray();
        var index = m.Labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        if (leaves.Length != m.Count || leaves.Any(l => !index.ContainsKey(l)) || leaves.Distinct(StringComparer.Ordinal).Count() != leaves.Length)
        {
            throw new ArgumentException("the tree's leaves must be exactly the matrix labels", nameof(tree));
        }
        return [.. leaves.Select(l => index[l])];
    }

    /// <summary>The colour scale of a heat map: the smallest and largest off-diagonal value (a unit range around a constant matrix).</summary>
    public static (double Min, double Max) ColourRange(DistanceMatrix m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < m.Count; i++)
        {
            for (int j = 0; j < m.Count; j++)
            {
                if (i != j)
                {
                    lo = Math.Min(lo, m[i, j]);
                    hi = Math.Max(hi, m[i, j]);
                }
            }
        }
        if (double.IsInfinity(lo))
        {
            return (0, 1);
        }
        return hi > lo ? (lo, hi) : (lo - 0.5, lo + 0.5);
    }

    private static double Layout(TreeNode n, double x, List<(double, double, double, double)> segs, List<(string, double, double)> leaves, ref int next)
    {
        if (n.IsLeaf)
        {
            double yl = next++;
            leaves.Add((n.Label!, x, yl));
            return yl;
        }
        var ys = new List<double>();
        foreach (var (c, len) in n.Children)
        {
            double yc = Layout(c, x + Math.Max(0, len), segs, leaves, ref next);
            segs.Add((x, yc, x + Math.Max(0, len), yc));
            ys.Add(yc);
        }
        segs.Add((x, ys.Min(), x, ys.Max()));
        return (ys.Min() + ys.Max()) / 2;
    }
}
