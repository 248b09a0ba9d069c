using System.Globalization;
using System.Text;
using Kolmo.Information;
using Kolmo.Modeling;

namespace Kolmo.Learning;

/// <summary>A labelled document.</summary>
/// <param name="Label">Its class.</param>
/// <param name="Id">Where it came from (file path relative to the set, or <c>line N</c>).</param>
/// <param name="Data">Its bytes.</param>
public sealed record LabeledDocument(string Label, string Id, byte[] Data);

/// <summary>
/// Loads labelled document sets: a directory of <c>class/doc</c> files (one sub-directory per class, every file in it
/// one document), or a TSV file of <c>label&lt;TAB&gt;text</c> lines (UTF-8; empty lines skipped).
/// </summary>
public static class DocumentSet
{
    /// <summary>Loads <paramref name="path"/> (directory or TSV file). Documents come in a fixed order (ordinal by class, then file name; or file order).</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A class is empty, a file is binary, a TSV line has no label, or there are no documents.</exception>
    public static IReadOnlyList<LabeledDocument> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            return LoadDirectory(path);
        }
        if (File.Exists(path))
        {
            return ParseTsv(File.ReadAllBytes(path), path);
        }
        throw new FileNotFoundException($"{path}: no such file or directory", path);
    }

    private static List<LabeledDocument> LoadDirectory(string dir)
    {
        var classes = Directory.GetDirectories(dir).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
        {
            throw new InvalidDataException($"{dir}: no class sub-directories (expected {dir}/CLASS/DOC files)");
        }
        var docs = new List<LabeledDocument>();
        foreach (var cdir in classes)
        {
            string label = Path.GetFileName(cdir);
            var files = Directory.GetFiles(cdir).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
            {
                throw new InvalidDataException($"{cdir}: class '{label}' has no documents");
            }
            foreach (var f in files)
            {
                var data = File.ReadAllBytes(f);
                if (Array.IndexOf(data, (byte)0) >= 0)
                {
                    throw new InvalidDataException($"{f}: looks binary (contains NUL bytes); documents must be text");
                }
                docs.Add(new LabeledDocument(label, Path.GetRelativePath(dir, f), data));
            }
        }
        return docs;
    }

    /// <summary>Parses <c>label&lt;TAB&gt;text</c> lines (text may contain further tabs; \r\n accepted).</summary>
    /// <exception cref="InvalidDataException">Binary content, a line without a tab or with an empty label, or no documents.</exception>
    public static List<LabeledDocument> ParseTsv(byte[] content, string name)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (Array.IndexOf(content, (byte)0) >= 0)
        {
            throw new InvalidDataException($"{name}: looks binary (contains NUL bytes); expected label<TAB>text lines");
        }
        var docs = new List<LabeledDocument>();
        int lineNo = 0, start = 0;
        while (start < content.Length)
        {
            int end = Array.IndexOf(content, (byte)'\n', start);
            if (end < 0)
            {
                end = content.Length;
            }
            lineNo++;
            int len = end - start;
            if (len > 0 && content[start + len - 1] == '\r')
            {
                len--;
            }
            if (len > 0)
            {
                var line = content.AsSpan(start, len);
                int tab = line.IndexOf((byte)'\t');
                if (tab <= 0)
                {
                    throw new InvalidDataException($"{name}: line {lineNo}: expected label<TAB>text");
                }
                docs.Add(new LabeledDocument(Encoding.UTF8.GetString(line[..tab]), $"line {lineNo}", line[(tab + 1)..].ToArray()));
            }
            start = end + 1;
        }
        if (docs.Count == 0)
        {
            throw new InvalidDataException($"{name}: no documents");
        }
        return docs;
    }
}

/// <summary>A classifier by compression: trained once on labelled documents, then predicts one label per document.</summary>
public interface ICompressionClassifier
{
    /// <summary>Short description, e.g. <c>knn(deflate,k=1)</c>.</summary>
    string Name { get; }

    /// <summary>Predicts a label for each of <paramref name="docs"/> (same order).</summary>
    /// <param name="docs">Documents to classify.</param>
    /// <param name="maxThreads">Parallelism (≤ 0: all cores). The result does not depend on it.</param>
    /// <param name="progress">Called with the number of finished units of work, out of <see cref="WorkUnits"/>.</param>
    string[] Predict(IReadOnlyList<byte[]> docs, int maxThreads = 0, Action<int>? progress = null);

    /// <summary>Units of work <see cref="Predict"/> reports for <paramref name="docs"/> documents.</summary>
    int WorkUnits(int docs);
}

