using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Information;
using Kolmo.Learning;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.Information;

/// <summary>Settings of <c>kolmo classify</c>.</summary>
public sealed class ClassifyOptions : CommandSettings
{
    /// <summary>Training set.</summary>
    [CommandOption("--train <PATH>")]
    [Description("Training set: a directory of CLASS/DOC files, or a TSV file of label<TAB>text lines")]
    public string? Train { get; set; }

    /// <summary>Test set.</summary>
    [CommandOption("--test <PATH>")]
    [Description("Test set, same forms as --train")]
    public string? Test { get; set; }

    /// <summary>Method.</summary>
    [CommandOption("-m|--method <METHOD>")]
    [Description("knn (NCD nearest neighbours, honest top-1 voting) or conditional (one primed model per class)")]
    [DefaultValue("conditional")]
    public string Method { get; set; } = "conditional";

    /// <summary>Compressor.</summary>
    [CommandOption("-c|--compressor <NAME>")]
    [Description("Compressor: for knn any (default deflate: raw deflate, no header); for conditional an adaptive model (ordermix default, order3, cm)")]
    public string? Compressor { get; set; }

    /// <summary>k.</summary>
    [CommandOption("-k <K>")]
    [Description("Neighbours for knn; ties between labels go to the label with the nearest neighbour")]
    [DefaultValue(1)]
    public int K { get; set; } = 1;

    /// <summary>Subsample.</summary>
    [CommandOption("--sample <N>")]
    [Description("Classify only about N test documents (every ceil(total/N)-th, in file order); 0 = all")]
    [DefaultValue(0)]
    public int Sample { get; set; }

