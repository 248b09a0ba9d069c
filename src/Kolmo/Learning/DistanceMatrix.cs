using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kolmo.Information;

namespace Kolmo.Learning;

/// <summary>
/// A labelled square matrix of distances. Text form (TSV): a header line <c>label&lt;TAB&gt;name1&lt;TAB&gt;…</c>,
/// then one line per row <c>name&lt;TAB&gt;d1&lt;TAB&gt;…</c>, numbers in invariant culture with round-trip precision.
/// </summary>
public sealed class DistanceMatrix
{
    private readonly double[,] _d;

    /// <summary>Creates a matrix (copied).</summary>
    /// <exception cref="ArgumentException">Sizes disagree, labels repeat, or a value is not finite.</exception>
    public DistanceMatrix(IReadOnlyList<string> labels, double[,] distances)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(distances);
        int n = labels.Count;
        if (distances.GetLength(0) != n || distances.GetLength(1) != n)
        {
            throw new ArgumentException($"a {n}×{n} matrix is needed for {n} labels", nameof(distances));
        }
        if (labels.Distinct(StringComparer.Ordinal).Count() != n)
        {
            throw new ArgumentException("labels must be distinct", nameof(labels));
        }
        foreach (double v in distances)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("distances must be finite", nameof(distances));
            }
        }
        Labels = [.. labels];
        _d = (double[,])distances.Clone();
    }

    /// <summary>Row/column names.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Count;

    /// <summary>Distance from row <paramref name="i"/> to column <paramref name="j"/>.</summary>
    public double this[int i, int j] => _d[i, j];

    /// <summary>A copy of the values.</summary>
    public double[,] ToArray() => (double[,])_d.Clone();

    /// <summary>The TSV text form.</summary>
    public string ToTsv()
    {
        var sb = new StringBuilder();
        sb.Append("label");
        foreach (var l in Labels)
        {
            sb.Append('\t').Append(l);
        }
        sb.Append('\n');
        for (int i = 0; i < Count; i++)
        {
            sb.Append(Labels[i]);
            for (int j = 0; j < Count; j++)
            {
                sb.Append('\t').Append(_d[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>JSON: <c>{"labels":[…],"distances":[[…],…]}</c>.</summary>
    public string ToJson()
    {
        double[][] rows = [.. Enumerable.Range(0, Count).Select(i => Enumerable.Range(0, Count).Select(j => _d[i, j]).ToArray())];
        return JsonSerializer.Serialize(new DistanceMatrixJson([.. Labels], rows), LearningJsonContext.Default.DistanceMatrixJson);
    }

    /// <summary>Parses the TSV form.</summary>
    /// <exception cref="InvalidDataException">The text is not a square labelled matrix of numbers (message names the line).</exception>
    public static DistanceMatrix ParseTsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0)
        {
            throw new InvalidDataException("distance matrix: empty input");
        }
        var header = lines[0].Split('\t');
        int n = header.Length - 1;
        if (n < 1)
        {
            throw new InvalidDataException("distance matrix: line 1: expected a header 'label<TAB>name…'");
        }
        if (lines.Length - 1 != n)
        {
            throw new InvalidDataException($"distance matrix: {n} columns but {lines.Length - 1} rows");
        }
        var labels = header[1..];
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split('\t');
            if (f.Length != n + 1)
            {
                throw new InvalidDataException($"distance matrix: line {i + 2}: expected {n + 1} fields, found {f.Length}");
            }
            if (f[0] != labels[i])
            {
                throw new InvalidDataException($"distance matrix: line {i + 2}: row '{f[0]}' does not match column '{labels[i]}'");
            }
            for (int j = 0; j < n; j++)
            {
                if (!double.TryParse(f[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    throw new InvalidDataException($"distance matrix: line {i + 2}: '{f[j + 1]}' is not a number");
                }
                d[i, j] = v;
            }
        }
        try
        {
            return new DistanceMatrix(labels, d);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("distance matrix: " + e.Message, e);
        }
    }
}

/// <summary>
/// Computes NCD matrices in parallel. C(x) is computed once per distinct content (keyed by xxHash64 and length) and
/// cached; each cell is an independent computation written to its own place, so the result does not depend on the
/// number of threads. The matrix is made symmetric with C(x, y) := min(C(xy), C(yx)) (the order that compresses
/// better), and the diagonal holds the measured NCD(x, x) — 0 for an ideal compressor, larger past a window.
/// </summary>
public static class NcdMatrix
{
    /// <summary>Computes the matrix of <paramref name="items"/> under <paramref name="c"/>.</summary>
    /// <param name="c">Code-length source.</param>
    /// <param name="items">Named inputs.</param>
    /// <param name="maxThreads">Parallelism (≤ 0: all cores).</param>
    /// <param name="progress">Called with the number of finished pairs (from any thread).</param>
    public static DistanceMatrix Compute(ICodeLength c, IReadOnlyList<(string Name, byte[] Data)> items, int maxThreads = 0, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(items);
        int n = items.Count;
        var opts = new ParallelOptions { MaxDegreeOfParallelism = maxThreads > 0 ? maxThreads : Environment.ProcessorCount };
        var cache = new System.Collections.Concurrent.ConcurrentDictionary<(ulong, int), double>();
        var single = new double[n];
        Parallel.For(0, n, opts, i =>
        {
            var data = items[i].Data;
            var key = (XxHash64.HashToUInt64(data), data.Length);
            single[i] = cache.GetOrAdd(key, _ => c.Bits(data));
        });
        var pairs = new List<(int I, int J)>();
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                pairs.Add((i, j));
            }
        }
        var d = new double[n, n];
        int done = 0;
        Parallel.For(0, pairs.Count, opts, p =>
        {
            var (i, j) = pairs[p];
            double v = Cell(c, items[i].Data, items[j].Data, single[i], single[j], diagonal: i == j);
            d[i, j] = v;
            d[j, i] = v;
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        return new DistanceMatrix([.. items.Select(t => t.Name)], d);
    }

    /// <summary>
    /// One cell of the matrix: NCD(x, y) with C(x, y) := min(C(xy), C(yx)) (only C(xx) on the diagonal). Every way of
    /// computing a matrix (threads, shards, a cluster) calls this, so they all give the same bits.
    /// </summary>
    /// <param name="c">Code-length source.</param>
    /// <param name="x">Row input.</param>
    /// <param name="y">Column input.</param>
    /// <param name="bitsX">C(x), as computed by <paramref name="c"/>.</param>
    /// <param name="bitsY">C(y), as computed by <paramref name="c"/>.</param>
    /// <param name="diagonal">True when x and y are the same input (one joint length suffices).</param>
    public static double Cell(ICodeLength c, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, double bitsX, double bitsY, bool diagonal)
    {
        ArgumentNullException.ThrowIfNull(c);
        double xy = c.JointBits(x, y);
        if (!diagonal)
        {
            xy = Math.Min(xy, c.JointBits(y, x));
        }
        return Measures.Ncd(bitsX, bitsY, xy);
    }

    /// <summary>Number of pair evaluations <see cref="Compute"/> reports through its progress callback.</summary>
    public static int PairCount(int n) => n * (n + 1) / 2;
}

/// <summary>The JSON form of a <see cref="DistanceMatrix"/>.</summary>
internal sealed record DistanceMatrixJson(IReadOnlyList<string> Labels, double[][] Distances);

/// <summary>Source-generated JSON of the learning layer.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DistanceMatrixJson))]
internal sealed partial class LearningJsonContext : JsonSerializerContext;
