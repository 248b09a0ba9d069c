using Kolmo.Compression.Neural;

namespace Kolmo.Reporting;

/// <summary>Charts of the MDL and transfer experiments (code lengths as a model grows; bits saved by a prior).</summary>
public static class DescriptionLengthFigures
{
    /// <summary>Uniform, two-part (and its weight part) and prequential code lengths, one point per model size.</summary>
    /// <param name="reports">One report per model size, smallest first.</param>
    /// <param name="dataName">Name of the data, for the title.</param>
    /// <returns>The chart.</returns>
    public static LineChart Mdl(IReadOnlyList<MdlReport> reports, string dataName)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentOutOfRangeException.ThrowIfZero(reports.Count);
        double[] xs = [.. Enumerable.Range(0, reports.Count).Select(i => (double)i)];
        static double KiB(double bits) => bits / 8 / 1024;
        return new LineChart($"Description length of {dataName} ({reports[0].Symbols:N0} bytes)", "", "code length (KiB)",
        [
            new ChartSeries("uniform", xs, [.. reports.Select(r => KiB(r.UniformBits))]),
            new ChartSeries("two-part (weights + data)", xs, [.. reports.Select(r => KiB(r.TwoPart.TotalBits))]),
            new ChartSeries("  of which weights", xs, [.. reports.Select(r => KiB(r.TwoPart.WeightBits))], LineStyle.Dashed),
            new ChartSeries("prequential (online)", xs, [.. reports.Select(r => KiB(r.PrequentialBits))]),
        ])
        {
            XTicks = [.. reports.Select((r, i) => new AxisTick(i, $"{r.Spec}\n{r.Parameters:N0} params"))],
            Width = 900,
            Height = 560,
        };
    }

    /// <summary>Bits saved on the target by each source, as a percentage of C(Y), one bar per model.</summary>
    /// <param name="rows">Transfer results (any order).</param>
    /// <param name="targetName">Name of the target, for the title.</param>
    /// <returns>The chart.</returns>
    public static BarChart Transfer(IReadOnlyList<TransferResult> rows, string targetName)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var models = rows.Select(r => r.Model).Distinct().ToList();
        var sources = rows.Select(r => r.Source).Distinct().ToList();
        var values = models.Select(m => (IReadOnlyList<double>)[.. sources.Select(s =>
            rows.FirstOrDefault(x => x.Source == s && x.Model == m) is { } r ? 100 * r.SavedFraction : double.NaN)]).ToList();
        return new BarChart($"Transfer: C(Y) − C(Y|X), Y = {targetName}", "bits saved on target (% of C(Y))", [.. sources.Select(ShortName)], models, values);
    }

    /// <summary>A short label for a source: "moby-dick_pg2701.txt" → "moby-dick"; "random:N" as is.</summary>
    private static string ShortName(string name)
    {
        if (name.StartsWith("random:", StringComparison.Ordinal))
        {
            return name;
        }
        string n = Path.GetFileNameWithoutExtension(name);
        int pg = n.IndexOf("_pg", StringComparison.Ordinal);
        return pg > 0 ? n[..pg] : n;
    }
}
