using Kolmo.Information;
using Kolmo.Learning;

namespace Kolmo.Experiments;

/// <summary>Settings of the joint-and-conditional-compression chapter.</summary>
public sealed record SharedInformationOptions
{
    /// <summary>Compressors and models (names of <see cref="CodeLengthPanel"/>).</summary>
    public IReadOnlyList<string> Compressors { get; init; } = ["gzip", "bzip2", "zstd-19", "lzma", "order3", "ordermix", "cm"];

    /// <summary>English book for the "two parts of one book" pair.</summary>
    public string Book { get; init; } = "pride-and-prejudice_pg1342.txt";

    /// <summary>Where the book pair starts.</summary>
    public string StartMarker { get; init; } = "It is a truth universally acknowledged";

    /// <summary>Bytes of each part of the book pair (X = the first part, Y = the next).</summary>
    public int BookPartBytes { get; init; } = 20_000;
}

/// <summary>Every code length of one pair under one compressor, in bits.</summary>
/// <param name="Compressor">Compressor or model name.</param>
/// <param name="BitsX">C(X).</param>
/// <param name="BitsY">C(Y).</param>
/// <param name="BitsXY">C(X, Y): X then Y in one stream.</param>
/// <param name="BitsYGivenX">C(Y | X): by priming for adaptive models (learn X without coding it, then code Y), by C(XY) − C(X) otherwise.</param>
/// <param name="BitsXGivenY">C(X | Y), the same way.</param>
/// <param name="ByPriming">True when C(Y | X) was measured by priming, independently of C(X, Y).</param>
public sealed record PairCodeLengths(string Compressor, double BitsX, double BitsY, double BitsXY, double BitsYGivenX, double BitsXGivenY, bool ByPriming)
{
    /// <summary>C(X) + C(Y) − C(X, Y): bits saved by compressing the two together.</summary>
    public double SharedBits => BitsX + BitsY - BitsXY;

    /// <summary>C(Y) − C(Y | X): bits knowing X saves on Y.</summary>
    public double ConditionalSavedBits => BitsY - BitsYGivenX;

    /// <summary>NCD(X, Y).</summary>
    public double Ncd => Measures.Ncd(BitsX, BitsY, BitsXY);
}

/// <summary>One pair (X, Y) measured by every compressor.</summary>
/// <param name="Name">What the pair is.</param>
/// <param name="Related">Whether X and Y share structure (translations, two parts of a book) or not (text and random bytes).</param>
/// <param name="X">Name of X.</param>
/// <param name="Y">Name of Y.</param>
/// <param name="XBytes">Bytes of X.</param>
/// <param name="YBytes">Bytes of Y.</param>
/// <param name="Measures">Code lengths per compressor, weakest compressor first.</param>
/// <param name="StrengthCorrelation">Spearman correlation between compressor strength and the shared bits C(X) + C(Y) − C(X, Y) over the compressors (1 = the gap grows with strength).</param>
public sealed record PairResult(string Name, bool Related, string X, string Y, long XBytes, long YBytes, IReadOnlyList<PairCodeLengths> Measures, double StrengthCorrelation);

/// <summary>A compressor's strength: bits per byte over all inputs compressed one at a time.</summary>
/// <param name="Compressor">Name.</param>
/// <param name="BitsPerByte">Σ C(input) × 1 / Σ bytes over every X and Y of the chapter.</param>
public sealed record CompressorStrength(string Compressor, double BitsPerByte);

/// <summary>Joint versus separate and conditional compression, for related and unrelated pairs, compressors weakest first.</summary>
/// <param name="Strength">The compressors, weakest (most bits per byte) first.</param>
/// <param name="Pairs">The pairs.</param>
/// <param name="Cost">Time spent.</param>
public sealed record SharedInformationResult(IReadOnlyList<CompressorStrength> Strength, IReadOnlyList<PairResult> Pairs, ChapterCost Cost);

/// <summary>
/// Chapter "joint vs separate and conditional compression": C(X) + C(Y) − C(X, Y) and C(Y | X) for related pairs (two
/// translations, two parts of one book) and an unrelated one (text and random bytes), under compressors of increasing
/// strength.
/// </summary>
public static class SharedInformationChapter
{
    /// <summary>Runs the chapter.</summary>
    public static SharedInformationResult Run(SharedInformationOptions o, ulong seed, int threads, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        var (result, cost) = ChapterCost.Measure(() =>
        {
            byte[] book = TourData.Book(o.Book, o.StartMarker, 0, 2 * o.BookPartBytes);
            byte[] eng = TourData.Udhr("eng");
            var inputs = new (string Name, bool Related, string X, string Y, byte[] XData, byte[] YData)[]
            {
                ("translations: Danish and Norwegian (UDHR)", true, "udhr/dan.txt", "udhr/nob.txt", TourData.Udhr("dan"), TourData.Udhr("nob")),
                ("two parts of one book", true, $"{o.Book} part 1", $"{o.Book} part 2", book[..o.BookPartBytes], book[o.BookPartBytes..]),
                ("unrelated: English text and random bytes", false, "udhr/eng.txt", $"random bytes (seed {seed})", eng, TourData.RandomBytes(eng.Length, seed)),
            };
            var panel = CodeLengthPanel.Create(o.Compressors);
            var measured = new PairCodeLengths[inputs.Length][];
            int done = 0, total = inputs.Length * panel.Count;
            var opts = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
            for (int p = 0; p < inputs.Length; p++)
            {
                var (name, _, _, _, x, y) = inputs[p];
                var row = new PairCodeLengths[panel.Count];
                Parallel.For(0, panel.Count, opts, c =>
                {
                    var info = PairInfo.Measure(panel[c], x, y);
                    row[c] = new PairCodeLengths(panel[c].Name, info.BitsX, info.BitsY, info.BitsXY, info.BitsYGivenX, info.BitsXGivenY, panel[c] is ModelCodeLength);
                    progress.Step(0, 1, Interlocked.Increment(ref done), total, $"{name}: {panel[c].Name}");
                });
                measured[p] = row;
            }
            long bytes = inputs.Sum(i => (long)i.XData.Length + i.YData.Length);
            var strength = panel.Select((c, k) => new CompressorStrength(c.Name, measured.Sum(r => r[k].BitsX + r[k].BitsY) / bytes))
                .OrderByDescending(s => s.BitsPerByte).ToArray();
            var order = strength.Select(s => s.Compressor).ToList();
            double[] strengthScore = [.. strength.Select(s => -s.BitsPerByte)];
            var pairs = inputs.Select((inp, p) =>
            {
                var rows = measured[p].OrderBy(r => order.IndexOf(r.Compressor)).ToArray();
                double rho = rows.Length >= 2 ? RankCorrelation.Spearman(strengthScore, [.. rows.Select(r => r.SharedBits)]) : double.NaN;
                return new PairResult(inp.Name, inp.Related, inp.X, inp.Y, inp.XData.Length, inp.YData.Length, rows, rho);
            }).ToArray();
            progress.Report(1, "done");
            return new SharedInformationResult(strength, pairs, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }
}
