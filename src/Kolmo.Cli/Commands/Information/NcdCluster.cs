using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Kolmo.Cli.Infrastructure;
using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Reporting;
using Spectre.Console.Cli;

namespace Kolmo.Cli.Commands.Information;

/// <summary>Settings of <c>kolmo ncd</c>.</summary>
public sealed class NcdOptions : CommandSettings
{
    /// <summary>Inputs.</summary>
    [CommandArgument(0, "<PATHS>")]
    [Description("Files, or directories (every file inside, sorted by name)")]
    public string[] Paths { get; set; } = [];

    /// <summary>Compressor.</summary>
    [CommandOption("-c|--compressor <NAME>")]
    [Description("Compressor: ordermix (unbounded window, default), cm, order3, deflate, gzip, brotli, zstd-19, zstd-22-long, lzma, bzip2")]
    [DefaultValue("ordermix")]
    public string Compressor { get; set; } = "ordermix";

    /// <summary>Matrix output file.</summary>
    [CommandOption("-o|--out <FILE>")]
    [Description("Write the matrix here (.json for JSON, otherwise TSV) instead of to stdout")]
    public string? Out { get; set; }

    /// <summary>Stdout format.</summary>
    [CommandOption("--json")]
    [Description("Print the matrix as JSON instead of TSV")]
    public bool Json { get; set; }

    /// <summary>Heat map output.</summary>
    [CommandOption("--plot <FILE>")]
    [Description("Heat map picture (.png or .svg)")]
    public string? Plot { get; set; }

    /// <summary>Threads.</summary>
    [CommandOption("-T|--threads <N>")]
    [Description("Worker threads (0 = all cores); the result does not depend on it")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    /// <summary>Overwrite outputs.</summary>
    [CommandOption("-f|--force")]
    [Description("Overwrite existing output files")]
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

/// <summary><c>kolmo ncd</c>: the NCD matrix of files, plus a heat map.</summary>
public static class Ncd
{
    /// <summary>Computes (with a progress bar) the matrix for <paramref name="paths"/>.</summary>
    public static DistanceMatrix Matrix(IEnumerable<string> paths, string compressor, int threads, bool progress)
    {
        var (items, c) = Inputs(paths, compressor);
        return InfoCli.WithProgress("ncd", NcdMatrix.PairCount(items.Count), progress, p => NcdMatrix.Compute(c, items, threads, p));
    }

    /// <summary>Reads the inputs and the compressor of <c>kolmo ncd</c>, warning when pairs exceed the compressor's window.</summary>
    public static (List<(string Name, byte[] Data)> Items, ICodeLength Compressor) Inputs(IEnumerable<string> paths, string compressor)
    {
        var items = InfoCli.ReadInputs(paths);
        var c = InfoCli.Compressors(compressor);
        if (c.Count != 1)
        {
            throw new UsageException("exactly one compressor is needed");
        }
        var sizes = items.Select(i => (long)i.Data.Length).OrderDescending().ToArray();
        if (c[0].WindowBytes is long w && sizes[0] + sizes[1] > w)
        {
            int over = items.Count(i => i.Data.Length + sizes[0] > w);
            Console.Error.WriteLine($"kolmo: warning: pairs totalling more than {c[0].Name}'s window of {w} bytes (involving {over} of {items.Count} inputs) may get overestimated NCDs (the compressor cannot see all of x while coding y; NCD(x,x) drifts from 0 once an input nears the window)");
        }
        return (items, c[0]);
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(NcdOptions o, TextWriter? stdout = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(o);
        stdout ??= Console.Out;
        InfoCli.CheckPicturePath(o.Plot);
        if (ScaleOut.ScaleOutCli.Mode(o.Cluster, o.Shard) == ScaleOut.ScaleOutCli.RunMode.Shard)
        {
            return ScaleOut.ScaleOutCli.NcdShard(o, cancel);
        }
        var sw = Stopwatch.StartNew();
        var m = o.Cluster is not null ? ScaleOut.ScaleOutCli.NcdOnCluster(o, cancel) : Matrix(o.Paths, o.Compressor, o.Threads, progress: true);
        Write(m, o.Compressor, o.Out, o.Json, o.Plot, o.Force, stdout);
        Console.Error.WriteLine($"kolmo: ncd: {m.Count} inputs, {NcdMatrix.PairCount(m.Count)} pairs, {o.Compressor}, {InfoCli.F(sw.Elapsed.TotalSeconds, "F2")} s");
        return CliErrors.Ok;
    }

    /// <summary>
    /// Writes a matrix as <c>kolmo ncd</c> does: to <paramref name="outPath"/> (.json or TSV) or stdout, and the heat
    /// map; the matrix file and its plot appear together or not at all.
    /// </summary>
    public static void Write(DistanceMatrix m, string compressor, string? outPath, bool json, string? plot, bool force, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(stdout);
        var files = new List<(string, byte[])>();
        if (outPath is not null)
        {
            bool jsonFile = Path.GetExtension(outPath).Equals(".json", StringComparison.OrdinalIgnoreCase);
            files.Add((outPath, Encoding.UTF8.GetBytes(jsonFile ? m.ToJson() + "\n" : m.ToTsv())));
        }
        else
        {
            stdout.Write(json ? m.ToJson() + "\n" : m.ToTsv());
        }
        if (plot is not null)
        {
            files.Add((plot, DistanceFigures.Heatmap(m, $"NCD ({compressor})", InfoCli.IsSvg(plot))));
        }
        AtomicOutput.WriteAll(force, [.. files]);
    }
}

/// <summary>Spectre command wrapper of <see cref="Ncd.Run"/>.</summary>
public sealed class NcdCommand : Command<NcdOptions>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, NcdOptions settings, CancellationToken cancellationToken) => Ncd.Run(settings, cancel: cancellationToken);
}

/// <summary>Settings of <c>kolmo cluster</c>.</summary>
public sealed class ClusterOptions : CommandSettings
{
    /// <summary>Inputs.</summary>
    [CommandArgument(0, "<INPUTS>")]
    [Description("A distance matrix (.tsv from `kolmo ncd`), or files/directories to compare with NCD")]
    public string[] Inputs { get; set; } = [];

