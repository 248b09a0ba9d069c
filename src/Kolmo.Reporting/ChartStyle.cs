namespace Kolmo.Reporting;

/// <summary>
/// The one look of every Kolmo figure: a sans-serif font, fixed sizes for title, labels and ticks, light grid lines,
/// a colour-blind-safe palette (Okabe &amp; Ito) in a fixed order, legends outside the data. <see cref="Charts.Render(ScottPlot.Plot, int, int, bool, double)"/>
/// applies it to every plot it renders; builders take colours from <see cref="Color"/>.
/// </summary>
public static class ChartStyle
{
    /// <summary>Series colours in order (Okabe &amp; Ito 2008, yellow last: it is pale on white).</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];

    /// <summary>Grey for reference lines and secondary marks.</summary>
    public const string Grey = "#6E6E6E";

    /// <summary>Font size of titles, axis labels and tick labels / legend, in pixels at scale 1.</summary>
    public const float TitleSize = 17, LabelSize = 15, TickSize = 13;

    private static readonly Lazy<string> Font = new(() =>
        string.Equals(ScottPlot.Fonts.GetTypeface("DejaVu Sans", false, false)?.FamilyName, "DejaVu Sans", StringComparison.Ordinal) ? "DejaVu Sans" : ScottPlot.Fonts.Sans);

    /// <summary>The font family used (DejaVu Sans when installed, else ScottPlot's sans-serif default).</summary>
    public static string FontName => Font.Value;

    /// <summary>Colour <paramref name="i"/> of the palette (cycling).</summary>
    public static ScottPlot.Color Color(int i) => ScottPlot.Color.FromHex(Palette[((i % Palette.Count) + Palette.Count) % Palette.Count]);

    /// <summary>Applies fonts, sizes, frame and grid colours to <paramref name="plot"/> (call after adding its content).</summary>
    public static void Apply(ScottPlot.Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Font.Set(FontName);
        plot.Axes.Title.Label.FontSize = TitleSize;
        plot.Axes.Title.Label.Bold = true;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontSize = LabelSize;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = TickSize;
            axis.TickLabelStyle.ForeColor = ScottPlot.Color.FromHex("#333333");
            axis.FrameLineStyle.Color = ScottPlot.Color.FromHex("#999999");
            axis.MajorTickStyle.Color = ScottPlot.Color.FromHex("#999999");
            axis.MinorTickStyle.Length = 0;
        }
        plot.Grid.MajorLineColor = ScottPlot.Color.FromHex("#E6E6E6");
        plot.Legend.FontSize = TickSize;
        plot.Legend.FontName = FontName;
        plot.Legend.OutlineColor = ScottPlot.Color.FromHex("#CCCCCC");
        plot.Legend.ShadowColor = ScottPlot.Colors.Transparent;
    }
}
