using System.Text;

namespace Kolmo.Reporting;

/// <summary>How a line is drawn.</summary>
public enum LineStyle
{
    /// <summary>A solid line.</summary>
    Solid,

    /// <summary>A dashed line.</summary>
    Dashed,

    /// <summary>A dotted line.</summary>
    Dotted,

    /// <summary>No line: markers only.</summary>
    None,
}

/// <summary>Where a chart's legend goes: beside the data (right) or under it, never on top of it.</summary>
public enum LegendPlacement
{
    /// <summary>Right of the data area.</summary>
    Right,

    /// <summary>Below the data area.</summary>
    Bottom,

    /// <summary>No legend.</summary>
    None,
}

/// <summary>One named series of points, drawn as markers joined by a line.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">X coordinates.</param>
/// <param name="Y">Y coordinates, one per x.</param>
/// <param name="Style">Line style.</param>
/// <param name="Color">Palette index of its colour (null: the series' position).</param>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, LineStyle Style = LineStyle.Solid, int? Color = null);

/// <summary>A horizontal reference line (a baseline or a target) across the whole chart.</summary>
/// <param name="Y">Height of the line.</param>
/// <param name="Label">Legend text (none: not in the legend).</param>
/// <param name="Style">Line style.</param>
public sealed record ReferenceLine(double Y, string? Label, LineStyle Style = LineStyle.Dotted);

/// <summary>A tick on the x axis with its own text (categories, model names).</summary>
/// <param name="Position">X coordinate.</param>
/// <param name="Label">Text shown under the tick.</param>
public sealed record AxisTick(double Position, string Label);

/// <summary>A line chart: series of points, optional reference lines and named x ticks.</summary>
/// <param name="Title">Title above the chart.</param>
/// <param name="XLabel">X axis label.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Series">The series, drawn in order.</param>
public sealed record LineChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>Horizontal lines drawn across the chart.</summary>
    public IReadOnlyList<ReferenceLine> ReferenceLines { get; init; } = [];

    /// <summary>Named x ticks instead of numbers (null: automatic numeric ticks, integers only when every x is an integer).</summary>
    public IReadOnlyList<AxisTick>? XTicks { get; init; }

    /// <summary>Named y ticks instead of numbers (null: automatic, integers only when every y is an integer).</summary>
    public IReadOnlyList<AxisTick>? YTicks { get; init; }

    /// <summary>Fixed y range (null: fit the data).</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Where the legend goes.</summary>
    public LegendPlacement Legend { get; init; } = LegendPlacement.Right;

    /// <summary>Marker size in pixels.</summary>
    public float MarkerSize { get; init; } = 7;

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 550;
}

/// <summary>Grouped bars: one group per category, one bar per series in each group.</summary>
/// <param name="Title">Title above the chart.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Categories">Group names along the x axis.</param>
/// <param name="Series">Series names (legend), one colour each.</param>
/// <param name="Values">Values[series][category]; NaN leaves the bar out.</param>
public sealed record BarChart(string Title, string YLabel, IReadOnlyList<string> Categories, IReadOnlyList<string> Series, IReadOnlyList<IReadOnlyList<double>> Values)
{
    /// <summary>Where the legend goes.</summary>
    public LegendPlacement Legend { get; init; } = LegendPlacement.Right;

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 900;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 560;
}

