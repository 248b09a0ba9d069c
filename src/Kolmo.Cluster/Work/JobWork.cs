using System.Buffers.Binary;
using System.Collections.Concurrent;
using Kolmo.Compression;
using Kolmo.Information;
using Kolmo.Learning;

namespace Kolmo.Cluster.Work;

/// <summary>
/// A job cut into tasks, and the code that computes one task. A task reads some of the job's documents and
/// returns a payload of bytes; every task is a pure function of the spec and those documents, so it can run
/// anywhere, twice, or be retried, and give the same bytes. One instance serves all the tasks one process (one
/// silo) runs for a job and holds what they share there: the C(x) of each document (ncd) or the trained
/// classifier (classify). Instances are thread-safe.
/// </summary>
public abstract class JobWork
{
    /// <summary>The spec this work computes.</summary>
    public JobSpec Spec { get; }

    /// <summary>Creates the work of <paramref name="spec"/>.</summary>
    protected JobWork(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
    }

    /// <summary>Creates the work of <paramref name="spec"/>.</summary>
    /// <param name="spec">The job.</param>
    /// <param name="threads">Threads for work shared by all tasks here (training a classifier); ≤ 0: all cores.</param>
    /// <exception cref="ArgumentException">The spec names an unknown compressor, model or kind.</exception>
    public static JobWork Create(JobSpec spec, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            JobKind.Ncd => new NcdWork(spec),
            JobKind.Classify => new ClassifyWork(spec, threads),
            JobKind.Compress => new CompressWork(spec),
            _ => throw new ArgumentException($"unknown job kind {(int)spec.Kind}", nameof(spec)),
        };
    }

    /// <summary>Number of tasks.</summary>
    public abstract int TaskCount { get; }

    /// <summary>What <paramref name="task"/> is, for messages (e.g. <c>rows 0-3 × columns 4-7</c>).</summary>
    public abstract string Describe(int task);

    /// <summary>Indices of the documents <paramref name="task"/> reads.</summary>
    public abstract IReadOnlyList<int> Documents(int task);

    /// <summary>Units of progress in <paramref name="task"/>: pairs (ncd), test documents (classify) or input bytes (compress).</summary>
    public abstract long Units(int task);

    /// <summary>Computes <paramref name="task"/>.</summary>
    /// <param name="task">Task index in [0, <see cref="TaskCount"/>).</param>
    /// <param name="document">Returns the bytes of a document (only those in <see cref="Documents"/> are asked for).</param>
    /// <param name="cancel">Checked between units of work.</param>
    public abstract byte[] Compute(int task, Func<int, byte[]> document, CancellationToken cancel = default);

    /// <summary>Total units of progress of the job.</summary>
    public long TotalUnits()
    {
        long total = 0;
        for (int t = 0; t < TaskCount; t++)
        {
            total += Units(t);
        }
        return total;
    }

    /// <summary>Throws when <paramref name="task"/> is out of range.</summary>
    protected void CheckTask(int task) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)task, (uint)TaskCount, nameof(task));
}

/// <summary>
/// The tiling of an n × n NCD matrix: the upper triangle (i ≤ j) in square tiles of side s, numbered row of tiles
/// by row of tiles; a tile on the diagonal holds only its pairs with i ≤ j. The pairs of a tile are listed row by
/// row (i, then j), and a tile's payload is their NCDs in that order as little-endian doubles.
/// </summary>
public static class NcdTiles
{
    /// <summary>Largest tile side.</summary>
    public const int MaxSide = 32;

    /// <summary>The tile side for <paramref name="n"/> inputs: about 16 tiles across, at most <see cref="MaxSide"/>.</summary>
    public static int SideFor(int n) => Math.Clamp((n + 15) / 16, 1, MaxSide);

    /// <summary>Tiles across one side of the matrix.</summary>
    public static int Blocks(int n, int side) => (n + side - 1) / side;

    /// <summary>Number of tiles.</summary>
    public static int Count(int n, int side)
    {
        long b = Blocks(n, side);
        return checked((int)(b * (b + 1) / 2));
    }

