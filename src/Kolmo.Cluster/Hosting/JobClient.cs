using Kolmo.Cluster.Grains;
using Kolmo.Cluster.Work;

namespace Kolmo.Cluster.Hosting;

/// <summary>Settings of a <see cref="JobClient"/>.</summary>
public sealed class JobClientOptions
{
    /// <summary>How the job runs on the cluster.</summary>
    public JobOptions Job { get; init; } = new();

    /// <summary>How long to keep trying to reach the job's coordinator before giving up.</summary>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long one call to the coordinator may take (a poll: this plus its wait). A call to a silo that was killed
    /// would otherwise wait for Orleans' response timeout (30 s) before the client looks for the job again.
    /// </summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most bytes of documents or results per upload message (one larger document goes alone).</summary>
    public int BatchBytes { get; init; } = 4 << 20;
}

/// <summary>Progress of a job as the client sees it.</summary>
/// <param name="UnitsDone">Units (pairs, documents, bytes) whose results have arrived.</param>
/// <param name="TotalUnits">Units in all.</param>
/// <param name="TasksDone">Tasks whose results have arrived.</param>
/// <param name="TaskCount">Tasks in all.</param>
/// <param name="Workers">Workers that have joined the job so far (lost ones included).</param>
public sealed record JobProgress(long UnitsDone, long TotalUnits, int TasksDone, int TaskCount, int Workers);

/// <summary>What happened while a job ran.</summary>
/// <param name="Workers">Workers (silos) that ran tasks.</param>
/// <param name="Lanes">Their lanes (tasks at once) in all.</param>
/// <param name="WorkersLost">Workers lost during the job.</param>
/// <param name="TasksRetried">Tasks that were running on a lost worker and ran again.</param>
/// <param name="LostSeconds">Lane-seconds of work lost with lost workers.</param>
/// <param name="DuplicatesDiscarded">Results the coordinator received twice for one task and discarded (after comparing them).</param>
/// <param name="Seconds">Seconds from submission to the last result.</param>
/// <param name="Attached">True when this client joined a job that was already running.</param>
/// <param name="Resubmissions">Times the job was submitted again because its coordinator was lost.</param>
/// <param name="TasksReceived">Distinct tasks whose results this client received (all of them on success).</param>
/// <param name="RepeatedArrivals">Results computed again for a task this client already had (after a resubmission, a task that was running when the coordinator was lost); identical and ignored.</param>
/// <param name="Events">What the coordinator reported (workers lost or joining).</param>
public sealed record JobSummary(
    int Workers,
    int Lanes,
    int WorkersLost,
    int TasksRetried,
    double LostSeconds,
    int DuplicatesDiscarded,
    double Seconds,
    bool Attached,
    int Resubmissions,
    int TasksReceived,
    int RepeatedArrivals,
    IReadOnlyList<string> Events);

/// <summary>A finished job: the payload of every task, in task order, and what happened.</summary>
/// <param name="Payloads">One payload per task.</param>
/// <param name="Summary">What happened.</param>
public sealed record JobOutcome(byte[][] Payloads, JobSummary Summary);

/// <summary>The job failed on the cluster, was cancelled there, or the cluster could not be reached.</summary>
public sealed class JobFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobFailedException()
    {
    }
}

/// <summary>
/// Submits a job to a cluster and streams its results back. The client is the durable end of a job: it keeps
/// every result it has received, so when the coordinator's silo is lost it submits the job again with those
/// results and only the rest runs. Running the same job again (same spec) while it runs attaches to it. Cancelling
/// the token cancels the job on the cluster.
/// </summary>
public sealed class JobClient
{
    private readonly IGrainFactory _grains;
    private readonly JobClientOptions _options;

    /// <summary>Creates a client over <paramref name="grains"/> (an <see cref="IClusterClient"/>).</summary>
    public JobClient(IGrainFactory grains, JobClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
        _options = options ?? new JobClientOptions();
    }