    /// <summary>Predictions file.</summary>
    [CommandOption("-o|--out <FILE>")]
    [Description("Write per-document predictions (id<TAB>truth<TAB>predicted) here")]
    public string? Out { get; set; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Print JSON: {accuracy, macroF1, seconds, confusion, labels, ...}")]
    public bool Json { get; set; }

    /// <summary>Threads.</summary>
    [CommandOption("-T|--threads <N>")]
    [Description("Worker threads (0 = all cores); predictions do not depend on it")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    /// <summary>Overwrite outputs.</summary>
    [CommandOption("-f|--force")]
    [Description("Overwrite an existing --out file")]
    public bool Force { get; set; }

    /// <summary>Cluster to run on.</summary>
    [CommandOption("--cluster <CONNECTION>")]
    [Description(ScaleOut.ScaleOutCli.ClusterHelp)]
    public string? Cluster { get; set; }

    /// <summary>Shard to compute.</summary>
    [CommandOption("--shard <I/N>")]
    [Description(ScaleOut.ScaleOutCli.ShardHelp)]
    public string? Shard { get; set; }
}

/// <summary><c>kolmo classify</c>: classification by compression with accuracy, macro-F1 and confusion matrix.</summary>
public static class Classify
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(ClassifyOptions o, TextWriter? stdout = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(o);
        stdout ??= Console.Out;
        if (o.Train is null || o.Test is null)
        {
            throw new UsageException("both --train and --test are needed");
        }
        string method = o.Method.ToLowerInvariant();
        if (method is not "knn" and not "conditional")
        {
            throw new UsageException($"unknown method '{o.Method}' (knn or conditional)");
        }
        if (o.K < 1)
        {
            throw new UsageException("-k must be at least 1");
        }
        string compName = o.Compressor ?? (method == "knn" ? "deflate" : "ordermix");
        var c = InfoCli.Compressors(compName);
        if (c.Count != 1)
        {
            throw new UsageException("exactly one compressor is needed");
        }
        if (method == "conditional" && c[0] is not ModelCodeLength)
        {
            throw new UsageException($"--method conditional needs an adaptive model (ordermix, order3, cm), not {c[0].Name}");
        }
        var mode = ScaleOut.ScaleOutCli.Mode(o.Cluster, o.Shard);
        var sw = Stopwatch.StartNew();
        var train = DocumentSet.Load(o.Train);
        IReadOnlyList<LabeledDocument> test = DocumentSet.Load(o.Test);
        if (o.Sample > 0 && o.Sample < test.Count)
        {
            int step = (int)Math.Ceiling(test.Count / (double)o.Sample);
            test = [.. test.Where((_, i) => i % step == 0)];
        }
        if (method == "knn" && o.K > train.Count)
        {
            throw new UsageException($"-k {o.K} exceeds the {train.Count} training documents");
        }
        if (mode == ScaleOut.ScaleOutCli.RunMode.Shard)
        {
            return ScaleOut.ScaleOutCli.ClassifyShard(o, train, test, method, c[0].Name, cancel);
        }
        string[] pred;
        string name;
        if (mode == ScaleOut.ScaleOutCli.RunMode.Cluster)
        {
            (pred, name) = ScaleOut.ScaleOutCli.ClassifyOnCluster(o, train, test, method, c[0].Name, cancel);
        }
        else
        {
            ICompressionClassifier clf = method == "knn"
                ? new NcdKnnClassifier(c[0], train, o.K, o.Threads)
                : new ConditionalClassifier(CodeLengthPanel.SizedFactory(c[0].Name), train, o.Threads);
            var docs = test.Select(d => d.Data).ToArray();
            pred = InfoCli.WithProgress("classify", clf.WorkUnits(docs.Length), !o.Json, p => clf.Predict(docs, o.Threads, p));
            name = clf.Name;
        }
        Write([.. test.Select(d => (d.Id, d.Label))], pred, method, name, train.Count, sw.Elapsed.TotalSeconds, o.Out, o.Json, o.Force, stdout);
        return CliErrors.Ok;
    }

    /// <summary>
    /// Writes what <c>kolmo classify</c> prints (text or JSON) for predictions of a test set, and the predictions file.
    /// </summary>
    public static void Write(IReadOnlyList<(string Id, string Label)> test, IReadOnlyList<string> pred, string method, string classifier, int trainDocs, double seconds, string? outPath, bool json, bool force, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(stdout);
        var report = new ClassificationReport([.. test.Select(d => d.Label)], pred);
        if (outPath is not null)
        {
            var sb = new StringBuilder("id\ttruth\tpredicted\n");
            for (int i = 0; i < test.Count; i++)
            {
                sb.Append(test[i].Id).Append('\t').Append(test[i].Label).Append('\t').Append(pred[i]).Append('\n');
            }
            AtomicOutput.WriteAllBytes(outPath, Encoding.UTF8.GetBytes(sb.ToString()), force);
        }
        if (json)
        {
            int[][] confusion = [.. Enumerable.Range(0, report.Labels.Count).Select(i => Enumerable.Range(0, report.Labels.Count).Select(j => report.Confusion[i, j]).ToArray())];
            stdout.WriteLine(CliJson.Serialize(new ClassifyReport(method, classifier, seconds, trainDocs, report.Accuracy, report.MacroF1, report.Count, report.Labels, confusion),
                c => c.ClassifyReport, indented: false));
            return;
        }
        stdout.WriteLine($"{classifier}: {trainDocs} training documents, {test.Count} test documents");
        stdout.WriteLine($"accuracy {InfoCli.F(report.Accuracy, "F4")}   macro-F1 {InfoCli.F(report.MacroF1, "F4")}   {InfoCli.F(seconds, "F2")} s");
        stdout.WriteLine("confusion matrix (rows: truth, columns: predicted):");
        var rows = report.Labels.Select((l, i) => (IReadOnlyList<string>)[l, .. Enumerable.Range(0, report.Labels.Count).Select(j => report.Confusion[i, j].ToString(InfoCli.Inv)), InfoCli.F(report.F1[i], "F3")]).ToList();
        stdout.Write(InfoCli.Table(["truth \\ predicted", .. report.Labels, "F1"], rows));
    }
}

/// <summary>Spectre command wrapper of <see cref="Classify.Run"/>.</summary>
public sealed class ClassifyCommand : Command<ClassifyOptions>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ClassifyOptions settings, CancellationToken cancellationToken) => Classify.Run(settings, cancel: cancellationToken);
}

/// <summary>Settings of <c>kolmo bound</c>.</summary>
public sealed class BoundOptions : CommandSettings
{
    /// <summary>Training error.</summary>
    [CommandOption("--train-error <E>")]
    [Description("Training error rate, between 0 and 1")]
    [DefaultValue(0.0)]
    public double TrainError { get; set; }

