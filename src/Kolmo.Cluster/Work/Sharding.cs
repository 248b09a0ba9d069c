using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kolmo.Cluster.Work;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (0-based, as a Kubernetes Indexed Job numbers its pods): the
/// tasks t with t mod Count = Index. Written <c>i/N</c> on the command line.
/// </summary>
/// <param name="Index">This shard, in [0, Count).</param>
/// <param name="Count">Number of shards.</param>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>Most shards a job can be cut into.</summary>
    public const int MaxCount = 1 << 20;

    /// <summary>Parses <c>i/N</c>.</summary>
    /// <exception cref="ArgumentException">Not of that form, N not in [1, <see cref="MaxCount"/>], or i not in [0, N).</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            throw new ArgumentException($"--shard {text}: expected i/N, e.g. 0/4 (shards are numbered from 0)", nameof(text));
        }
        if (n < 1 || n > MaxCount || i >= n)
        {
            throw new ArgumentException($"--shard {text}: i must be in 0..N-1 and N in 1..{MaxCount}", nameof(text));
        }
        return new Shard(i, n);
    }

    /// <summary>The tasks of this shard among <paramref name="taskCount"/>.</summary>
    public IReadOnlyList<int> Tasks(int taskCount)
    {
        var tasks = new List<int>();
        for (int t = Index; t < taskCount; t += Count)
        {
            tasks.Add(t);
        }
        return tasks;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>Runs tasks of a job in this process, in parallel.</summary>
public static class LocalRunner
{
    /// <summary>Computes <paramref name="tasks"/> of <paramref name="work"/>; returns their payloads in the same order.</summary>
    /// <param name="work">The job's work.</param>
    /// <param name="documents">All the job's documents.</param>
    /// <param name="tasks">Task indices to compute.</param>
    /// <param name="threads">Parallelism (≤ 0: all cores); the payloads do not depend on it.</param>
    /// <param name="progress">Called with the units of progress done so far (from any thread).</param>
    /// <param name="cancel">Stops the run.</param>
    public static byte[][] Run(JobWork work, IReadOnlyList<byte[]> documents, IReadOnlyList<int> tasks, int threads = 0, Action<long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(tasks);
        if (documents.Count != work.Spec.Count)
        {
            throw new ArgumentException($"{documents.Count} documents for a job of {work.Spec.Count}", nameof(documents));
        }
        var result = new byte[tasks.Count][];
        long done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancel };
        Parallel.For(0, tasks.Count, options, k =>
        {
            result[k] = work.Compute(tasks[k], i => documents[i], cancel);
            progress?.Invoke(Interlocked.Add(ref done, work.Units(tasks[k])));
        });
        return result;
    }
}

/// <summary>The result of one task in a shard file.</summary>
/// <param name="Task">Task index.</param>
/// <param name="Payload">Its payload (base64 in JSON).</param>
public sealed record ShardTask(int Task, byte[] Payload);

/// <summary>
/// What <c>--shard i/N</c> writes and <c>kolmo merge</c> reads: the job's spec, which shard this is, and the
/// payload of each of its tasks. JSON, so a batch scheduler can move it as a plain file.
/// </summary>
public sealed class ShardFile
{
    /// <summary>Value of <see cref="Format"/>.</summary>
    public const string FormatName = "kolmo-shard";

    /// <summary>Version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The job's id (<see cref="JobSpec.Id"/>).</summary>
    public string Job { get; init; } = "";

    /// <summary>This shard's index.</summary>
    public int Shard { get; init; }

    /// <summary>Number of shards.</summary>
    public int Shards { get; init; }

    /// <summary>Seconds this shard took.</summary>
    public double Seconds { get; init; }

    /// <summary>The job.</summary>
    public JobSpec Spec { get; init; } = new();

    /// <summary>The results of this shard's tasks.</summary>
    public ShardTask[] Tasks { get; init; } = [];

    /// <summary>Computes shard <paramref name="shard"/> of <paramref name="spec"/> in this process.</summary>
    public static ShardFile Compute(JobSpec spec, IReadOnlyList<byte[]> documents, Shard shard, int threads = 0, Action<long, long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var sw = Stopwatch.StartNew();
        var work = JobWork.Create(spec, threads);
        var tasks = shard.Tasks(work.TaskCount);
        long total = tasks.Sum(t => work.Units(t));
        var payloads = LocalRunner.Run(work, documents, tasks, threads, progress is null ? null : done => progress(done, total), cancel);
        return new ShardFile
        {
            Job = spec.Id,
            Shard = shard.Index,
            Shards = shard.Count,
            Seconds = sw.Elapsed.TotalSeconds,
            Spec = spec,
            Tasks = [.. tasks.Select((t, k) => new ShardTask(t, payloads[k]))],
        };
    }

    /// <summary>The JSON form.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, WorkJson.Default.ShardFile);