    /// <summary>Runs <paramref name="spec"/> on the cluster.</summary>
    /// <param name="spec">The job.</param>
    /// <param name="documents">Its documents (uploaded if the job is not already running).</param>
    /// <param name="onProgress">Called after each batch of results.</param>
    /// <param name="onEvent">Called with each event line (a worker lost, joined, the coordinator lost).</param>
    /// <param name="onResult">Called once per task, as its result arrives (to write outputs as they come).</param>
    /// <param name="cancel">Cancels the job on the cluster and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="JobFailedException">A task failed, the job was cancelled on the cluster, or the cluster was unreachable for <see cref="JobClientOptions.ReconnectTimeout"/>.</exception>
    public async Task<JobOutcome> RunAsync(
        JobSpec spec,
        IReadOnlyList<byte[]> documents,
        Action<JobProgress>? onProgress = null,
        Action<string>? onEvent = null,
        Action<TaskOutcome>? onResult = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count != spec.Count)
        {
            throw new ArgumentException($"{documents.Count} documents for a job of {spec.Count}", nameof(documents));
        }
        var work = JobWork.Create(spec, 1);
        var job = _grains.GetGrain<IJobGrain>(spec.Id);
        var run = new Run(work, documents);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var lastContact = DateTime.UtcNow;
        long incarnation = 0;
        int cursor = 0, eventCursor = 0;
        JobStats stats = new();
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    if (incarnation == 0)
                    {
                        incarnation = await Submit(job, run, onEvent);
                        cursor = eventCursor = 0;
                    }
                    var poll = await job.Poll(incarnation, cursor, eventCursor, _options.BatchBytes * 4, PollWaitMilliseconds)
                        .WaitAsync(_options.CallTimeout + TimeSpan.FromMilliseconds(PollWaitMilliseconds), cancel);
                    lastContact = DateTime.UtcNow;
                    if (poll.Incarnation != incarnation || poll.State == JobState.None)
                    {
                        incarnation = 0; // the coordinator was activated again, empty: submit again
                        continue;
                    }
                    foreach (var r in poll.Results)
                    {
                        if (run.Take(r))
                        {
                            onResult?.Invoke(r);
                        }
                    }
                    cursor = poll.Cursor;
                    foreach (var e in poll.Events)
                    {
                        run.Events.Add(e);
                        onEvent?.Invoke(e);
                    }
                    eventCursor = poll.EventCursor;
                    stats = poll.Stats;
                    onProgress?.Invoke(new JobProgress(run.Units, run.TotalUnits, run.Received, run.Payloads.Length, poll.Stats.Workers));
                    if (poll.State == JobState.Failed)
                    {
                        throw new JobFailedException(poll.Error ?? "the job failed");
                    }
                    if (poll.State == JobState.Cancelled)
                    {
                        throw new JobFailedException($"the job was cancelled on the cluster ({poll.Error})");
                    }
                    if (poll.State == JobState.Done && run.Received == run.Payloads.Length)
                    {
                        break;
                    }
                }
                catch (Exception e) when (IsConnectionTrouble(e) && !cancel.IsCancellationRequested)
                {
                    if (DateTime.UtcNow - lastContact > _options.ReconnectTimeout)
                    {
                        throw new JobFailedException($"lost the cluster for more than {_options.ReconnectTimeout.TotalSeconds:0} s ({e.Message.ReplaceLineEndings(" ")})", e);
                    }
                    incarnation = 0;
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Quietly(() => job.Cancel("the client was interrupted"));
            throw;
        }
        await Quietly(job.Release);
        var summary = new JobSummary(stats.Workers, stats.Lanes, stats.WorkersLost, stats.TasksRetried, stats.LostSeconds, stats.DuplicatesDiscarded,
            started.Elapsed.TotalSeconds, run.Attached, Math.Max(0, run.Submissions - 1), run.Received, run.Repeated, run.Events);
        return new JobOutcome([.. run.Payloads.Select(p => p!)], summary);
    }

    private async Task<long> Submit(IJobGrain job, Run run, Action<string>? onEvent)
    {
        var spec = run.Work.Spec;
        var attachment = await job.Attach(spec).WaitAsync(_options.CallTimeout);
        if (attachment.State != JobState.Uploading)
        {
            if (run.Submissions == 0)
            {
                run.Attached = true;
                onEvent?.Invoke($"attached to the running job {spec.Id} ({attachment.TasksDone} of {attachment.TaskCount} tasks done)");
            }
            run.Submissions = Math.Max(run.Submissions, 1);
            return attachment.Incarnation;
        }
        if (run.Submissions > 0)
        {
            run.Events.Add($"the job's coordinator was lost; submitting the job again ({run.Received} of {run.Payloads.Length} task results kept)");
            onEvent?.Invoke(run.Events[^1]);
        }
        run.Submissions++;
        foreach (var batch in Batches(attachment.MissingDocuments, i => spec.Lengths[i]))
        {
            await job.Upload(batch, [.. batch.Select(i => run.Documents[i])]).WaitAsync(_options.CallTimeout);
        }
        var held = Enumerable.Range(0, run.Payloads.Length).Where(t => run.Payloads[t] is not null).ToArray();
        foreach (var batch in Batches(held, t => run.Payloads[t]!.Length))
        {
            await job.AddResults([.. batch.Select(t => new TaskOutcome { Task = t, Payload = run.Payloads[t]!, Worker = HeldByClient })]).WaitAsync(_options.CallTimeout);
        }
        await job.Start(_options.Job).WaitAsync(_options.CallTimeout);
        return attachment.Incarnation;
    }

    /// <summary>How long a poll waits at the coordinator for something new.</summary>
    private const int PollWaitMilliseconds = 1000;

    /// <summary>The worker name of results the client hands back to a new coordinator.</summary>
    private const string HeldByClient = "client";

    private IEnumerable<int[]> Batches(IReadOnlyList<int> items, Func<int, long> size)
    {
        var batch = new List<int>();
        long bytes = 0;
        foreach (int i in items)
        {
            if (batch.Count > 0 && bytes + size(i) > _options.BatchBytes)
            {
                yield return [.. batch];
                batch.Clear();
                bytes = 0;
            }
            batch.Add(i);
            bytes += size(i);
        }
        if (batch.Count > 0)
        {
            yield return [.. batch];
        }
    }

    /// <summary>Failures of the connection or of a silo (which a retry may cure), as opposed to the job's own errors.</summary>
    private static bool IsConnectionTrouble(Exception e) =>
        e is not (JobFailedException or ArgumentException or InvalidDataException or OperationCanceledException);

    private static async Task Quietly(Func<Task> call)
    {
        try
        {
            await call().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // best effort: an unreachable coordinator cancels the job itself when no client polls it
        }
    }

    /// <summary>The client's side of one job: the results it holds.</summary>
    private sealed class Run(JobWork work, IReadOnlyList<byte[]> documents)
    {
        public JobWork Work { get; } = work;

        public IReadOnlyList<byte[]> Documents { get; } = documents;

        public byte[]?[] Payloads { get; } = new byte[work.TaskCount][];

        public long TotalUnits { get; } = work.TotalUnits();

        public List<string> Events { get; } = [];

        public int Received { get; private set; }

        public long Units { get; private set; }

        public int Repeated { get; private set; }

        public bool Attached { get; set; }

        public int Submissions { get; set; }

        /// <summary>Keeps a result; false if this task's result was already here (it must then be identical).</summary>
        public bool Take(TaskOutcome r)
        {
            if ((uint)r.Task >= (uint)Payloads.Length)
            {
                throw new InvalidDataException($"the cluster sent a result for task {r.Task} of a job of {Payloads.Length} tasks");
            }
            if (Payloads[r.Task] is { } earlier)
            {
                // results this client handed back to a new coordinator come back with the rest: not a repeat
                Repeated += r.Worker == HeldByClient ? 0 : 1;
                if (!earlier.AsSpan().SequenceEqual(r.Payload))
                {
                    throw new JobFailedException($"task {r.Task} ({Work.Describe(r.Task)}) came back with a different result: the computation is not deterministic");
                }
                return false;
            }
            JobResults.CheckPayload(Work, r.Task, r.Payload);
            Payloads[r.Task] = r.Payload;
            Received++;
            Units += Work.Units(r.Task);
            return true;
        }
    }
}
