using System.ComponentModel;
using System.Net;
using Kolmo.Cli.Commands.Information;
using Kolmo.Cli.Infrastructure;
using Kolmo.Cluster.Hosting;
using Kolmo.Cluster.Work;
using Spectre.Console.Cli;

namespace Kolmo.Cli
{
    /// <summary>Registers the scale-out commands: <c>worker</c> and <c>merge</c>.</summary>
    public static partial class Program
    {
        static partial void ConfigureScaleOut(IConfigurator config)
        {
            config.AddCommand<Commands.ScaleOut.WorkerCommand>("worker")
                .WithDescription("Start a worker (an Orleans silo) that runs ncd, classify and compress jobs sent with --cluster")
                .WithExample("worker").WithExample("worker", "--cluster", "redis://127.0.0.1:6379", "--threads", "2");
            config.AddCommand<Commands.ScaleOut.MergeCommand>("merge")
                .WithDescription("Put the shard files of `ncd --shard`/`classify --shard` together into the command's usual output")
                .WithExample("merge", "part-0.json", "part-1.json", "part-2.json", "-o", "ncd.tsv");
        }
    }
}

namespace Kolmo.Cli.Commands.ScaleOut
{
    /// <summary>Settings of <c>kolmo worker</c>.</summary>
    public sealed class WorkerSettings : CommandSettings
    {
        [CommandOption("--cluster <CONNECTION>")]
        [Description("Cluster to join: localhost (this machine only; the first worker is the primary) or redis://HOST:PORT[[/CLUSTER]]")]
        [DefaultValue("localhost")]
        public string Cluster { get; set; } = "localhost";

        [CommandOption("--address <IP>")]
        [Description("Address to listen on and advertise (Redis clusters; default 127.0.0.1, reachable from this machine only)")]
        [DefaultValue("127.0.0.1")]
        public string Address { get; set; } = "127.0.0.1";

        [CommandOption("--port <N>")]
        [Description("Silo-to-silo port (default: localhost 11111 and up; Redis: a free port)")]
        [DefaultValue(0)]
        public int Port { get; set; }

        [CommandOption("--gateway-port <N>")]
        [Description("Port clients connect to (default: localhost 30000 and up; Redis: a free port)")]
        [DefaultValue(0)]
        public int GatewayPort { get; set; }

        [CommandOption("-T|--threads <N>")]
        [Description("Tasks run at once (0 = one per core)")]
        [DefaultValue(0)]
        public int Threads { get; set; }

        [CommandOption("-v|--verbose")]
        [Description("Log the jobs' progress and Orleans' own messages")]
        public bool Verbose { get; set; }
    }

    /// <summary><c>kolmo worker</c>: runs a silo until SIGINT/SIGTERM.</summary>
    public sealed class WorkerCommand : AsyncCommand<WorkerSettings>
    {
        public override async Task<int> ExecuteAsync(CommandContext context, WorkerSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            ClusterConnection connection;
            try
            {
                connection = ClusterConnection.Parse(settings.Cluster);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
            }
            if (!IPAddress.TryParse(settings.Address, out var address))
            {
                throw new UsageException($"--address {settings.Address}: not an IP address");
            }
            if (connection.Kind == MembershipKind.Localhost && !IPAddress.IsLoopback(address))
            {
                throw new UsageException("a localhost cluster listens on 127.0.0.1 only; use --cluster redis://HOST:PORT to listen on another address");
            }
            if (settings.Threads < 0 || settings.Threads > 1024)
            {
                throw new UsageException("--threads must be 0-1024");
            }
            if (settings.Port is < 0 or > 65535 || settings.GatewayPort is < 0 or > 65535)
            {
                throw new UsageException("--port and --gateway-port must be 1-65535");
            }
            WorkerHost worker;
            try
            {
                worker = await WorkerHost.StartAsync(new WorkerOptions
                {
                    Connection = connection,
                    Address = address,
                    SiloPort = settings.Port,
                    GatewayPort = settings.GatewayPort,
                    Lanes = settings.Threads,
                    Verbose = settings.Verbose,
                }, cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                throw new UsageException(e.Message);
            }
            await using (worker)
            {
                Console.Error.WriteLine($"kolmo worker: ready: {worker.Description}");
                try
                {
                    await worker.WaitForShutdownAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // asked to stop
                }
            }
            Console.Error.WriteLine("kolmo worker: stopped");
            return CliErrors.Ok;
        }
    }