    /// <summary>Model bits.</summary>
    [CommandOption("-b|--bits <B>")]
    [Description("Bits to describe the model (or give --params and --bits-per-param)")]
    public double? Bits { get; set; }

    /// <summary>Parameters.</summary>
    [CommandOption("--params <P>")]
    [Description("Number of parameters (b = P × bits-per-param)")]
    public long? Params { get; set; }

    /// <summary>Bits per parameter.</summary>
    [CommandOption("--bits-per-param <Q>")]
    [Description("Precision of each parameter in bits")]
    [DefaultValue(32)]
    public int BitsPerParam { get; set; } = 32;

    /// <summary>Samples.</summary>
    [CommandOption("-m|--samples <M>")]
    [Description("Number of training samples m")]
    public long? Samples { get; set; }

    /// <summary>δ.</summary>
    [CommandOption("-d|--delta <D>")]
    [Description("Failure probability delta in (0, 1)")]
    [DefaultValue(0.05)]
    public double Delta { get; set; } = 0.05;

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Print JSON {trainError, bits, samples, delta, gap, bound}")]
    public bool Json { get; set; }
}

/// <summary><c>kolmo bound</c>: the Occam/PAC bound of a finite-precision model.</summary>
public static class Bound
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(BoundOptions o, TextWriter? stdout = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        stdout ??= Console.Out;
        if (o.Samples is not long m)
        {
            throw new UsageException("--samples is needed");
        }
        if (o.Bits is null && o.Params is null)
        {
            throw new UsageException("give --bits, or --params (with --bits-per-param)");
        }
        if (o.Bits is not null && o.Params is not null)
        {
            throw new UsageException("give either --bits or --params, not both");
        }
        double b = o.Bits ?? (double)o.Params!.Value * o.BitsPerParam;
        double gap, bound;
        try
        {
            gap = OccamBound.Gap(b, m, o.Delta);
            bound = OccamBound.TestErrorBound(o.TrainError, b, m, o.Delta);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0].Split('\n')[0]);
        }
        if (o.Json)
        {
            stdout.WriteLine(CliJson.Serialize(new BoundReport(o.TrainError, b, m, o.Delta, gap, bound), c => c.BoundReport, indented: false));
            return CliErrors.Ok;
        }
        stdout.WriteLine(string.Create(InfoCli.Inv, $"with probability >= {1 - o.Delta:0.###}: test error <= {o.TrainError:0.####} + sqrt(({b:0} * ln2 + ln(1/{o.Delta:0.####})) / (2 * {m})) = {o.TrainError:0.####} + {gap:0.####} = {bound:0.####}{(bound >= 1 ? "  (vacuous: >= 1)" : "")}"));
        return CliErrors.Ok;
    }
}

/// <summary>Spectre command wrapper of <see cref="Bound.Run"/>.</summary>
public sealed class BoundCommand : Command<BoundOptions>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, BoundOptions settings, CancellationToken cancellationToken) => Bound.Run(settings);
}

/// <summary>What <c>kolmo classify --json</c> prints.</summary>
/// <param name="Method">knn or conditional.</param>
/// <param name="Classifier">The classifier's name (method and compressor).</param>
/// <param name="Seconds">Wall-clock time.</param>
/// <param name="TrainDocs">Training documents.</param>
/// <param name="Accuracy">Fraction predicted correctly (top-1).</param>
/// <param name="MacroF1">Unweighted mean F1 over the labels.</param>
/// <param name="Count">Test documents classified.</param>
/// <param name="Labels">The labels, in the order of the confusion matrix.</param>
/// <param name="Confusion">Confusion[truth][predicted].</param>
public sealed record ClassifyReport(string Method, string Classifier, double Seconds, int TrainDocs, double Accuracy, double MacroF1, int Count,
    IReadOnlyList<string> Labels, int[][] Confusion);

/// <summary>What <c>kolmo bound --json</c> prints.</summary>
/// <param name="TrainError">Training error.</param>
/// <param name="Bits">Bits to describe the model.</param>
/// <param name="Samples">Training samples m.</param>
/// <param name="Delta">Failure probability.</param>
/// <param name="Gap">sqrt((b ln 2 + ln(1/δ)) / 2m).</param>
/// <param name="Bound">Train error + gap.</param>
public sealed record BoundReport(double TrainError, double Bits, long Samples, double Delta, double Gap, double Bound);