    /// <summary>The (row, column) tile of task <paramref name="task"/>.</summary>
    public static (int Row, int Column) Tile(int n, int side, int task)
    {
        int b = Blocks(n, side);
        // row r starts at task r·b − r(r−1)/2; find the last row that starts at or before the task
        int lo = 0, hi = b - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Start(b, mid) <= task)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return (lo, lo + (int)(task - Start(b, lo)));
    }

    /// <summary>The pairs (i, j), i ≤ j, of task <paramref name="task"/>, in payload order.</summary>
    public static IEnumerable<(int I, int J)> Pairs(int n, int side, int task)
    {
        var (r, c) = Tile(n, side, task);
        int i1 = Math.Min(n, (r + 1) * side), j1 = Math.Min(n, (c + 1) * side);
        for (int i = r * side; i < i1; i++)
        {
            for (int j = Math.Max(c * side, i); j < j1; j++)
            {
                yield return (i, j);
            }
        }
    }

    /// <summary>Number of pairs in task <paramref name="task"/>.</summary>
    public static int PairCount(int n, int side, int task)
    {
        var (r, c) = Tile(n, side, task);
        int rows = Math.Min(n, (r + 1) * side) - r * side;
        int cols = Math.Min(n, (c + 1) * side) - c * side;
        return r == c ? rows * (rows + 1) / 2 : rows * cols;
    }

    private static long Start(int b, int r) => (long)r * b - (long)r * (r - 1) / 2;
}

/// <summary>The shards of a classification job: consecutive runs of test documents.</summary>
public static class ClassifyShards
{
    /// <summary>Test documents per shard for a test set of <paramref name="tests"/>: about 64 shards, at most 64 documents each.</summary>
    public static int SizeFor(int tests) => Math.Clamp((tests + 63) / 64, 1, 64);
}

/// <summary>NCD tiles; C(x) of each document is computed once per instance (per silo) and shared by its tiles.</summary>
internal sealed class NcdWork : JobWork
{
    private readonly ICodeLength _c;
    private readonly ConcurrentDictionary<int, Lazy<double>> _bits = new();

    public NcdWork(JobSpec spec)
        : base(spec)
    {
        _c = CodeLengthPanel.Create([spec.Compressor]).Single();
    }

    public override int TaskCount => NcdTiles.Count(Spec.Count, Spec.TaskSize);

    public override string Describe(int task)
    {
        var (r, c) = NcdTiles.Tile(Spec.Count, Spec.TaskSize, task);
        int s = Spec.TaskSize, n = Spec.Count;
        return $"tile rows {r * s}-{Math.Min(n, (r + 1) * s) - 1} × columns {c * s}-{Math.Min(n, (c + 1) * s) - 1}";
    }

    public override IReadOnlyList<int> Documents(int task)
    {
        CheckTask(task);
        var (r, c) = NcdTiles.Tile(Spec.Count, Spec.TaskSize, task);
        int s = Spec.TaskSize, n = Spec.Count;
        var rows = Enumerable.Range(r * s, Math.Min(n, (r + 1) * s) - r * s);
        var cols = Enumerable.Range(c * s, Math.Min(n, (c + 1) * s) - c * s);
        return [.. rows.Union(cols)];
    }

    public override long Units(int task) => NcdTiles.PairCount(Spec.Count, Spec.TaskSize, task);

    public override byte[] Compute(int task, Func<int, byte[]> document, CancellationToken cancel = default)
    {
        CheckTask(task);
        var payload = new byte[Units(task) * sizeof(double)];
        int k = 0;
        foreach (var (i, j) in NcdTiles.Pairs(Spec.Count, Spec.TaskSize, task))
        {
            cancel.ThrowIfCancellationRequested();
            byte[] x = document(i), y = document(j);
            double v = NcdMatrix.Cell(_c, x, y, Bits(i, x), Bits(j, y), diagonal: i == j);
            BinaryPrimitives.WriteDoubleLittleEndian(payload.AsSpan(k++ * sizeof(double)), v);
        }
        return payload;
    }

    private double Bits(int index, byte[] data) =>
        _bits.GetOrAdd(index, _ => new Lazy<double>(() => _c.Bits(data))).Value;
}

/// <summary>
/// Shards of a test set. The classifier is trained once per instance (per silo) on the whole training set, with
/// all its threads, and then scores each shard (a class-conditional classifier is forked for each task running at
/// the same time); a document's prediction does not depend on the shard it is in.
/// A payload is the predicted label of each test document of the shard, as an int32 index into
/// <see cref="ClassListOf"/>.
/// </summary>
internal sealed class ClassifyWork : JobWork
{
    private readonly string[] _classes;
    private readonly ICodeLength _c;
    private readonly int _threads;
    private readonly ConcurrentBag<ConditionalClassifier> _idle = [];
    private ICompressionClassifier? _classifier;
    private bool _trained;
    private object? _trainLock;

