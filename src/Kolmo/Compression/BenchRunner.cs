using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kolmo.Compression;

/// <summary>One compressor on one input: sizes, speeds and whether the round trip reproduced the input.</summary>
/// <param name="Compressor">Compressor name.</param>
/// <param name="File">Input name (file name, or <c>TOTAL</c> for a compressor's sum over all inputs).</param>
/// <param name="OriginalBytes">Input bytes.</param>
/// <param name="CompressedBytes">Output bytes (the whole compressed stream, container included).</param>
/// <param name="CompressSeconds">Wall-clock seconds to compress.</param>
/// <param name="DecompressSeconds">Wall-clock seconds to decompress.</param>
/// <param name="RoundTrip">Whether decompression gave back exactly the input.</param>
public sealed record BenchRow(string Compressor, string File, long OriginalBytes, long CompressedBytes, double CompressSeconds, double DecompressSeconds, bool RoundTrip)
{
    /// <summary>8 × compressed / original (0 for an empty input).</summary>
    public double BitsPerByte => OriginalBytes == 0 ? 0 : 8.0 * CompressedBytes / OriginalBytes;

    /// <summary>Compression speed in MB/s (10^6 bytes of input per second).</summary>
    public double CompressMBps => CompressSeconds > 0 ? OriginalBytes / 1e6 / CompressSeconds : 0;

    /// <summary>Decompression speed in MB/s (10^6 bytes of output per second).</summary>
    public double DecompressMBps => DecompressSeconds > 0 ? OriginalBytes / 1e6 / DecompressSeconds : 0;
}

/// <summary>
/// Runs compressors × inputs (compress, decompress, compare) and formats the results as markdown, TSV or JSON.
/// Shared by <c>kolmo bench</c> and the bench harness so the table is built in one place. Timings are wall-clock
/// and only meaningful as ratios between compressors of the same run.
/// </summary>
public static class BenchRunner
{
    /// <summary>The name used for a compressor's total over all inputs.</summary>
    public const string TotalName = "TOTAL";

    /// <summary>Runs every compressor on every input, in order (inputs outer, compressors inner).</summary>
    /// <param name="compressors">The compressors.</param>
    /// <param name="inputs">(name, bytes) pairs.</param>
    /// <param name="onRow">Called after each measurement (for progress display).</param>
    public static IReadOnlyList<BenchRow> Run(IReadOnlyList<ICompressor> compressors, IReadOnlyList<(string Name, byte[] Data)> inputs, Action<BenchRow>? onRow = null)
    {
        ArgumentNullException.ThrowIfNull(compressors);
        ArgumentNullException.ThrowIfNull(inputs);
        var rows = new List<BenchRow>();
        foreach (var (name, data) in inputs)
        {
            foreach (var c in compressors)
            {
                var row = Measure(c, name, data);
                rows.Add(row);
                onRow?.Invoke(row);
            }
        }
        return rows;
    }

    /// <summary>Compresses and decompresses <paramref name="data"/> once with <paramref name="compressor"/>.</summary>
    public static BenchRow Measure(ICompressor compressor, string name, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        ArgumentNullException.ThrowIfNull(data);
        var packed = new MemoryStream();
        var sw = Stopwatch.StartNew();
        compressor.Compress(new MemoryStream(data, writable: false), packed);
        double tc = sw.Elapsed.TotalSeconds;
        var unpacked = new MemoryStream(data.Length);
        bool ok;
        sw.Restart();
        try
        {
            compressor.Decompress(new MemoryStream(packed.GetBuffer(), 0, (int)packed.Length, writable: false), unpacked);
            ok = unpacked.Length == data.Length && unpacked.GetBuffer().AsSpan(0, data.Length).SequenceEqual(data);
        }
        catch (InvalidDataException)
        {
            ok = false;
        }
        double td = sw.Elapsed.TotalSeconds;
        return new BenchRow(compressor.Name, name, data.Length, packed.Length, tc, td, ok);
    }