    /// <summary>Tree method.</summary>
    [CommandOption("-m|--method <METHOD>")]
    [Description("upgma (rooted, ultrametric) or nj (neighbour joining, unrooted, written rooted at its last join)")]
    [DefaultValue("upgma")]
    public string Method { get; set; } = "upgma";

    /// <summary>Compressor for file inputs.</summary>
    [CommandOption("-c|--compressor <NAME>")]
    [Description("Compressor when inputs are files")]
    [DefaultValue("ordermix")]
    public string Compressor { get; set; } = "ordermix";

    /// <summary>Newick output.</summary>
    [CommandOption("-o|--out <FILE>")]
    [Description("Write the Newick tree here instead of to stdout")]
    public string? Out { get; set; }

    /// <summary>Dendrogram output.</summary>
    [CommandOption("--plot <FILE>")]
    [Description("Dendrogram picture (.png or .svg)")]
    public string? Plot { get; set; }

    /// <summary>Class labels for purity.</summary>
    [CommandOption("--labels <FILE>")]
    [Description("TSV of name<TAB>...class...: report cluster purity at the number of classes (names match with or without extension)")]
    public string? Labels { get; set; }

    /// <summary>Class column.</summary>
    [CommandOption("--label-column <N>")]
    [Description("1-based column of the class in --labels (the name is column 1)")]
    [DefaultValue(2)]
    public int LabelColumn { get; set; } = 2;

    /// <summary>Threads.</summary>
    [CommandOption("-T|--threads <N>")]
    [Description("Worker threads for NCD (0 = all cores)")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    /// <summary>Overwrite outputs.</summary>
    [CommandOption("-f|--force")]
    [Description("Overwrite existing output files")]
    public bool Force { get; set; }
}

/// <summary><c>kolmo cluster</c>: UPGMA or NJ tree as Newick, dendrogram picture, optional purity.</summary>
public static class Cluster
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(ClusterOptions o, TextWriter? stdout = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        stdout ??= Console.Out;
        InfoCli.CheckPicturePath(o.Plot);
        string method = o.Method.ToLowerInvariant();
        if (method is not "upgma" and not "nj")
        {
            throw new UsageException($"unknown method '{o.Method}' (upgma or nj)");
        }
        DistanceMatrix m;
        if (o.Inputs.Length == 1 && File.Exists(o.Inputs[0]) && Path.GetExtension(o.Inputs[0]).Equals(".tsv", StringComparison.OrdinalIgnoreCase))
        {
            m = DistanceMatrix.ParseTsv(File.ReadAllText(o.Inputs[0]));
        }
        else
        {
            m = Ncd.Matrix(o.Inputs, o.Compressor, o.Threads, progress: true);
        }
        if (m.Count < 2)
        {
            throw new InvalidDataException("at least 2 items are needed to build a tree");
        }
        var tree = method == "upgma" ? Clustering.Upgma(m) : Clustering.NeighborJoining(m);
        string newick = tree.ToNewick() + "\n";
        var files = new List<(string, byte[])>();   // the tree and its plot appear together or not at all
        if (o.Out is not null)
        {
            files.Add((o.Out, Encoding.UTF8.GetBytes(newick)));
        }
        else
        {
            stdout.Write(newick);
        }
        if (o.Plot is not null)
        {
            files.Add((o.Plot, DistanceFigures.Dendrogram(tree, method == "upgma" ? "UPGMA" : "neighbour joining", InfoCli.IsSvg(o.Plot))));
        }
        AtomicOutput.WriteAll(o.Force, [.. files]);
        if (o.Labels is not null)
        {
            var classOf = ReadLabels(o.Labels, o.LabelColumn, m.Labels);
            int k = classOf.Values.Distinct().Count();
            double purity = Clustering.Purity(Clustering.Cut(tree, k), classOf);
            double baseline = Clustering.Purity([[.. m.Labels]], classOf);
            Console.Error.WriteLine($"kolmo: cluster: purity {InfoCli.F(purity, "F3")} at {k} clusters (one cluster: {InfoCli.F(baseline, "F3")})");
        }
        return CliErrors.Ok;
    }

    private static Dictionary<string, string> ReadLabels(string path, int column, IReadOnlyList<string> names)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        if (column < 2)
        {
            throw new UsageException("--label-column must be 2 or more");
        }
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split('\t');
            if (f.Length >= column)
            {
                byName[f[0]] = f[column - 1];
                byName.TryAdd(Path.GetFileNameWithoutExtension(f[0]), f[column - 1]);
            }
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (byName.TryGetValue(n, out var c) || byName.TryGetValue(Path.GetFileNameWithoutExtension(n), out c))
            {
                result[n] = c;
            }
            else
            {
                throw new InvalidDataException($"{path}: no class for '{n}'");
            }
        }
        return result;
    }
}

/// <summary>Spectre command wrapper of <see cref="Cluster.Run"/>.</summary>
public sealed class ClusterCommand : Command<ClusterOptions>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ClusterOptions settings, CancellationToken cancellationToken) => Cluster.Run(settings);
}