    public ClassifyWork(JobSpec spec, int threads)
        : base(spec)
    {
        _classes = ClassListOf(spec);
        _threads = threads;
        _c = CodeLengthPanel.Create([spec.Compressor]).Single();
        if (spec.Method == "conditional" && _c is not ModelCodeLength)
        {
            throw new ArgumentException($"--method conditional needs an adaptive model (ordermix, order3, cm), not {_c.Name}", nameof(spec));
        }
    }

    /// <summary>The labels a payload indexes: the training set's distinct labels, in ordinal order.</summary>
    public static string[] ClassListOf(JobSpec spec) =>
        [.. spec.Labels.Take(spec.TrainCount).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public override int TaskCount => (Tests + Spec.TaskSize - 1) / Spec.TaskSize;

    public override string Describe(int task)
    {
        var (first, count) = Shard(task);
        return $"test documents {first}-{first + count - 1}";
    }

    public override IReadOnlyList<int> Documents(int task)
    {
        var (first, count) = Shard(task);
        return [.. Enumerable.Range(0, Spec.TrainCount), .. Enumerable.Range(Spec.TrainCount + first, count)];
    }

    public override long Units(int task) => Shard(task).Count;

    public override byte[] Compute(int task, Func<int, byte[]> document, CancellationToken cancel = default)
    {
        var (first, count) = Shard(task);
        var trained = LazyInitializer.EnsureInitialized(ref _classifier, ref _trained, ref _trainLock, () => Train(document))!;
        cancel.ThrowIfCancellationRequested();
        var docs = Enumerable.Range(Spec.TrainCount + first, count).Select(document).ToArray();
        string[] predicted;
        if (trained is ConditionalClassifier conditional)
        {
            // its primed models serve one caller at a time: each concurrent task takes a fork of its own
            var clf = _idle.TryTake(out var idle) ? idle : conditional.Fork();
            try
            {
                predicted = clf.Predict(docs, maxThreads: 1);
            }
            finally
            {
                _idle.Add(clf);
            }
        }
        else
        {
            predicted = trained.Predict(docs, maxThreads: 1);
        }
        var payload = new byte[count * sizeof(int)];
        for (int i = 0; i < count; i++)
        {
            int index = Array.BinarySearch(_classes, predicted[i], StringComparer.Ordinal);
            if (index < 0)
            {
                throw new InvalidOperationException($"predicted label '{predicted[i]}' is not a training label");
            }
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(i * sizeof(int)), index);
        }
        return payload;
    }

    private ICompressionClassifier Train(Func<int, byte[]> document)
    {
        var train = Enumerable.Range(0, Spec.TrainCount).Select(i => new LabeledDocument(Spec.Labels[i], Spec.Names[i], document(i))).ToArray();
        return Spec.Method == "knn"
            ? new NcdKnnClassifier(_c, train, Spec.K, _threads)
            : new ConditionalClassifier(CodeLengthPanel.SizedFactory(Spec.Compressor), train, _threads);
    }

    private int Tests => Spec.Count - Spec.TrainCount;

    private (int First, int Count) Shard(int task)
    {
        CheckTask(task);
        int first = task * Spec.TaskSize;
        return (first, Math.Min(Spec.TaskSize, Tests - first));
    }
}

/// <summary>One file per task, compressed exactly as <c>kolmo compress</c> does; the payload is the <c>.kolmo</c> container.</summary>
internal sealed class CompressWork : JobWork
{
    public CompressWork(JobSpec spec)
        : base(spec)
    {
        _ = NewCompressor();
    }

    public override int TaskCount => Spec.Count;

    public override string Describe(int task) => Spec.Names[task];

    public override IReadOnlyList<int> Documents(int task)
    {
        CheckTask(task);
        return [task];
    }

    public override long Units(int task) => Spec.Lengths[task];

    public override byte[] Compute(int task, Func<int, byte[]> document, CancellationToken cancel = default)
    {
        CheckTask(task);
        cancel.ThrowIfCancellationRequested();
        var data = document(task);
        using var output = new MemoryStream();
        NewCompressor().Compress(new MemoryStream(data, writable: false), output);
        return output.ToArray();
    }

    private ModelCompressor NewCompressor() =>
        new(Spec.Compressor, Spec.Level == 0 ? null : Spec.Level, Spec.MemoryLimit == 0 ? null : Spec.MemoryLimit, Spec.BlockSize);
}
