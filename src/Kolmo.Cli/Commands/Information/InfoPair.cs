using System.ComponentModel;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Information;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.Information;

/// <summary>Settings of <c>kolmo info X Y</c> (two-file information report).</summary>
public sealed class InfoPairOptions : CommandSettings
{
    /// <summary>First input.</summary>
    [CommandArgument(0, "<X>")]
    [Description("First file")]
    public string X { get; set; } = "";

    /// <summary>Second input.</summary>
    [CommandArgument(1, "<Y>")]
    [Description("Second file")]
    public string Y { get; set; } = "";

    /// <summary>Compressors to measure.</summary>
    [CommandOption("-c|--compressors <LIST>")]
    [Description("Comma-separated compressors (deflate, gzip, brotli, zstd-19, zstd-22-long, lzma, bzip2, ordermix, order3, cm) or 'all'")]
    [DefaultValue("all")]
    public string Compressors { get; set; } = "all";

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Print JSON: {\"compressors\":[{name, bitsX, bitsY, bitsXY, bitsYGivenX, bitsXGivenY, miJoint, miConditional, ncd, regret}], \"best\"}")]
    public bool Json { get; set; }
}

/// <summary>
/// The two-file information report: for every compressor C(X), C(Y), C(XY), C(Y|X), C(X|Y) (bits), mutual information
/// by the joint gap and by conditioning, NCD, and regret = C(XY) − the best compressor's C(XY).
/// </summary>
public static class InfoPair
{
    /// <summary>Runs the report; returns the exit code. Warnings go to <paramref name="stderr"/>.</summary>
    public static int Run(InfoPairOptions o, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var x = InfoCli.ReadFile(o.X);
        var y = InfoCli.ReadFile(o.Y);
        var panel = InfoCli.Compressors(o.Compressors);
        foreach (var c in panel)
        {
            if (c.WindowBytes is long w && x.Length + y.Length > w)
            {
                string what = x.Length > w ? $"{o.X} ({x.Length} bytes) exceeds" : y.Length > w ? $"{o.Y} ({y.Length} bytes) exceeds" : $"X and Y together ({x.Length + y.Length} bytes) exceed";
                stderr.WriteLine($"kolmo: warning: {what} {c.Name}'s {(c.Name == "bzip2" ? "block" : "window")} of {w} bytes: it cannot see X while coding Y, so C(Y|X) and NCD may be overestimated (NCD(x,x) drifts from 0 once an input nears the window)");
            }
        }
        var infos = new PairInfo[panel.Count];
        Parallel.For(0, panel.Count, i => infos[i] = PairInfo.Measure(panel[i], x, y));
        var regret = Measures.Regret([.. infos.Select(p => p.BitsXY)]);
        int best = Array.IndexOf(regret, 0.0);
        if (o.Json)
        {
            var pairRows = infos.Select((p, i) => new PairRow(p.Name, p.BitsX, p.BitsY, p.BitsXY, p.BitsYGivenX, p.BitsXGivenY, p.MiJoint, p.MiConditional, p.Ncd, regret[i])).ToArray();
            stdout.WriteLine(CliJson.Serialize(new PairReport(pairRows, infos[best].Name), c => c.PairReport, indented: false));
            return CliErrors.Ok;
        }
        stdout.WriteLine($"X = {o.X} ({x.Length} bytes), Y = {o.Y} ({y.Length} bytes); code lengths in bits");
        var rows = infos.Select((p, i) => (IReadOnlyList<string>)
        [
            p.Name, InfoCli.F(p.BitsX), InfoCli.F(p.BitsY), InfoCli.F(p.BitsXY), InfoCli.F(p.BitsYGivenX), InfoCli.F(p.BitsXGivenY),
            InfoCli.F(p.MiJoint), InfoCli.F(p.MiConditional), InfoCli.F(p.Ncd, "F4"), InfoCli.F(regret[i]),
        ]).ToList();
        stdout.Write(InfoCli.Table(["compressor", "C(X)", "C(Y)", "C(XY)", "C(Y|X)", "C(X|Y)", "MI joint", "MI cond", "NCD", "regret"], rows));
        var kb = Measures.KolmogorovUpperBound(panel, x);
        stdout.WriteLine($"best: {infos[best].Name} (smallest C(XY)); K(X) <= {InfoCli.F(kb.TotalBits, "F0")} bits via {kb.Compressor} (C(X) + 8*|decompressor| of {kb.DecompressorBytes} bytes)");
        return CliErrors.Ok;
    }
}

/// <summary>What <c>kolmo info X Y --json</c> prints: one row per compressor and the one with the shortest C(XY).</summary>
/// <param name="Compressors">The rows.</param>
/// <param name="Best">Name of the compressor with the smallest C(XY) (regret 0).</param>
public sealed record PairReport(IReadOnlyList<PairRow> Compressors, string Best);

/// <summary>Code lengths (bits) and measures of one compressor on X and Y.</summary>
/// <param name="Name">Compressor.</param>
/// <param name="BitsX">C(X).</param>
/// <param name="BitsY">C(Y).</param>
/// <param name="BitsXY">C(X, Y).</param>
/// <param name="BitsYGivenX">C(Y | X).</param>
/// <param name="BitsXGivenY">C(X | Y).</param>
/// <param name="MiJoint">C(X) + C(Y) − C(X, Y).</param>
/// <param name="MiConditional">C(Y) − C(Y | X).</param>
/// <param name="Ncd">Normalised compression distance.</param>
/// <param name="Regret">C(X, Y) minus the best compressor's.</param>
public sealed record PairRow(string Name, double BitsX, double BitsY, double BitsXY, double BitsYGivenX, double BitsXGivenY, double MiJoint, double MiConditional, double Ncd, double Regret);
