using Kolmo.Information;

namespace Kolmo.Experiments;

/// <summary>Settings of the Kolmogorov-upper-bound chapter.</summary>
public sealed record KolmogorovOptions
{
    /// <summary>Compressors and models (names of <see cref="CodeLengthPanel"/>).</summary>
    public IReadOnlyList<string> Compressors { get; init; } = ["gzip", "bzip2", "brotli", "zstd-19", "lzma", "order3", "cm"];

    /// <summary>Prefix lengths of the text, in bytes, smallest first.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [1_000, 4_000, 16_000, 64_000, 256_000];

    /// <summary>English book the prefixes are taken from.</summary>
    public string Book { get; init; } = "pride-and-prejudice_pg1342.txt";

    /// <summary>Where the text starts.</summary>
    public string StartMarker { get; init; } = "It is a truth universally acknowledged";
}

/// <summary>One compressor's bound at every size.</summary>
/// <param name="Compressor">Name.</param>
/// <param name="DecompressorBytes">|D|: the deflate-compressed size of the files that implement its decoder, as loaded in this run.</param>
/// <param name="CompressedBits">C(x) in bits at each size of <see cref="KolmogorovResult.Sizes"/>.</param>
public sealed record KolmogorovRow(string Compressor, long DecompressorBytes, IReadOnlyList<double> CompressedBits)
{
    /// <summary>The upper bound K(x) ≤ C(x) + 8·|D| at size index <paramref name="i"/>, in bits.</summary>
    public double BoundBits(int i) => CompressedBits[i] + 8.0 * DecompressorBytes;
}

/// <summary>The tightest bound at one size.</summary>
/// <param name="Bytes">Size of x.</param>
/// <param name="Compressor">The compressor that gives it.</param>
/// <param name="BoundBits">C(x) + 8·|D| in bits.</param>
/// <param name="SmallestCompressor">The compressor with the smallest C(x) alone (ignoring |D|).</param>
public sealed record KolmogorovBest(long Bytes, string Compressor, double BoundBits, string SmallestCompressor);

/// <summary>Kolmogorov upper bounds K(x) ≤ C(x) + |D| for prefixes of a text, with each decompressor's size.</summary>
/// <param name="Source">Description of the text.</param>
/// <param name="Sizes">Prefix lengths in bytes.</param>
/// <param name="Rows">One row per compressor.</param>
/// <param name="Best">The tightest bound at each size.</param>
/// <param name="Cost">Time spent.</param>
public sealed record KolmogorovResult(string Source, IReadOnlyList<int> Sizes, IReadOnlyList<KolmogorovRow> Rows, IReadOnlyList<KolmogorovBest> Best, ChapterCost Cost);

/// <summary>
/// Chapter "Kolmogorov upper bounds": every compressor gives K(x) ≤ C(x) + 8·|D| bits; on short inputs the size of the
/// decompressor dominates (the adjusted compression rate of Delétang et al.), on long ones the compressed size does.
/// </summary>
public static class KolmogorovChapter
{
    /// <summary>Runs the chapter.</summary>
    public static KolmogorovResult Run(KolmogorovOptions o, int threads, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        if (o.Sizes.Count == 0 || o.Sizes.Any(s => s <= 0))
        {
            throw new ArgumentException("sizes must be positive", nameof(o));
        }
        var (result, cost) = ChapterCost.Measure(() =>
        {
            byte[] text = TourData.Book(o.Book, o.StartMarker, 0, o.Sizes.Max());
            var panel = CodeLengthPanel.Create(o.Compressors);
            var bits = new double[panel.Count][];
            var jobs = (from c in Enumerable.Range(0, panel.Count) from s in Enumerable.Range(0, o.Sizes.Count) select (c, s)).ToArray();
            for (int c = 0; c < panel.Count; c++)
            {
                bits[c] = new double[o.Sizes.Count];
            }
            int done = 0;
            Parallel.ForEach(jobs.OrderByDescending(j => o.Sizes[j.s]), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, j =>
            {
                bits[j.c][j.s] = panel[j.c].Bits(text.AsSpan(0, o.Sizes[j.s]));
                progress.Step(0, 1, Interlocked.Increment(ref done), jobs.Length, $"{panel[j.c].Name}, {o.Sizes[j.s]:N0} bytes");
            });
            var rows = panel.Select((c, k) => new KolmogorovRow(c.Name, c.DecompressorBytes, bits[k])).ToArray();
            var best = o.Sizes.Select((size, i) =>
            {
                var b = rows.MinBy(r => r.BoundBits(i))!;
                var small = rows.MinBy(r => r.CompressedBits[i])!;
                return new KolmogorovBest(size, b.Compressor, b.BoundBits(i), small.Compressor);
            }).ToArray();
            progress.Report(1, "done");
            return new KolmogorovResult($"{o.Book} from \"{o.StartMarker}\"", o.Sizes, rows, best, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }
}