/// <summary>
/// NCD nearest neighbours (as in Jiang et al. 2023, but honest): a document gets the majority label of its k nearest
/// training documents under NCD. <b>Tie-breaking</b>: among labels with the most votes, the one whose best-ranked
/// neighbour is nearest wins (neighbours are ranked by distance, then by training order), so k = 2 with split votes
/// falls back to the single nearest neighbour — never "correct if either is right" (the top-2 accuracy that the
/// paper's code reported). C(t) of the training set is computed once; each test document costs one C(x) and
/// |train| joint lengths C(xt).
/// </summary>
public sealed class NcdKnnClassifier : ICompressionClassifier
{
    private readonly ICodeLength _c;
    private readonly int _k;
    private readonly IReadOnlyList<LabeledDocument> _train;
    private readonly double[] _trainBits;
    private readonly int _maxTrainBytes;

    /// <summary>Trains (computes C(t) for every training document, in parallel).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not in [1, |train|].</exception>
    /// <exception cref="ArgumentException"><paramref name="train"/> is empty.</exception>
    public NcdKnnClassifier(ICodeLength c, IReadOnlyList<LabeledDocument> train, int k = 1, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("no training documents", nameof(train));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, train.Count);
        _c = c;
        _k = k;
        _train = train;
        _trainBits = new double[train.Count];
        _maxTrainBytes = train.Max(t => t.Data.Length);
        Parallel.For(0, train.Count, Options(maxThreads), i => _trainBits[i] = c.Bits(train[i].Data));
    }

    /// <inheritdoc />
    public string Name => Describe(_c.Name, _k);

    /// <summary>The <see cref="Name"/> of a classifier over code lengths <paramref name="codeLength"/> with <paramref name="k"/> neighbours.</summary>
    public static string Describe(string codeLength, int k) => $"knn({codeLength},k={k})";

    /// <inheritdoc />
    public int WorkUnits(int docs) => docs;

    /// <inheritdoc />
    public string[] Predict(IReadOnlyList<byte[]> docs, int maxThreads = 0, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(docs);
        var result = new string[docs.Count];
        int done = 0;
        Parallel.For(0, docs.Count, Options(maxThreads), i =>
        {
            result[i] = PredictOne(docs[i]);
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        return result;
    }

    /// <summary>
    /// NCD from <paramref name="x"/> to every training document, in training order. For an adaptive model the joint
    /// length is computed as C(x, t) = C(x) + C(t | x) from one model that has coded x (and is rolled back after each
    /// t), which is the same number as coding xt from scratch but costs O(|t|) per pair instead of O(|x| + |t|).
    /// </summary>
    public double[] Distances(byte[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var d = new double[_train.Count];
        if (_c is ModelCodeLength mc)
        {
            var m = mc.CreateModel(x.Length + _maxTrainBytes);
            double cxm = ModelCodeLength.Code(m, x);
            var primed = new PrimedModel(m);
            for (int t = 0; t < d.Length; t++)
            {
                d[t] = Measures.Ncd(cxm, _trainBits[t], cxm + primed.Bits(_train[t].Data));
            }
            return d;
        }
        double cx = _c.Bits(x);
        for (int t = 0; t < d.Length; t++)
        {
            d[t] = Measures.Ncd(cx, _trainBits[t], _c.JointBits(x, _train[t].Data));
        }
        return d;
    }

    private string PredictOne(byte[] x)
    {
        var d = Distances(x);
        var order = Enumerable.Range(0, d.Length).OrderBy(t => d[t]).ThenBy(t => t).Take(_k).ToArray();
        var votes = new Dictionary<string, (int Votes, int FirstRank)>(StringComparer.Ordinal);
        for (int r = 0; r < order.Length; r++)
        {
            string l = _train[order[r]].Label;
            votes[l] = votes.TryGetValue(l, out var v) ? (v.Votes + 1, v.FirstRank) : (1, r);
        }
        return votes.OrderByDescending(v => v.Value.Votes).ThenBy(v => v.Value.FirstRank).First().Key;
    }

    internal static ParallelOptions Options(int maxThreads) =>
        new() { MaxDegreeOfParallelism = maxThreads > 0 ? maxThreads : Environment.ProcessorCount };
}

/// <summary>
/// Class-conditional compression (Frank, Chui &amp; Witten 2000; Teahan &amp; Harper 2003): one adaptive model per class,
/// primed on that class's training documents (each followed by a newline). A document goes to the class whose model
/// codes it in the fewest bits, C(doc | class corpus); ties go to the class that sorts first (ordinal). Cost per
/// document: one coding pass per class — O(classes · |doc|), independent of the training set's size. Each class model
/// scores the test documents in turn and is rolled back (<see cref="ICheckpointModel"/>) or cloned after each, so
/// every document is scored against the same primed state; classes run in parallel, which does not change the result.
/// </summary>
public sealed class ConditionalClassifier : ICompressionClassifier
{
    private readonly string[] _labels;
    private readonly PrimedModel[] _models;
    private readonly string _modelName;

    /// <summary>Primes one model per class (in parallel over classes).</summary>
    /// <param name="factory">Creates a fresh model for a class corpus of the given number of bytes.</param>
    /// <param name="train">Training documents.</param>
    /// <param name="maxThreads">Parallelism (≤ 0: all cores).</param>
    /// <exception cref="ArgumentException"><paramref name="train"/> is empty.</exception>
    public ConditionalClassifier(Func<long, IByteModel> factory, IReadOnlyList<LabeledDocument> train, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("no training documents", nameof(train));
        }
        var groups = train.GroupBy(d => d.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        _labels = [.. groups.Select(g => g.Key)];
        _models = new PrimedModel[groups.Length];
        string? name = null;
        Parallel.For(0, groups.Length, NcdKnnClassifier.Options(maxThreads), c =>
        {
            long bytes = groups[c].Sum(d => (long)d.Data.Length + 1);
            var m = factory(bytes);
            foreach (var d in groups[c])
            {
                m.Prime(d.Data);
                m.Prime("\n"u8);
            }
            _models[c] = new PrimedModel(m);
            name ??= m.Name;
        });
        _modelName = name ?? "model";
    }

    private ConditionalClassifier(ConditionalClassifier other)
    {
        _labels = other._labels;
        _modelName = other._modelName;
        _models = [.. other._models.Select(m => m.Fork())];
    }

    /// <summary>
    /// A copy whose class models are clones of this one's primed models (not primed again), for predicting on
    /// another thread at the same time: one instance must not be used by two callers at once. Same predictions.
    /// </summary>
    public ConditionalClassifier Fork() => new(this);

    /// <summary>Class labels, in score-column order.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <inheritdoc />
    public string Name => Describe(_modelName);

    /// <summary>The <see cref="Name"/> of a classifier whose class models are named <paramref name="model"/>.</summary>
    public static string Describe(string model) => $"conditional({model})";

    /// <inheritdoc />
    public int WorkUnits(int docs) => docs * _labels.Length;

    /// <summary>C(doc | class) in bits for every document (rows) and class (columns, <see cref="Labels"/> order).</summary>
    public double[,] Score(IReadOnlyList<byte[]> docs, int maxThreads = 0, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(docs);
        var bits = new double[docs.Count, _labels.Length];
        int done = 0;
        Parallel.For(0, _labels.Length, NcdKnnClassifier.Options(maxThreads), c =>
        {
            for (int i = 0; i < docs.Count; i++)
            {
                bits[i, c] = _models[c].Bits(docs[i]);
                progress?.Invoke(Interlocked.Increment(ref done));
            }
        });
        return bits;
    }

    /// <inheritdoc />
    public string[] Predict(IReadOnlyList<byte[]> docs, int maxThreads = 0, Action<int>? progress = null)
    {
        var bits = Score(docs, maxThreads, progress);
        var result = new string[docs.Count];
        for (int i = 0; i < result.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < _labels.Length; c++)
            {
                if (bits[i, c] < bits[i, best])
                {
                    best = c;
                }
            }
            result[i] = _labels[best];
        }
        return result;
    }
}

/// <summary>Accuracy, macro-F1 and the confusion matrix of a set of predictions.</summary>
public sealed class ClassificationReport
{
    /// <summary>Computes the report.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public ClassificationReport(IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count || truth.Count == 0)
        {
            throw new ArgumentException("truth and predictions must be non-empty and of equal length", nameof(predicted));
        }
        Labels = [.. truth.Concat(predicted).Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal)];
        var index = Labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        Confusion = new int[Labels.Count, Labels.Count];
        int correct = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            Confusion[index[truth[i]], index[predicted[i]]]++;
            correct += truth[i] == predicted[i] ? 1 : 0;
        }
        Count = truth.Count;
        Accuracy = (double)correct / truth.Count;
        var f1 = new double[Labels.Count];
        for (int c = 0; c < Labels.Count; c++)
        {
            int tp = Confusion[c, c], rowSum = 0, colSum = 0;
            for (int k = 0; k < Labels.Count; k++)
            {
                rowSum += Confusion[c, k];
                colSum += Confusion[k, c];
            }
            double precision = colSum == 0 ? 0 : (double)tp / colSum;
            double recall = rowSum == 0 ? 0 : (double)tp / rowSum;
            f1[c] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        F1 = f1;
        MacroF1 = f1.Average();
    }

    /// <summary>Labels (rows/columns of <see cref="Confusion"/>): every label seen in truth or predictions, ordinal order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Confusion[true, predicted] counts.</summary>
    public int[,] Confusion { get; }

    /// <summary>Number of documents.</summary>
    public int Count { get; }

    /// <summary>Fraction predicted correctly (top-1).</summary>
    public double Accuracy { get; }

    /// <summary>Per-label F1 (0 for a label never predicted correctly).</summary>
    public IReadOnlyList<double> F1 { get; }

    /// <summary>Unweighted mean of <see cref="F1"/> over <see cref="Labels"/>.</summary>
    public double MacroF1 { get; }
}