/// <summary>Draws <see cref="LineChart"/> and <see cref="BarChart"/> records as PNG or SVG (ScottPlot), in <see cref="ChartStyle"/>.</summary>
public static class Charts
{
    /// <summary>Renders a line chart.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="svg">SVG text (UTF-8) instead of PNG.</param>
    /// <param name="scale">Pixel density: 2 draws the same chart at twice the resolution (for high-density screens).</param>
    /// <returns>PNG bytes or UTF-8 SVG bytes.</returns>
    public static byte[] Render(LineChart chart, bool svg = false, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var plot = new ScottPlot.Plot();
        bool legend = false;
        for (int i = 0; i < chart.Series.Count; i++)
        {
            var s = chart.Series[i];
            if (s.X.Count != s.Y.Count)
            {
                throw new ArgumentException($"series '{s.Label}' has {s.X.Count} x values and {s.Y.Count} y values", nameof(chart));
            }
            var sc = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray(), ChartStyle.Color(s.Color ?? i));
            sc.LegendText = s.Label;
            sc.MarkerSize = chart.MarkerSize;
            sc.LineWidth = s.Style == LineStyle.None ? 0 : 2;
            sc.LinePattern = Pattern(s.Style);
            legend |= s.Label.Length > 0;
        }
        foreach (var r in chart.ReferenceLines)
        {
            var h = plot.Add.HorizontalLine(r.Y, 1.5f, ScottPlot.Color.FromHex(ChartStyle.Grey), Pattern(r.Style));
            if (r.Label is not null)
            {
                h.LegendText = r.Label;
                legend = true;
            }
        }
        bool allX = chart.Series.Count > 0 && chart.Series.All(s => s.X.All(IsInteger));
        bool allY = chart.Series.Count > 0 && chart.Series.All(s => s.Y.All(IsInteger)) && chart.ReferenceLines.All(r => IsInteger(r.Y));
        plot.Axes.Bottom.TickGenerator = Ticks(chart.XTicks, allX);
        plot.Axes.Left.TickGenerator = Ticks(chart.YTicks, allY);
        if (chart.YRange is { } yr)
        {
            plot.Axes.SetLimitsY(yr.Min, yr.Max);
        }
        plot.Title(chart.Title);
        plot.XLabel(chart.XLabel);
        plot.YLabel(chart.YLabel);
        ShowLegend(plot, legend ? chart.Legend : LegendPlacement.None);
        return Render(plot, chart.Width, chart.Height, svg, scale);
    }

    /// <summary>Renders a grouped bar chart, with a line at zero.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="svg">SVG text (UTF-8) instead of PNG.</param>
    /// <param name="scale">Pixel density (2 = twice the resolution).</param>
    /// <returns>PNG bytes or UTF-8 SVG bytes.</returns>
    public static byte[] Render(BarChart chart, bool svg = false, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (chart.Values.Count != chart.Series.Count || chart.Values.Any(v => v.Count != chart.Categories.Count))
        {
            throw new ArgumentException("Values must hold one row per series and one value per category", nameof(chart));
        }
        var plot = new ScottPlot.Plot();
        int k = chart.Series.Count;
        var bars = new List<ScottPlot.Bar>();
        for (int c = 0; c < chart.Categories.Count; c++)
        {
            for (int s = 0; s < k; s++)
            {
                double v = chart.Values[s][c];
                if (double.IsFinite(v))
                {
                    bars.Add(new ScottPlot.Bar { Position = c * (k + 1) + s, Value = v, FillColor = ChartStyle.Color(s), LineWidth = 0 });
                }
            }
        }
        plot.Add.Bars(bars);
        for (int s = 0; s < k; s++)
        {
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = chart.Series[s], FillColor = ChartStyle.Color(s) });
        }
        double[] ticks = [.. Enumerable.Range(0, chart.Categories.Count).Select(c => c * (k + 1) + (k - 1) / 2.0)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, [.. chart.Categories]);
        plot.Axes.Left.TickGenerator = Ticks(null, chart.Values.All(v => v.All(x => !double.IsFinite(x) || IsInteger(x))));
        plot.Add.HorizontalLine(0, 1, ScottPlot.Colors.Black);
        plot.YLabel(chart.YLabel);
        plot.Title(chart.Title);
        ShowLegend(plot, k > 0 ? chart.Legend : LegendPlacement.None);
        return Render(plot, chart.Width, chart.Height, svg, scale);
    }

    /// <summary>Renders any ScottPlot plot in <see cref="ChartStyle"/> to PNG bytes or SVG (UTF-8) bytes.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="width">Width in pixels (at scale 1).</param>
    /// <param name="height">Height in pixels (at scale 1).</param>
    /// <param name="svg">SVG instead of PNG.</param>
    /// <param name="scale">Pixel density: the image is width·scale × height·scale pixels, everything drawn scale times larger.</param>
    /// <returns>The image bytes.</returns>
    public static byte[] Render(ScottPlot.Plot plot, int width, int height, bool svg, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 0.5);
        ChartStyle.Apply(plot);
        plot.ScaleFactor = scale;
        int w = (int)Math.Round(width * scale), h = (int)Math.Round(height * scale);
        return svg
            ? Encoding.UTF8.GetBytes(plot.GetSvgXml(w, h))
            : plot.GetImage(w, h).GetImageBytes(ScottPlot.ImageFormat.Png);
    }

    private static void ShowLegend(ScottPlot.Plot plot, LegendPlacement where)
    {
        switch (where)
        {
            case LegendPlacement.Right:
                plot.ShowLegend(ScottPlot.Edge.Right);
                break;
            case LegendPlacement.Bottom:
                plot.ShowLegend(ScottPlot.Edge.Bottom);
                break;
            default:
                plot.HideLegend();
                break;
        }
    }

    private static ScottPlot.ITickGenerator Ticks(IReadOnlyList<AxisTick>? manual, bool integers) => manual is not null
        ? new ScottPlot.TickGenerators.NumericManual([.. manual.Select(t => t.Position)], [.. manual.Select(t => t.Label)])
        : new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = integers };

    private static bool IsInteger(double v) => double.IsFinite(v) && v == Math.Round(v);

    private static ScottPlot.LinePattern Pattern(LineStyle s) => s switch
    {
        LineStyle.Dashed => ScottPlot.LinePattern.Dashed,
        LineStyle.Dotted => ScottPlot.LinePattern.Dotted,
        _ => ScottPlot.LinePattern.Solid,
    };
}
