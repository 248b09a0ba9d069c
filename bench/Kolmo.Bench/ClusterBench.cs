using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kolmo.Cluster.Hosting;
using Kolmo.Cluster.Work;
using Kolmo.Information;
using Kolmo.Learning;

namespace Kolmo.Bench;

/// <summary>
/// Scale-out suites: <c>cluster</c> measures the NCD throughput of one worker process against two (and the
/// single-process path, one and two threads, in the same run); <c>cluster-faults</c> kills a worker in the middle of
/// each of many jobs and checks that every pair arrives exactly once and the matrix is the single-process one. Both
/// write docs/bench/cluster[-faults]-DATE.{md,tsv}.
/// </summary>
public static partial class Program
{
    static partial void RegisterCluster(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["cluster"] = ("NCD on 1 vs 2 worker processes (1 lane each) and in one process, CPU per pair by compressor; [--docs 48] [--bytes 8192] [--compressor ordermix] [--costs deflate,zstd-19,ordermix,cm] [--cost-docs 10]", a => ClusterBench.Speedup(a).GetAwaiter().GetResult());
        suites["cluster-faults"] = ("kill a worker mid-job, N trials: lost/duplicated pairs, identical matrix, time lost; [--trials 10] [--docs 36] [--bytes 16000] [--compressor deflate] [--seed 1]", a => ClusterBench.Faults(a).GetAwaiter().GetResult());
    }
}

