using System.Diagnostics;
using Kolmo.Information;
using Kolmo.Learning;

namespace Kolmo.Experiments;

/// <summary>Settings of the classification-by-compression chapter.</summary>
public sealed record ClassificationOptions
{
    /// <summary>Adaptive models used class-conditionally (one model per class, primed on its training documents).</summary>
    public IReadOnlyList<string> ConditionalModels { get; init; } = ["ordermix", "cm"];

    /// <summary>Compressors used for NCD nearest neighbours on every test document.</summary>
    public IReadOnlyList<string> KnnCompressors { get; init; } = ["deflate"];

    /// <summary>An adaptive model also used for NCD nearest neighbours (same model as the first conditional one, for speed at equal model); null = none.</summary>
    public string? ModelKnn { get; init; } = "ordermix";

    /// <summary>About this many test documents for the model kNN (every ⌈total/N⌉-th, as <c>kolmo classify --sample N</c>).</summary>
    public int ModelKnnDocs { get; init; } = 40;

    /// <summary>Neighbours k.</summary>
    public int K { get; init; } = 1;

    /// <summary>Use about this many of the test messages (every ⌈total/N⌉-th); 0 = all of them.</summary>
    public int TestDocs { get; init; }
}

/// <summary>One classifier's result.</summary>
/// <param name="Method">"conditional" or "ncd-knn".</param>
/// <param name="Compressor">Model or compressor.</param>
/// <param name="K">Neighbours (kNN), 0 for conditional.</param>
/// <param name="Docs">Test documents classified.</param>
/// <param name="Accuracy">Share classified correctly.</param>
/// <param name="MacroF1">Mean F1 over classes.</param>
/// <param name="Seconds">Wall seconds, training included (priming the class models, or C(t) of every training document).</param>
/// <param name="CpuSeconds">Process CPU-seconds meanwhile.</param>
/// <param name="Confusion">Confusion matrix [truth][predicted] over <see cref="ClassificationResult.Labels"/>.</param>
/// <param name="ConditionalAccuracySameDocs">For a kNN run on a subsample: the accuracy of the first conditional model on the same documents (NaN otherwise).</param>
public sealed record ClassifierResult(string Method, string Compressor, int K, int Docs, double Accuracy, double MacroF1, double Seconds, double CpuSeconds,
    IReadOnlyList<IReadOnlyList<int>> Confusion, double ConditionalAccuracySameDocs)
{
    /// <summary>Milliseconds of CPU per test document.</summary>
    public double CpuMsPerDoc => Docs > 0 ? CpuSeconds * 1000 / Docs : 0;
}

/// <summary>Classification by compression: class-conditional models against NCD nearest neighbours.</summary>
/// <param name="Data">Description of the data.</param>
/// <param name="TrainDocs">Training documents.</param>
/// <param name="TestDocs">Test documents.</param>
/// <param name="Labels">Class labels (ordinal).</param>
/// <param name="MajorityBaseline">Accuracy of always answering the most frequent training class.</param>
/// <param name="Classifiers">One entry per classifier.</param>
/// <param name="Cost">Time spent.</param>
public sealed record ClassificationResult(string Data, int TrainDocs, int TestDocs, IReadOnlyList<string> Labels, double MajorityBaseline,
    IReadOnlyList<ClassifierResult> Classifiers, ChapterCost Cost);

/// <summary>
/// Chapter "classification by compression": class-conditional compression (prime one model per class, pick the class
/// that codes the document in the fewest bits) against NCD nearest neighbours, on a balanced SMS spam sample.
/// </summary>
public static class ClassificationChapter
{
    /// <summary>Runs the chapter.</summary>
    public static ClassificationResult Run(ClassificationOptions o, int threads, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(progress);
        var (result, cost) = ChapterCost.Measure(() =>
        {
            var (train, test) = TourData.Sms();
            if (o.TestDocs > 0 && o.TestDocs < test.Count)
            {
                int every = (int)Math.Ceiling(test.Count / (double)o.TestDocs);
                test = [.. test.Where((_, i) => i % every == 0)];
            }
            string[] truth = [.. test.Select(d => d.Label)];
            var docs = test.Select(d => d.Data).ToArray();
            var runs = new List<ClassifierResult>();
            var labels = new ClassificationReport(truth, truth).Labels;
            int steps = o.ConditionalModels.Count + o.KnnCompressors.Count + (o.ModelKnn is null ? 0 : 1), step = 0;
            string[]? reference = null;
            foreach (string name in o.ConditionalModels)
            {
                progress.Step(0, 1, step, steps, $"class-conditional {name}");
                var (pred, run) = Timed(() => new ConditionalClassifier(CodeLengthPanel.SizedFactory(name), train, threads).Predict(docs, threads));
                reference ??= pred;
                runs.Add(Result("conditional", name, 0, truth, pred, labels, run, double.NaN));
                step++;
            }
            foreach (string name in o.KnnCompressors)
            {
                progress.Step(0, 1, step, steps, $"NCD-kNN {name}");
                var c = CodeLengthPanel.Create([name])[0];
                var (pred, run) = Timed(() => new NcdKnnClassifier(c, train, o.K, threads).Predict(docs, threads,
                    done => progress.Report((step + done / (double)docs.Length) / steps, $"NCD-kNN {name}: {done} of {docs.Length}")));
                runs.Add(Result("ncd-knn", c.Name, o.K, truth, pred, labels, run, double.NaN));
                step++;
            }
            if (o.ModelKnn is { } mk && o.ModelKnnDocs > 0)
            {
                int every = (int)Math.Ceiling(test.Count / (double)Math.Min(o.ModelKnnDocs, test.Count));
                int[] pick = [.. Enumerable.Range(0, test.Count).Where(i => i % every == 0)];
                var c = CodeLengthPanel.Create([mk])[0];
                progress.Step(0, 1, step, steps, $"NCD-kNN {mk} on {pick.Length} documents");
                var (pred, run) = Timed(() => new NcdKnnClassifier(c, train, o.K, threads).Predict([.. pick.Select(i => docs[i])], threads,
                    done => progress.Report((step + done / (double)pick.Length) / steps, $"NCD-kNN {mk}: {done} of {pick.Length}")));
                double same = reference is null ? double.NaN
                    : new ClassificationReport([.. pick.Select(i => truth[i])], [.. pick.Select(i => reference[i])]).Accuracy;
                runs.Add(Result("ncd-knn", c.Name, o.K, [.. pick.Select(i => truth[i])], pred, labels, run, same));
            }
            string majority = train.GroupBy(d => d.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            double baseline = truth.Count(t => t == majority) / (double)truth.Length;
            progress.Report(1, "done");
            return new ClassificationResult($"SMS Spam Collection sample: {train.Count} training and {test.Count} test messages, balanced ham/spam",
                train.Count, test.Count, labels, baseline, runs, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }

    private static (string[] Predictions, ChapterCost Cost) Timed(Func<string[]> run) => ChapterCost.Measure(run);

    private static ClassifierResult Result(string method, string compressor, int k, string[] truth, string[] pred, IReadOnlyList<string> labels, ChapterCost cost, double same)
    {
        var r = new ClassificationReport(truth, pred);
        var confusion = labels.Select(t => (IReadOnlyList<int>)[.. labels.Select(p => truth.Where((x, i) => x == t && pred[i] == p).Count())]).ToArray();
        return new ClassifierResult(method, compressor, k, truth.Length, r.Accuracy, r.MacroF1, cost.Seconds, cost.CpuSeconds, confusion, same);
    }
}
