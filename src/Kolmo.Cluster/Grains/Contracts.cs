using Kolmo.Cluster.Work;

namespace Kolmo.Cluster.Grains;

/// <summary>Where a job stands.</summary>
public enum JobState
{
    /// <summary>The coordinator knows no job (new, released, or its silo was lost).</summary>
    None = 0,

    /// <summary>The spec is known; documents are arriving.</summary>
    Uploading = 1,

    /// <summary>Tasks are running.</summary>
    Running = 2,

    /// <summary>Every task has a result.</summary>
    Done = 3,

    /// <summary>A task failed (the error says why); nothing more runs.</summary>
    Failed = 4,

    /// <summary>Cancelled by a client, or because no client asked for it for too long.</summary>
    Cancelled = 5,
}

/// <summary>How a job runs (not part of its identity).</summary>
[GenerateSerializer, Immutable]
public sealed class JobOptions
{
    /// <summary>A job no client has polled for this long is cancelled (a client may reattach before).</summary>
    [Id(0)]
    public double DetachTimeoutSeconds { get; init; } = 300;

    /// <summary>A task whose worker is lost this many times fails the job (a task that kills its silo).</summary>
    [Id(1)]
    public int MaxAttempts { get; init; } = 5;
}

/// <summary>The coordinator's answer to <see cref="IJobGrain.Attach"/>.</summary>
[GenerateSerializer, Immutable]
public sealed class JobAttachment
{
    /// <summary>State after the call.</summary>
    [Id(0)]
    public JobState State { get; init; }

    /// <summary>Identifies this activation of the coordinator; a new value means its earlier state is gone.</summary>
    [Id(1)]
    public long Incarnation { get; init; }

    /// <summary>Documents still to upload (state <see cref="JobState.Uploading"/>).</summary>
    [Id(2)]
    public int[] MissingDocuments { get; init; } = [];

    /// <summary>Tasks with a result.</summary>
    [Id(3)]
    public int TasksDone { get; init; }

    /// <summary>Tasks in all.</summary>
    [Id(4)]
    public int TaskCount { get; init; }
}

/// <summary>The result of one task, as a worker returns it.</summary>
[GenerateSerializer, Immutable]
public sealed class TaskOutcome
{
    /// <summary>Task index.</summary>
    [Id(0)]
    public int Task { get; init; }

    /// <summary>The payload (empty when <see cref="Error"/> is set).</summary>
    [Id(1)]
    public byte[] Payload { get; init; } = [];

    /// <summary>Wall seconds the task took on its worker.</summary>
    [Id(2)]
    public double Seconds { get; init; }

    /// <summary>The silo that computed it.</summary>
    [Id(3)]
    public string Worker { get; init; } = "";

    /// <summary>Set when the computation threw (bad input, unknown compressor): the job fails with it.</summary>
    [Id(4)]
    public string? Error { get; init; }
}

/// <summary>Counters of a job, for the summary line and the fault report.</summary>
[GenerateSerializer, Immutable]
public sealed class JobStats
{
    /// <summary>Workers (silos) that ran tasks.</summary>
    [Id(0)]
    public int Workers { get; init; }

    /// <summary>Lanes (concurrent tasks) over all workers that joined.</summary>
    [Id(1)]
    public int Lanes { get; init; }

    /// <summary>Workers lost during the job.</summary>
    [Id(2)]
    public int WorkersLost { get; init; }

    /// <summary>Tasks that were running on a lost worker and were queued again.</summary>
    [Id(3)]
    public int TasksRetried { get; init; }

    /// <summary>Results that arrived for a task that already had one (identical, discarded).</summary>
    [Id(4)]
    public int DuplicatesDiscarded { get; init; }

    /// <summary>Lane-seconds spent on tasks whose worker was lost before they finished.</summary>
    [Id(5)]
    public double LostSeconds { get; init; }

    /// <summary>Seconds since the job started running.</summary>
    [Id(6)]
    public double Seconds { get; init; }

    /// <summary>Tasks with a result.</summary>
    [Id(7)]
    public int TasksDone { get; init; }

    /// <summary>Tasks in all.</summary>
    [Id(8)]
    public int TaskCount { get; init; }
}

/// <summary>The coordinator's answer to <see cref="IJobGrain.Poll"/>.</summary>
[GenerateSerializer, Immutable]
public sealed class JobPoll
{
    /// <summary>State.</summary>
    [Id(0)]
    public JobState State { get; init; }

    /// <summary>The coordinator's incarnation (see <see cref="JobAttachment.Incarnation"/>).</summary>
    [Id(1)]
    public long Incarnation { get; init; }

    /// <summary>Results from the cursor on, in the order they arrived.</summary>
    [Id(2)]
    public TaskOutcome[] Results { get; init; } = [];

    /// <summary>Cursor for the next poll.</summary>
    [Id(3)]
    public int Cursor { get; init; }

    /// <summary>Events (a worker lost, a worker joined late) from the event cursor on.</summary>
    [Id(4)]
    public string[] Events { get; init; } = [];

    /// <summary>Event cursor for the next poll.</summary>
    [Id(5)]
    public int EventCursor { get; init; }

    /// <summary>Why the job failed or was cancelled.</summary>
    [Id(6)]
    public string? Error { get; init; }

    /// <summary>Counters.</summary>
    [Id(7)]
    public JobStats Stats { get; init; } = new();
}

/// <summary>
/// The coordinator of one job (keyed by <see cref="JobSpec.Id"/>): holds the documents and the results, hands
/// tasks to one <see cref="IWorkerGrain"/> per silo, re-queues the tasks of a silo that is lost, and streams
/// results to clients, which may come and go. Its state is in memory only; the client that submitted the job
/// holds every result it has received and resubmits the rest if the coordinator's silo is lost.
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Attaches to the job with this spec, creating it (state <see cref="JobState.Uploading"/>) if there is none.</summary>
    Task<JobAttachment> Attach(JobSpec spec);

    /// <summary>Uploads documents (checked against the spec's lengths and hashes).</summary>
    Task Upload(int[] indices, byte[][] documents);

    /// <summary>Results the client already holds (after the coordinator was lost); those tasks do not run again.</summary>
    Task AddResults(TaskOutcome[] results);

    /// <summary>Starts running once every document is uploaded.</summary>
    Task Start(JobOptions options);

    /// <summary>Results and events since the cursors; waits up to <paramref name="waitMilliseconds"/> for something new.</summary>
    Task<JobPoll> Poll(long incarnation, int cursor, int eventCursor, int maxBytes, int waitMilliseconds);

    /// <summary>Stops the job: no more tasks run, workers drop its state.</summary>
    Task Cancel(string reason);

    /// <summary>The client has everything: drop the job.</summary>
    Task Release();

    /// <summary>Documents for a worker.</summary>
    Task<byte[][]> Documents(int[] indices);

    /// <summary>The job's spec (null when there is no job), for a worker that was activated again.</summary>
    Task<JobSpec?> Spec();
}

/// <summary>
/// A job's worker on one silo (keyed by job id, coordinator incarnation and silo address, and placed on that silo): runs tasks on the
/// silo's thread pool, several at once, and keeps what they share there (the documents fetched so far, the
/// C(x) cache, the trained classifier).
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Gets ready for the job; returns how many tasks it runs at once (its lanes).</summary>
    Task<int> Prepare(JobSpec spec);

    /// <summary>Computes one task (after fetching the spec itself if this activation was not prepared).</summary>
    [ResponseTimeout("1.00:00:00")]
    Task<TaskOutcome> Run(int task);

    /// <summary>Cancels running tasks and drops the job's state on this silo.</summary>
    Task Stop();
}
