using System.Text;
using Kolmo.Reporting;

namespace Kolmo.Tests.Reporting;

public class ChartsTests
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    [Fact]
    public void LineChart_RendersPngAndSvgWithItsText()
    {
        var chart = new LineChart("bits vs size", "model", "KiB", [new ChartSeries("prequential", [0, 1, 2], [3.5, 2.5, 2.0])])
        {
            ReferenceLines = [new ReferenceLine(2.2, "target")],
            XTicks = [new AxisTick(0, "h8"), new AxisTick(1, "h16"), new AxisTick(2, "h32")],
        };
        Assert.Equal(PngMagic, Charts.Render(chart)[..4]);
        string svg = Encoding.UTF8.GetString(Charts.Render(chart, svg: true));
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("bits vs size", svg, StringComparison.Ordinal);
        Assert.Contains("h16", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void LineChart_SeriesOfUnequalLength_Throws()
    {
        var chart = new LineChart("t", "x", "y", [new ChartSeries("s", [0, 1], [1])]);
        Assert.Throws<ArgumentException>(() => Charts.Render(chart));
    }

    [Fact]
    public void BarChart_RendersAndChecksItsShape()
    {
        var ok = new BarChart("saved", "%", ["a", "b"], ["cm", "nn"], [[1.0, 2.0], [3.0, double.NaN]]);
        Assert.Equal(PngMagic, Charts.Render(ok)[..4]);
        var bad = new BarChart("saved", "%", ["a", "b"], ["cm", "nn"], [[1.0, 2.0]]);
        Assert.Throws<ArgumentException>(() => Charts.Render(bad));
    }

    [Fact]
    public void Library_HasNoPlottingOrNativeDependency()
    {
        var names = typeof(Kolmo.Coding.Probability).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
        Assert.DoesNotContain(names, n => n.StartsWith("ScottPlot", StringComparison.Ordinal) || n.StartsWith("SkiaSharp", StringComparison.Ordinal) || n.StartsWith("HarfBuzz", StringComparison.Ordinal));
        Assert.Contains("ScottPlot", typeof(Charts).Assembly.GetReferencedAssemblies().Select(a => a.Name));
    }
}
