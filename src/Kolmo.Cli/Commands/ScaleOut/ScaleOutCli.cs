using System.Globalization;
using System.Runtime.InteropServices;
using Kolmo.Cli.Commands.Compression;
using Kolmo.Cli.Commands.Information;
using Kolmo.Cli.Infrastructure;
using Kolmo.Cluster.Grains;
using Kolmo.Cluster.Hosting;
using Kolmo.Cluster.Work;
using Kolmo.Compression;
using Kolmo.Learning;

namespace Kolmo.Cli.Commands.ScaleOut;

/// <summary>
/// The <c>--cluster</c> and <c>--shard</c> paths of <c>ncd</c>, <c>classify</c> and <c>compress</c>: the same
/// inputs become a <see cref="JobSpec"/>, which a cluster or this process computes in tasks; the results are then
/// written exactly as the single-process path writes them.
/// </summary>
internal static class ScaleOutCli
{
    public const string ClusterHelp = "Run the work on a cluster of `kolmo worker`s: localhost, or redis://HOST:PORT[[/CLUSTER]]. Same result as without it";

    public const string ShardHelp = "Compute only shard i of N (0-based, e.g. 0/4) into the shard file -o, for `kolmo merge`";

    /// <summary>How a command runs.</summary>
    public enum RunMode
    {
        /// <summary>In this process, as always.</summary>
        Local,

        /// <summary>On a cluster (<c>--cluster</c>).</summary>
        Cluster,

        /// <summary>One shard, in this process (<c>--shard</c>).</summary>
        Shard,
    }

    /// <summary>The mode that <c>--cluster</c> and <c>--shard</c> ask for (they exclude each other).</summary>
    public static RunMode Mode(string? cluster, string? shard)
    {
        if (cluster is not null && shard is not null)
        {
            throw new UsageException("--cluster and --shard cannot be combined (a shard runs in this process)");
        }
        if (shard is not null)
        {
            _ = ParseShard(shard);
            return RunMode.Shard;
        }
        if (cluster is not null)
        {
            _ = ParseConnection(cluster);
            return RunMode.Cluster;
        }
        return RunMode.Local;
    }

    public static DistanceMatrix NcdOnCluster(NcdOptions o, CancellationToken cancel)
    {
        var (items, c) = Ncd.Inputs(o.Paths, o.Compressor);
        var spec = Spec(() => JobSpec.ForNcd(items, c.Name));
        var outcome = RunOnCluster(o.Cluster!, spec, [.. items.Select(i => i.Data)], "ncd", progress: true, onResult: null, cancel);
        return JobResults.Matrix(spec, outcome.Payloads);
    }

    public static int NcdShard(NcdOptions o, CancellationToken cancel)
    {
        if (o.Out is null || o.Json || o.Plot is not null)
        {
            throw new UsageException("--shard writes a shard file: give -o FILE (and no --json or --plot); `kolmo merge` makes the matrix");
        }
        var (items, c) = Ncd.Inputs(o.Paths, o.Compressor);
        var spec = Spec(() => JobSpec.ForNcd(items, c.Name));
        WriteShard(spec, [.. items.Select(i => i.Data)], ParseShard(o.Shard!), o.Threads, o.Out, o.Force, "ncd", "pairs", cancel);
        return CliErrors.Ok;
    }

    public static (string[] Predictions, string Classifier) ClassifyOnCluster(ClassifyOptions o, IReadOnlyList<LabeledDocument> train, IReadOnlyList<LabeledDocument> test, string method, string compressor, CancellationToken cancel)
    {
        var spec = Spec(() => JobSpec.ForClassify(train, test, method, compressor, o.K));
        var outcome = RunOnCluster(o.Cluster!, spec, [.. train.Concat(test).Select(d => d.Data)], "classify", progress: !o.Json, onResult: null, cancel);
        return (JobResults.Predictions(spec, outcome.Payloads), JobResults.ClassifierName(spec));
    }

    public static int ClassifyShard(ClassifyOptions o, IReadOnlyList<LabeledDocument> train, IReadOnlyList<LabeledDocument> test, string method, string compressor, CancellationToken cancel)
    {
        if (o.Out is null || o.Json)
        {
            throw new UsageException("--shard writes a shard file: give -o FILE (and no --json); `kolmo merge` makes the report");
        }
        var spec = Spec(() => JobSpec.ForClassify(train, test, method, compressor, o.K));
        WriteShard(spec, [.. train.Concat(test).Select(d => d.Data)], ParseShard(o.Shard!), o.Threads, o.Out, o.Force, "classify", "test documents", cancel);
        return CliErrors.Ok;
    }

    /// <summary>Every N-th input, from input i.</summary>
    public static string[] ShardOf(IReadOnlyList<string> inputs, string shard)
    {
        var s = ParseShard(shard);
        return [.. inputs.Where((_, k) => k % s.Count == s.Index)];
    }