internal static class ClusterBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Speedup(string[] args)
    {
        var opts = Options(args);
        int count = int.Parse(opts.GetValueOrDefault("docs", "48"), Inv);
        int bytes = int.Parse(opts.GetValueOrDefault("bytes", "8192"), Inv);
        string compressor = opts.GetValueOrDefault("compressor", "ordermix");
        if (!LocalhostFree())
        {
            Console.Error.WriteLine("ports 11111/30000 on 127.0.0.1 are taken (a `kolmo worker` running?): stop it first");
            return 1;
        }
        var docs = Documents(count, bytes);
        var spec = JobSpec.ForNcd(docs, compressor);
        int pairs = NcdMatrix.PairCount(count);
        var c = CodeLengthPanel.Create([compressor]).Single();
        var rows = new List<(string Config, double Wall, double Cpu, string Load, bool Same)>();

        var me = Process.GetCurrentProcess();
        // CPU per pair of each compressor, one thread (the cost model of docs/SCALE.md)
        var costs = new List<(string Compressor, int Pairs, double Cpu)>();
        int costDocs = int.Parse(opts.GetValueOrDefault("cost-docs", "10"), Inv);
        foreach (string name in opts.GetValueOrDefault("costs", "deflate,zstd-19,ordermix,cm").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var sample = docs.Take(costDocs).ToList();
            var costed = CodeLengthPanel.Create([name]).Single();
            NcdMatrix.Compute(costed, docs.Skip(costDocs).Take(3).ToList(), 1); // JIT warm-up, not timed
            me.Refresh();
            var before = me.TotalProcessorTime;
            NcdMatrix.Compute(costed, sample, 1);
            me.Refresh();
            costs.Add((name, NcdMatrix.PairCount(sample.Count), (me.TotalProcessorTime - before).TotalSeconds));
        }
        DistanceMatrix reference = null!;
        foreach (int threads in new[] { 1, 2 })
        {
            string load0 = LoadAverage();
            var cpu0 = me.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var m = NcdMatrix.Compute(c, docs, threads);
            double wall = sw.Elapsed.TotalSeconds;
            me.Refresh();
            reference ??= m;
            rows.Add(($"one process, {threads} thread{(threads == 1 ? "" : "s")}", wall, (me.TotalProcessorTime - cpu0).TotalSeconds, $"{load0}→{LoadAverage()}", m.ToTsv() == reference.ToTsv()));
        }

        var workers = new List<Worker>();
        try
        {
            workers.Add(Worker.Start("localhost"));
            workers[0].WaitReady();
            await using var host = await ClusterClientHost.ConnectAsync(ClusterConnection.Localhost);
            var client = new JobClient(host.Client);
            for (int n = 1; n <= 2; n++)
            {
                if (n == 2)
                {
                    workers.Add(Worker.Start("localhost"));
                    workers[1].WaitReady();
                }
                // a small job first, so every worker has joined and compiled its code before the measured one
                var warm = Documents(6, bytes / 4);
                await client.RunAsync(JobSpec.ForNcd(warm, compressor), [.. warm.Select(d => d.Data)]);
                double cpu0 = workers.Sum(w => w.CpuSeconds());
                string load0 = LoadAverage();
                var sw = Stopwatch.StartNew();
                var outcome = await client.RunAsync(spec, [.. docs.Select(d => d.Data)]);
                double wall = sw.Elapsed.TotalSeconds;
                var m = JobResults.Matrix(spec, outcome.Payloads);
                rows.Add(($"{n} worker process{(n == 1 ? "" : "es")} ({outcome.Summary.Workers} joined, {outcome.Summary.Lanes} lanes)", wall, workers.Sum(w => w.CpuSeconds()) - cpu0, $"{load0}→{LoadAverage()}", m.ToTsv() == reference.ToTsv()));
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Dispose();
            }
        }

        double oneWorker = rows[2].Wall;
        var md = new StringBuilder(InfoBench.Header("Scale-out: NCD on one and two worker processes",
            $"dotnet run --project bench/Kolmo.Bench -c Release -- cluster --docs {count} --bytes {bytes} --compressor {compressor}"));
        md.Append(Inv, $"{count} documents of {bytes} bytes (consecutive slices of the English books in data/english), {pairs} pairs, `{compressor}`. ");
        md.Append("Workers are `kolmo worker --threads 1` processes on localhost clustering; the client runs in the bench process. ");
        md.Append("Wall time is from submission to the last result (upload included); CPU is the workers' (or the process's) user+system time. ");
        md.Append("The 2-worker speed-up is only meaningful on an otherwise idle machine with at least two cores.\n\n");
        md.Append("| configuration | wall s | CPU s | pairs/s | pairs per CPU-s | speed-up vs 1 worker | load | same matrix |\n|---|---:|---:|---:|---:|---:|---|:---:|\n");
        var tsv = new StringBuilder("configuration\twall_s\tcpu_s\tpairs_per_s\tpairs_per_cpu_s\tspeedup_vs_1_worker\tload\tsame_matrix\n");
        foreach (var r in rows)
        {
            md.Append(Inv, $"| {r.Config} | {r.Wall:F2} | {r.Cpu:F2} | {pairs / r.Wall:F1} | {pairs / r.Cpu:F1} | {oneWorker / r.Wall:F2} | {r.Load} | {(r.Same ? "yes" : "NO")} |\n");
            tsv.Append(Inv, $"{r.Config}\t{r.Wall:R}\t{r.Cpu:R}\t{pairs / r.Wall:R}\t{pairs / r.Cpu:R}\t{oneWorker / r.Wall:R}\t{r.Load}\t{r.Same}\n");
        }
        md.Append(Inv, $"\nCPU per pair, one thread, {costDocs} of the documents above ({NcdMatrix.PairCount(costDocs)} pairs, each C(xy) and C(yx), C(x) once per document; each compressor warmed up on 3 other documents first):\n\n");
        md.Append("| compressor | pairs | CPU s | CPU ms per pair |\n|---|---:|---:|---:|\n");
        foreach (var (name, n, cpu) in costs)
        {
            md.Append(Inv, $"| {name} | {n} | {cpu:F2} | {1000 * cpu / n:F1} |\n");
            tsv.Append(Inv, $"cost {name}\t\t{cpu:R}\t\t{n / cpu:R}\t\t\t\n");
        }
        Save("cluster", md.ToString(), tsv.ToString());
        return rows.All(r => r.Same) ? 0 : 3;
    }

    public static async Task<int> Faults(string[] args)
    {
        var opts = Options(args);
        int trials = int.Parse(opts.GetValueOrDefault("trials", "10"), Inv);
        int count = int.Parse(opts.GetValueOrDefault("docs", "36"), Inv);
        int bytes = int.Parse(opts.GetValueOrDefault("bytes", "16000"), Inv);
        string compressor = opts.GetValueOrDefault("compressor", "deflate");
        var rng = new Random(int.Parse(opts.GetValueOrDefault("seed", "1"), Inv));
        string? redisServer = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);
        if (redisServer is null && !LocalhostFree())
        {
            Console.Error.WriteLine("no redis-server, and ports 11111/30000 on 127.0.0.1 are taken: install redis-server or stop the running worker");
            return 1;
        }
        var docs = Documents(count, bytes);
        var spec = JobSpec.ForNcd(docs, compressor);
        var work = JobWork.Create(spec, 1);
        string reference = NcdMatrix.Compute(CodeLengthPanel.Create([compressor]).Single(), docs).ToTsv();
        var rows = new List<string>();
        int totalLost = 0, totalDuplicated = 0, identical = 0;
        Process? redis = null;
        var workers = new Worker?[3];
        try
        {
            string cluster = "localhost";
            if (redisServer is not null)
            {
                int port = FreePort();
                redis = Process.Start(new ProcessStartInfo(redisServer) { ArgumentList = { "--port", port.ToString(Inv), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning" }, UseShellExecute = false })!;
                cluster = $"redis://127.0.0.1:{port}/faults";
                WaitListening(port, redis);
            }
            for (int w = 0; w < workers.Length; w++)
            {
                workers[w] = Worker.Start(cluster);
                workers[w]!.WaitReady();
            }
            await using var host = await ClusterClientHost.ConnectAsync(ClusterConnection.Parse(cluster));
            var client = new JobClient(host.Client);
            for (int t = 1; t <= trials; t++)
            {
                // with localhost membership the first worker holds the membership table: only the others may be killed
                int victim = redisServer is null ? 1 + rng.Next(workers.Length - 1) : rng.Next(workers.Length);
                double at = 0.1 + 0.7 * rng.NextDouble();
                var sw = Stopwatch.StartNew();
                double killedAt = -1, detected = -1;
                var events = new List<string>();
                var outcome = await client.RunAsync(spec, [.. docs.Select(d => d.Data)],
                    onProgress: p =>
                    {
                        if (killedAt < 0 && p.TasksDone >= at * p.TaskCount)
                        {
                            workers[victim]!.Kill();
                            killedAt = sw.Elapsed.TotalSeconds;
                        }
                    },
                    onEvent: e =>
                    {
                        events.Add(e);
                        if (detected < 0 && killedAt >= 0 && e.Contains("lost", StringComparison.Ordinal))
                        {
                            detected = sw.Elapsed.TotalSeconds;
                        }
                    });
                double wall = sw.Elapsed.TotalSeconds;
                // every pair of the upper triangle must come back exactly once
                var seen = new int[count, count];
                for (int task = 0; task < outcome.Payloads.Length; task++)
                {
                    if (outcome.Payloads[task] is null)
                    {
                        continue;
                    }
                    foreach (var (i, j) in NcdTiles.Pairs(count, spec.TaskSize, task))
                    {
                        seen[i, j]++;
                    }
                }
                int lost = 0, duplicated = 0;
                for (int i = 0; i < count; i++)
                {
                    for (int j = i; j < count; j++)
                    {
                        lost += seen[i, j] == 0 ? 1 : 0;
                        duplicated += seen[i, j] > 1 ? 1 : 0;
                    }
                }
                bool same = JobResults.Matrix(spec, outcome.Payloads).ToTsv() == reference;
                var s = outcome.Summary;
                totalLost += lost;
                totalDuplicated += duplicated;
                identical += same ? 1 : 0;
                rows.Add(string.Create(Inv, $"{t}\t{victim}\t{at:F2}\t{killedAt:F2}\t{(detected < 0 ? "-" : (detected - killedAt).ToString("F2", Inv))}\t{wall:F2}\t{s.WorkersLost}\t{s.TasksRetried}\t{s.LostSeconds:F2}\t{s.Resubmissions}\t{s.DuplicatesDiscarded + s.RepeatedArrivals}\t{s.TasksReceived}/{work.TaskCount}\t{lost}\t{duplicated}\t{(same ? "yes" : "NO")}"));
                Console.Error.WriteLine($"trial {t}: {rows[^1]}");
                Console.Error.WriteLine("  " + string.Join("\n  ", events));
                workers[victim]!.Dispose();
                workers[victim] = Worker.Start(cluster);
                workers[victim]!.WaitReady();
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                w?.Dispose();
            }
            if (redis is not null)
            {
                redis.Kill();
                redis.Dispose();
            }
        }

        var md = new StringBuilder(InfoBench.Header("Scale-out: a worker killed in the middle of each job",
            $"dotnet run --project bench/Kolmo.Bench -c Release -- cluster-faults --trials {trials} --docs {count} --bytes {bytes} --compressor {compressor}"));
        md.Append(Inv, $"{trials} trials; each runs an NCD job ({count} documents of {bytes} bytes, {NcdMatrix.PairCount(count)} pairs in {work.TaskCount} tasks, `{compressor}`) ");
        md.Append(Inv, $"on 3 `kolmo worker --threads 1` processes ({(redisServer is null ? "localhost membership: the primary is never killed" : "Redis membership, any worker may be killed")}) ");
        md.Append("and kills one with SIGKILL when a random fraction of the tasks is done; the killed worker is restarted before the next trial. ");
        md.Append("*detected after* is the time from the kill to the client seeing the loss (or the coordinator's loss); *work lost* is lane-seconds of tasks that were running on the lost worker; *results seen twice* counts results computed again for a task that already had one (identical, ignored); *pairs lost/duplicated* count the pairs of the upper triangle without a result, or with more than one, in what the client returned. ");
        md.Append(Inv, $"\n\n**Totals: {totalLost} pairs lost, {totalDuplicated} pairs duplicated, {identical} of {trials} matrices identical to the single-process one.**\n\n");
        md.Append("| trial | victim | kill at | killed s | detected after s | wall s | workers lost | tasks re-run | work lost s | resubmitted | results seen twice | tasks received | pairs lost | pairs duplicated | identical |\n");
        md.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
        foreach (var r in rows)
        {
            md.Append("| ").Append(r.Replace("\t", " | ", StringComparison.Ordinal)).Append(" |\n");
        }
        Save("cluster-faults", md.ToString(), "trial\tvictim\tkill_at\tkilled_s\tdetected_after_s\twall_s\tworkers_lost\ttasks_rerun\twork_lost_s\tresubmitted\tresults_seen_twice\ttasks_received\tpairs_lost\tpairs_duplicated\tidentical\n" + string.Join("\n", rows) + "\n");
        return totalLost == 0 && totalDuplicated == 0 && identical == trials ? 0 : 3;
    }

    /// <summary>Consecutive slices of the English books in data/english.</summary>
    private static List<(string Name, byte[] Data)> Documents(int count, int bytes)
    {
        var text = Directory.GetFiles("data/english", "*.txt").Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes).ToArray();
        if ((long)count * bytes > text.Length)
        {
            throw new ArgumentException($"data/english holds {text.Length} bytes, fewer than {count} × {bytes}");
        }
        return [.. Enumerable.Range(0, count).Select(i => ($"slice{i:D3}", text.AsSpan(i * bytes, bytes).ToArray()))];
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var opts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            opts[args[i].TrimStart('-')] = args[i + 1];
        }
        return opts;
    }

    private static void Save(string suite, string md, string tsv)
    {
        Directory.CreateDirectory("docs/bench");
        string stem = $"docs/bench/{suite}-{DateTime.UtcNow:yyyy-MM-dd}";
        File.WriteAllText(stem + ".md", md);
        File.WriteAllText(stem + ".tsv", tsv);
        Console.WriteLine(md);
        Console.Error.WriteLine($"written: {stem}.md, {stem}.tsv");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static bool LocalhostFree() => WorkerHost.PortFree(ClusterConnection.PrimarySiloPort) && WorkerHost.PortFree(ClusterConnection.FirstGatewayPort);

    /// <summary>Waits until something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    private static void WaitListening(int port, Process owner)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (!owner.HasExited && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A <c>kolmo worker --threads 1</c> process.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _err = new();

        private Worker(Process process)
        {
            _process = process;
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_err)
                {
                    _err.AppendLine(e.Data);
                }
            };
            _process.BeginErrorReadLine();
        }

        public static Worker Start(string cluster)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll"), "worker", "--cluster", cluster, "--threads", "1" })
            {
                psi.ArgumentList.Add(a);
            }
            return new Worker(Process.Start(psi)!);
        }

        public void WaitReady()
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (true)
            {
                lock (_err)
                {
                    if (_err.ToString().Contains("kolmo worker: ready", StringComparison.Ordinal))
                    {
                        return;
                    }
                }
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("worker did not start: " + _err);
                }
                Thread.Sleep(100);
            }
        }

        /// <summary>User + system CPU seconds of the process so far.</summary>
        public double CpuSeconds()
        {
            _process.Refresh();
            return _process.HasExited ? 0 : _process.TotalProcessorTime.TotalSeconds;
        }

        public void Kill()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // gone already
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
