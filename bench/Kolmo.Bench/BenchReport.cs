using System.Text;
using Kolmo.Compression;

namespace Kolmo.Bench;

/// <summary>Writing of the dated markdown + TSV tables that the compression suites share.</summary>
internal static class BenchReport
{
    /// <summary>Corpus folders the compression suites read when none are given (relative to the repository root).</summary>
    public static readonly string[] DefaultCorpora = ["../shared/data/corpora/calgary", "../shared/data/corpora/canterbury"];

    /// <summary>Appends <paramref name="rows"/> and their totals to <paramref name="tsv"/>, each line prefixed by the corpus name; the column header is written once.</summary>
    public static void AppendTsv(StringBuilder tsv, string corpus, IReadOnlyList<BenchRow> rows)
    {
        var lines = BenchRunner.ToTsv([.. rows, .. BenchRunner.Totals(rows)]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (tsv.Length == 0)
        {
            tsv.AppendLine("corpus\t" + lines[0]);
        }
        foreach (var l in lines.Skip(1))
        {
            tsv.AppendLine(corpus + "\t" + l);
        }
    }

    /// <summary>Writes <c>OUTDIR/STEM.md</c> and <c>OUTDIR/STEM.tsv</c> (machine, runtime and commit in the TSV's first line) and echoes the markdown.</summary>
    public static void Write(string outDir, string stem, string date, (string Cpu, string Runtime, string Commit) env, StringBuilder md, StringBuilder tsv)
    {
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, stem);
        File.WriteAllText(path + ".md", md.ToString());
        File.WriteAllText(path + ".tsv", $"# date={date}\tcpu={env.Cpu}\truntime={env.Runtime}\tcommit={env.Commit}\n" + tsv);
        Console.WriteLine(md.ToString());
        Console.Error.WriteLine($"wrote {path}.md and {path}.tsv");
    }
}