    /// <summary>
    /// <c>compress --cluster</c>: every input file is a task; each result is written as it arrives, through the same
    /// atomic output as the local path. Outputs that exist are refused before any work starts.
    /// </summary>
    public static int CompressOnCluster(CompressSettings s, IReadOnlyList<string> inputs, ModelCompressor compressor, long? memory, CancellationToken cancel)
    {
        if (s.Stdout || inputs.Any(i => i == "-"))
        {
            throw new UsageException("--cluster compresses files to files: standard input and output (-, -c) are not supported");
        }
        if (s.PrimeData is not null || s.PrimeModel is not null)
        {
            throw new UsageException("--prime-data and --prime-model are not supported with --cluster (use --shard to split the files instead)");
        }
        var outputs = new string[inputs.Count];
        var files = new List<(string Name, byte[] Data)>();
        for (int k = 0; k < inputs.Count; k++)
        {
            string input = inputs[k];
            if (!File.Exists(input))
            {
                throw Directory.Exists(input) ? new UsageException($"{input} is a directory") : new FileNotFoundException($"{input}: no such file");
            }
            if (new FileInfo(input).Length > JobSpec.MaxDocumentBytes)
            {
                throw new UsageException($"{input} is larger than the {JobSpec.MaxDocumentBytes >> 20} MiB a cluster task takes; compress it without --cluster (the model reads a file in order, one core either way)");
            }
            outputs[k] = s.Output ?? CodecRunner.OutputName(input, compress: true);
            if (File.Exists(outputs[k]) && !s.Force)
            {
                throw new UsageException($"{outputs[k]} already exists; use -f/--force to overwrite it");
            }
            files.Add((input, File.ReadAllBytes(input)));
        }
        var spec = Spec(() => JobSpec.ForCompress(files, compressor.Name, compressor.Level, memory, compressor.BlockSize));
        RunOnCluster(s.Cluster!, spec, [.. files.Select(f => f.Data)], "compress", progress: false, onResult: r =>
        {
            string input = inputs[r.Task];
            using (var o = new AtomicOutput(outputs[r.Task], s.Force))
            {
                o.Stream.Write(r.Payload);
                o.Commit();
            }
            if (s.Remove)
            {
                File.Delete(input);
            }
            if (!s.Quiet)
            {
                long raw = spec.Lengths[r.Task];
                string bpb = raw > 0 ? (8.0 * r.Payload.Length / raw).ToString("F3", CultureInfo.InvariantCulture) + " bpb" : "- bpb";
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{input} -> {outputs[r.Task]}: {raw} -> {r.Payload.Length} bytes, {bpb}, {r.Seconds:F2} s on {r.Worker}"));
            }
        }, cancel);
        return CliErrors.Ok;
    }

    /// <summary>Runs a job on the cluster named by <paramref name="connectionText"/>, reporting its events and a summary line on stderr.</summary>
    public static JobOutcome RunOnCluster(string connectionText, JobSpec spec, IReadOnlyList<byte[]> documents, string title, bool progress, Action<TaskOutcome>? onResult, CancellationToken cancel)
    {
        var connection = ParseConnection(connectionText);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; interrupt.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; interrupt.Cancel(); });
        try
        {
            return Run().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            throw new OperationCanceledException("interrupted: the job was cancelled on the cluster");
        }

        async Task<JobOutcome> Run()
        {
            await using var host = await ClusterClientHost.ConnectAsync(connection, interrupt.Token);
            var client = new JobClient(host.Client);
            var work = JobWork.Create(spec, 1);
            long total = work.TotalUnits();
            var outcome = InfoCli.WithProgress(title, (int)Math.Min(total, int.MaxValue), progress && total <= int.MaxValue, p =>
                client.RunAsync(spec, documents,
                    onProgress: pr => p((int)Math.Min(pr.UnitsDone, int.MaxValue)),
                    onEvent: e => Console.Error.WriteLine($"kolmo: cluster: {e}"),
                    onResult: onResult,
                    cancel: interrupt.Token).GetAwaiter().GetResult());
            Console.Error.WriteLine($"kolmo: cluster {connection}: {Summary(outcome.Summary, work.TaskCount)}");
            return outcome;
        }
    }

    /// <summary>The summary line of a cluster run.</summary>
    public static string Summary(JobSummary s, int tasks)
    {
        ArgumentNullException.ThrowIfNull(s);
        var ci = CultureInfo.InvariantCulture;
        string text = string.Create(ci, $"{s.Workers} worker{(s.Workers == 1 ? "" : "s")} ({s.Lanes} lane{(s.Lanes == 1 ? "" : "s")}), {tasks} tasks, {s.Seconds:F2} s; ");
        text += s.WorkersLost == 0
            ? "no worker lost"
            : string.Create(ci, $"{s.WorkersLost} worker{(s.WorkersLost == 1 ? "" : "s")} lost: {s.TasksRetried} task{(s.TasksRetried == 1 ? "" : "s")} ran again, {s.LostSeconds:F1} s of work lost");
        if (s.DuplicatesDiscarded > 0)
        {
            text += string.Create(ci, $", {s.DuplicatesDiscarded} late duplicate result{(s.DuplicatesDiscarded == 1 ? "" : "s")} discarded (identical)");
        }
        if (s.Resubmissions > 0)
        {
            text += string.Create(ci, $", job submitted again {s.Resubmissions} time{(s.Resubmissions == 1 ? "" : "s")} after its coordinator was lost");
        }
        if (s.Attached)
        {
            text += ", attached to the running job";
        }
        return text;
    }

    private static void WriteShard(JobSpec spec, IReadOnlyList<byte[]> documents, Shard shard, int threads, string path, bool force, string title, string unit, CancellationToken cancel)
    {
        var work = JobWork.Create(spec, threads);
        var tasks = shard.Tasks(work.TaskCount);
        long units = tasks.Sum(t => work.Units(t));
        var file = InfoCli.WithProgress($"{title} shard {shard}", (int)Math.Min(units, int.MaxValue), units <= int.MaxValue,
            p => ShardFile.Compute(spec, documents, shard, threads, (done, _) => p((int)done), cancel));
        AtomicOutput.WriteAllBytes(path, file.ToJson(), force);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kolmo: {title}: shard {shard} of job {spec.Id[..12]}: {tasks.Count} of {work.TaskCount} tasks ({units} {unit}), {file.Seconds:F2} s -> {path}"));
    }

    private static JobSpec Spec(Func<JobSpec> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static Shard ParseShard(string text)
    {
        try
        {
            return Shard.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static ClusterConnection ParseConnection(string text)
    {
        try
        {
            return ClusterConnection.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }
}