    /// <summary>Reads a shard file.</summary>
    /// <exception cref="InvalidDataException">Not a shard file, another version, or inconsistent (the message starts with <paramref name="name"/>).</exception>
    public static ShardFile Parse(ReadOnlySpan<byte> json, string name)
    {
        ShardFile? f;
        try
        {
            f = JsonSerializer.Deserialize(json, WorkJson.Default.ShardFile);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: not a shard file ({e.Message.Split(" Path:")[0]})", e);
        }
        if (f is null || f.Format != FormatName)
        {
            throw new InvalidDataException($"{name}: not a shard file (no \"format\": \"{FormatName}\")");
        }
        if (f.Version != CurrentVersion)
        {
            throw new InvalidDataException($"{name}: shard file version {f.Version}; this kolmo reads version {CurrentVersion}");
        }
        if (f.Spec is null || f.Spec.Id != f.Job)
        {
            throw new InvalidDataException($"{name}: the job spec does not match its id {f.Job} (the file was altered)");
        }
        if (f.Shards < 1 || f.Shards > Work.Shard.MaxCount || f.Shard < 0 || f.Shard >= f.Shards)
        {
            throw new InvalidDataException($"{name}: shard {f.Shard}/{f.Shards} is not a valid shard");
        }
        if (!Enum.IsDefined(f.Spec.Kind))
        {
            throw new InvalidDataException($"{name}: unknown job kind {(int)f.Spec.Kind}");
        }
        if (!double.IsFinite(f.Seconds) || f.Seconds < 0)
        {
            throw new InvalidDataException($"{name}: {f.Seconds} is not a number of seconds");
        }
        if (f.Tasks is null || f.Tasks.Any(t => t is null || t.Payload is null))
        {
            throw new InvalidDataException($"{name}: a task has no payload");
        }
        return f;
    }

    /// <summary>
    /// Puts shards back together: checks that they are the N shards of one job, each present once, and that
    /// every task's result is present exactly once; returns the spec, the payloads in task order and the
    /// shards' total seconds.
    /// </summary>
    /// <exception cref="InvalidDataException">Shards of different jobs, a shard missing or given twice, a task missing or in the wrong shard, or a payload of the wrong size.</exception>
    public static (JobSpec Spec, byte[][] Payloads, double Seconds) Merge(IReadOnlyList<(string Name, ShardFile File)> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0)
        {
            throw new ArgumentException("no shard files", nameof(shards));
        }
        var (firstName, first) = shards[0];
        // nothing here is sized by what a file claims (its number of shards, its job's tasks) before the files given
        // are known to hold it
        var seen = new Dictionary<int, string>();
        foreach (var (name, f) in shards)
        {
            if (f.Job != first.Job)
            {
                throw new InvalidDataException($"{name} belongs to job {f.Job}, {firstName} to job {first.Job}: shards of different jobs (other inputs or options)");
            }
            if (f.Shards != first.Shards)
            {
                throw new InvalidDataException($"{name} is shard {f.Shard}/{f.Shards}, {firstName} is shard {first.Shard}/{first.Shards}: different numbers of shards");
            }
            if (seen.TryGetValue(f.Shard, out string? other))
            {
                throw new InvalidDataException($"{other} and {name} are both shard {f.Shard}/{f.Shards}");
            }
            seen[f.Shard] = name;
        }
        int missingCount = first.Shards - seen.Count;
        if (missingCount > 0)
        {
            var missing = Enumerable.Range(0, first.Shards).Where(i => !seen.ContainsKey(i)).Take(10);
            throw new InvalidDataException($"shard{(missingCount > 1 ? "s" : "")} {string.Join(", ", missing.Select(i => $"{i}/{first.Shards}"))}{(missingCount > 10 ? ", …" : "")} missing ({missingCount} of {first.Shards})");
        }
        JobWork work;
        try
        {
            work = JobWork.Create(first.Spec, 1);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{firstName}: {e.Message}", e);   // a spec no kolmo writes (an unknown compressor, …)
        }
        foreach (var (name, f) in shards)
        {
            int expected = f.Shard >= work.TaskCount ? 0 : ((work.TaskCount - f.Shard - 1) / f.Shards) + 1;   // tasks f.Shard, f.Shard + N, …
            if (f.Tasks.Length != expected)
            {
                throw new InvalidDataException($"{name}: {f.Tasks.Length} task results, shard {f.Shard}/{f.Shards} has {expected} tasks");
            }
        }
        var payloads = new byte[work.TaskCount][];
        foreach (var (name, f) in shards)
        {
            foreach (var t in f.Tasks)
            {
                if ((uint)t.Task >= (uint)payloads.Length || t.Task % f.Shards != f.Shard || payloads[t.Task] is not null)
                {
                    throw new InvalidDataException($"{name}: task {t.Task} does not belong to shard {f.Shard}/{f.Shards} or is given twice");
                }
                try
                {
                    JobResults.CheckPayload(work, t.Task, t.Payload);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{name}: {e.Message}", e);
                }
                payloads[t.Task] = t.Payload;
            }
        }
        return (first.Spec, payloads, shards.Sum(s => s.File.Seconds));
    }
}

/// <summary>JSON of the work layer (source-generated).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JobSpec))]
[JsonSerializable(typeof(ShardFile))]
internal sealed partial class WorkJson : JsonSerializerContext;