    /// <summary>Settings of <c>kolmo merge</c>.</summary>
    public sealed class MergeSettings : CommandSettings
    {
        [CommandArgument(0, "<SHARDS>")]
        [Description("Shard files (from --shard i/N), or directories holding them")]
        public string[] Shards { get; set; } = [];

        [CommandOption("-o|--out <FILE>")]
        [Description("ncd: write the matrix here (.json for JSON, otherwise TSV); classify: write the predictions here")]
        public string? Out { get; set; }

        [CommandOption("--json")]
        [Description("Print JSON (the matrix, or the classification report) instead of text")]
        public bool Json { get; set; }

        [CommandOption("--plot <FILE>")]
        [Description("ncd: heat map picture (.png or .svg)")]
        public string? Plot { get; set; }

        [CommandOption("-f|--force")]
        [Description("Overwrite existing output files")]
        public bool Force { get; set; }
    }

    /// <summary><c>kolmo merge</c>: shard files → the output the unsharded command would have written.</summary>
    public sealed class MergeCommand : Command<MergeSettings>
    {
        public override int Execute(CommandContext context, MergeSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            InfoCli.CheckPicturePath(settings.Plot);
            var files = new List<string>();
            foreach (var p in settings.Shards)
            {
                if (Directory.Exists(p))
                {
                    files.AddRange(Directory.GetFiles(p).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
                }
                else if (File.Exists(p))
                {
                    files.Add(p);
                }
                else
                {
                    throw new FileNotFoundException($"{p}: no such file or directory", p);
                }
            }
            if (files.Count == 0)
            {
                throw new UsageException("no shard files given");
            }
            var shards = files.Select(f => (f, ShardFile.Parse(File.ReadAllBytes(f), f))).ToList();
            var (spec, payloads, seconds) = ShardFile.Merge(shards);
            switch (spec.Kind)
            {
                case JobKind.Ncd:
                    var m = JobResults.Matrix(spec, payloads);
                    Ncd.Write(m, spec.Compressor, settings.Out, settings.Json, settings.Plot, settings.Force, Console.Out);
                    Console.Error.WriteLine($"kolmo: merge: {shards.Count} shards of ncd job {spec.Id[..12]}: {m.Count} inputs, {Learning.NcdMatrix.PairCount(m.Count)} pairs, {spec.Compressor}, {InfoCli.F(seconds, "F2")} s in the shards");
                    break;
                case JobKind.Classify:
                    if (settings.Plot is not null)
                    {
                        throw new UsageException("--plot is for ncd shards");
                    }
                    var pred = JobResults.Predictions(spec, payloads);
                    var test = Enumerable.Range(spec.TrainCount, spec.Count - spec.TrainCount).Select(i => (spec.Names[i], spec.Labels[i])).ToList();
                    Classify.Write(test, pred, spec.Method, JobResults.ClassifierName(spec), spec.TrainCount, seconds, settings.Out, settings.Json, settings.Force, Console.Out);
                    Console.Error.WriteLine($"kolmo: merge: {shards.Count} shards of classify job {spec.Id[..12]}: {pred.Length} test documents, {InfoCli.F(seconds, "F2")} s in the shards");
                    break;
                default:
                    throw new InvalidDataException($"{shards[0].f}: a {spec.Kind} job has nothing to merge");
            }
            return CliErrors.Ok;
        }
    }
}