    /// <summary>Loads files as (file name, bytes) inputs, in the order given.</summary>
    public static IReadOnlyList<(string Name, byte[] Data)> Load(IEnumerable<string> paths) =>
        paths.Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))).ToList();

    /// <summary>All regular files of a folder, sorted by name (ordinal), excluding README files.</summary>
    public static IReadOnlyList<string> FilesIn(string folder) =>
        Directory.GetFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith("README", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();

    /// <summary>One <see cref="TotalName"/> row per compressor (sums of bytes and seconds), in first-seen order.</summary>
    public static IReadOnlyList<BenchRow> Totals(IEnumerable<BenchRow> rows) =>
        rows.GroupBy(r => r.Compressor)
            .Select(g => new BenchRow(g.Key, TotalName, g.Sum(r => r.OriginalBytes), g.Sum(r => r.CompressedBytes),
                g.Sum(r => r.CompressSeconds), g.Sum(r => r.DecompressSeconds), g.All(r => r.RoundTrip)))
            .ToList();

    /// <summary>
    /// A markdown table with inputs as rows and compressors as columns, cells in bits per byte, plus a totals
    /// table (bytes, bpb, MB/s both ways, round trip) per compressor.
    /// </summary>
    public static string ToMarkdown(IReadOnlyList<BenchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var ci = CultureInfo.InvariantCulture;
        var compressors = rows.Select(r => r.Compressor).Distinct().ToList();
        var files = rows.Select(r => r.File).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("| file | bytes |");
        foreach (var c in compressors)
        {
            sb.Append(ci, $" {c} |");
        }
        sb.AppendLine();
        sb.Append("|---|---:|");
        sb.Append(string.Concat(Enumerable.Repeat("---:|", compressors.Count)));
        sb.AppendLine();
        foreach (var f in files)
        {
            var byC = rows.Where(r => r.File == f).ToDictionary(r => r.Compressor);
            long len = byC.Values.First().OriginalBytes;
            double best = byC.Values.Min(r => r.BitsPerByte);
            sb.Append(ci, $"| {f} | {len} |");
            foreach (var c in compressors)
            {
                if (byC.TryGetValue(c, out var r))
                {
                    string cell = r.BitsPerByte.ToString("F3", ci) + (r.RoundTrip ? "" : " ✗");
                    sb.Append(r.BitsPerByte == best ? $" **{cell}** |" : $" {cell} |");
                }
                else
                {
                    sb.Append(" |");
                }
            }
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.AppendLine("| compressor | input bytes | output bytes | bits/byte | compress MB/s | decompress MB/s | round trip |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|:---:|");
        foreach (var t in Totals(rows))
        {
            sb.AppendLine(ci, $"| {t.Compressor} | {t.OriginalBytes} | {t.CompressedBytes} | {t.BitsPerByte:F3} | {t.CompressMBps:F2} | {t.DecompressMBps:F2} | {(t.RoundTrip ? "ok" : "FAILED")} |");
        }
        return sb.ToString();
    }

    /// <summary>Tab-separated values, one line per measurement, with a header line.</summary>
    public static string ToTsv(IReadOnlyList<BenchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("compressor\tfile\toriginal_bytes\tcompressed_bytes\tbits_per_byte\tcompress_s\tdecompress_s\tcompress_MBps\tdecompress_MBps\tround_trip");
        foreach (var r in rows)
        {
            sb.AppendLine(ci, $"{r.Compressor}\t{r.File}\t{r.OriginalBytes}\t{r.CompressedBytes}\t{r.BitsPerByte:F4}\t{r.CompressSeconds:F4}\t{r.DecompressSeconds:F4}\t{r.CompressMBps:F3}\t{r.DecompressMBps:F3}\t{(r.RoundTrip ? "ok" : "FAILED")}");
        }
        return sb.ToString();
    }

    /// <summary>A JSON array of measurements (property names in camelCase, derived figures included).</summary>
    public static string ToJson(IReadOnlyList<BenchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        BenchRowJson[] items = [.. rows.Select(r => new BenchRowJson(
            r.Compressor, r.File, r.OriginalBytes, r.CompressedBytes, Math.Round(r.BitsPerByte, 4), Math.Round(r.CompressSeconds, 4),
            Math.Round(r.DecompressSeconds, 4), Math.Round(r.CompressMBps, 3), Math.Round(r.DecompressMBps, 3), r.RoundTrip))];
        return JsonSerializer.Serialize(items, CompressionJsonContext.Default.BenchRowJsonArray);
    }
}

/// <summary>One row of <see cref="BenchRunner.ToJson"/>.</summary>
internal sealed record BenchRowJson(
    string Compressor, string File, long OriginalBytes, long CompressedBytes, double BitsPerByte, double CompressSeconds,
    double DecompressSeconds, double CompressMBps, double DecompressMBps, bool RoundTrip);

/// <summary>Source-generated JSON of the compression layer.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BenchRowJson[]))]
internal sealed partial class CompressionJsonContext : JsonSerializerContext;
