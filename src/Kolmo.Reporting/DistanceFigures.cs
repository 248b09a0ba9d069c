using System.Globalization;
using System.Text;
using Kolmo.Learning;

namespace Kolmo.Reporting;

/// <summary>Pictures of distance matrices (heat maps) and trees (dendrograms), as PNG bytes or SVG text.</summary>
public static class DistanceFigures
{
    /// <summary>Heat map of <paramref name="m"/> with row/column labels and a colour bar (ScottPlot).</summary>
    /// <param name="m">The matrix.</param>
    /// <param name="title">Title above the picture.</param>
    /// <param name="svg">SVG text instead of PNG.</param>
    /// <returns>PNG bytes or UTF-8 SVG bytes.</returns>
    public static byte[] Heatmap(DistanceMatrix m, string title, bool svg)
    {
        ArgumentNullException.ThrowIfNull(m);
        int n = m.Count;
        var plot = new ScottPlot.Plot();
        var hm = plot.Add.Heatmap(m.ToArray());
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(hm);
        var pos = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var labels = m.Labels.ToArray();
        plot.Axes.Bottom.SetTicks(pos, labels);
        plot.Axes.Left.SetTicks([.. pos.Select(p => n - 1 - p)], labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 20 + 8 * labels.Max(l => l.Length);
        plot.Title(title);
        int size = Math.Clamp(200 + 16 * n, 500, 2400);
        return Charts.Render(plot, size + 120, size, svg);
    }

    /// <summary>
    /// Dendrogram (phylogram) of <paramref name="root"/>: leaves top to bottom, x = path length from the root, labels
    /// right of the leaves. Drawn with ScottPlot lines and text (PNG) or written directly as SVG.
    /// </summary>
    public static byte[] Dendrogram(TreeNode root, string title, bool svg)
    {
        ArgumentNullException.ThrowIfNull(root);
        var segs = new List<(double X1, double Y1, double X2, double Y2)>();
        var labels = new List<(string Text, double X, double Y)>();
        int next = 0;
        Layout(root, 0, segs, labels, ref next);
        int leaves = next;
        double maxX = Math.Max(1e-9, labels.Max(l => l.X));
        int longest = labels.Max(l => l.Text.Length);
        int height = Math.Max(300, 60 + 18 * leaves);
        int width = 900 + 7 * longest;
        if (svg)
        {
            return Encoding.UTF8.GetBytes(DendrogramSvg(segs, labels, maxX, title, width, height));
        }
        var plot = new ScottPlot.Plot();
        foreach (var (x1, y1, x2, y2) in segs)
        {
            var line = plot.Add.Line(x1, -y1, x2, -y2);
            line.LineWidth = 1.5f;
            line.Color = ScottPlot.Colors.Black;
        }
        foreach (var (t, x, y) in labels)
        {
            var txt = plot.Add.Text(" " + t, x, -y);
            txt.LabelFontSize = 12;
            txt.LabelAlignment = ScottPlot.Alignment.MiddleLeft;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.Axes.SetLimits(-0.02 * maxX, maxX * (1.05 + 0.012 * longest), -leaves, 1);
        plot.XLabel("distance from root");
        plot.Title(title);
        return Charts.Render(plot, width, height, svg: false);
    }

    private static double Layout(TreeNode n, double x, List<(double, double, double, double)> segs, List<(string, double, double)> labels, ref int next)
    {
        if (n.IsLeaf)
        {
            double yl = next++;
            labels.Add((n.Label!, x, yl));
            return yl;
        }
        var ys = new List<double>();
        foreach (var (c, len) in n.Children)
        {
            double yc = Layout(c, x + len, segs, labels, ref next);
            segs.Add((x, yc, x + len, yc));
            ys.Add(yc);
        }
        segs.Add((x, ys.Min(), x, ys.Max()));
        return (ys.Min() + ys.Max()) / 2;
    }

    private static string DendrogramSvg(List<(double X1, double Y1, double X2, double Y2)> segs, List<(string Text, double X, double Y)> labels, double maxX, string title, int width, int height)
    {
        const double left = 20, top = 40, rowH = 18;
        double plotW = width - left - 20 - 7 * labels.Max(l => l.Text.Length) - 20;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        double X(double x) => left + x / maxX * plotW;
        double Y(double y) => top + y * rowH;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"24\" font-family=\"sans-serif\" font-size=\"16\" text-anchor=\"middle\">{Escape(title)}</text>\n");
        sb.Append("<g stroke=\"black\" stroke-width=\"1.5\" fill=\"none\">\n");
        foreach (var (x1, y1, x2, y2) in segs)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(x1))}\" y1=\"{F(Y(y1))}\" x2=\"{F(X(x2))}\" y2=\"{F(Y(y2))}\"/>\n");
        }
        sb.Append("</g>\n<g font-family=\"sans-serif\" font-size=\"12\" dominant-baseline=\"middle\">\n");
        foreach (var (t, x, y) in labels)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(x) + 4)}\" y=\"{F(Y(y))}\">{Escape(t)}</text>\n");
        }
        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    private static string Escape(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
