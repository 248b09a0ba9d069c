using System.Diagnostics;
using System.Globalization;
using Kolmo.Cluster.Work;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Kolmo.Cluster.Grains;

/// <summary>
/// A job's coordinator (see <see cref="IJobGrain"/>). Reentrant, so its lanes (one awaiting loop per task slot of
/// each worker), the documents workers fetch and the clients' long polls interleave; all of it runs on the grain's
/// single scheduler, so the bookkeeping needs no locks.
/// <para>
/// <b>No lost or duplicated work.</b> A task is in exactly one of: queued, running on one or more workers, done.
/// A task is done when its first result arrives; a later result for it (a worker that was given up for lost and
/// answered after all) is compared with the first and discarded. When a worker's silo is declared dead, or a call
/// to it fails, the tasks running there are queued again at the front, and the lane-seconds they had used are
/// counted as lost.
/// </para>
/// </summary>
[Reentrant]
[CollectionAgeLimit(Minutes = 10)] // a finished job's results wait this long for a client that was away
internal sealed class JobGrain(IClusterMembershipService membership, ILogger<JobGrain> log) : Grain, IJobGrain
{
    private static readonly TimeSpan LoopPeriod = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RejoinDelay = TimeSpan.FromSeconds(5);

    private readonly long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private readonly Stopwatch _clock = new();
    private readonly List<string> _events = [];
    private readonly Dictionary<SiloAddress, Worker> _workers = [];
    private readonly LinkedList<int> _queue = new();
    private readonly List<TaskOutcome> _arrivals = [];

    private JobState _state;
    private JobSpec? _spec;
    private JobWork? _work;
    private byte[]?[] _documents = [];
    private TaskOutcome?[] _results = [];
    private int[] _attempts = [];
    private int _done;
    private string? _error;
    private JobOptions _options = new();
    private DateTime _lastContact = DateTime.UtcNow;
    private TaskCompletionSource _changed = NewSignal();
    private int _lanes, _workersLost, _retried, _duplicates;
    private bool _refreshed;
    private double _lostSeconds;

    private sealed class Worker(SiloAddress silo, IWorkerGrain grain)
    {
        public SiloAddress Silo { get; } = silo;

        public IWorkerGrain Grain { get; } = grain;

        public bool Lost { get; set; }

        public DateTime LostAt { get; set; }

        public bool Joined { get; set; }

        public string Name => Silo.Endpoint.ToString();

        public List<Attempt> Running { get; } = [];
    }

    private sealed class Attempt(int task, Stopwatch started)
    {
        public int Task { get; } = task;

        public Stopwatch Started { get; } = started;

        public bool Abandoned { get; set; }
    }

    public Task<JobAttachment> Attach(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _lastContact = DateTime.UtcNow;
        if (spec.Id != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"spec {spec.Id} sent to job {this.GetPrimaryKeyString()}", nameof(spec));
        }
        if (_state is JobState.None or JobState.Cancelled or JobState.Failed)
        {
            Reset(spec);
        }
        return Task.FromResult(new JobAttachment
        {
            State = _state,
            Incarnation = _incarnation,
            MissingDocuments = [.. Enumerable.Range(0, _documents.Length).Where(i => _documents[i] is null)],
            TasksDone = _done,
            TaskCount = _results.Length,
        });
    }

    public Task Upload(int[] indices, byte[][] documents)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(documents);
        _lastContact = DateTime.UtcNow;
        var spec = _spec ?? throw new InvalidOperationException("no job to upload to: attach first");
        if (indices.Length != documents.Length)
        {
            throw new ArgumentException("one document per index is needed", nameof(documents));
        }
        for (int k = 0; k < indices.Length; k++)
        {
            if (!spec.Matches(indices[k], documents[k]))
            {
                throw new InvalidDataException($"document {indices[k]} does not match the job's spec (length or hash)");
            }
            _documents[indices[k]] = documents[k];
        }
        return Task.CompletedTask;
    }

    public Task AddResults(TaskOutcome[] results)
    {
        ArgumentNullException.ThrowIfNull(results);
        _lastContact = DateTime.UtcNow;
        if (_work is null)
        {
            throw new InvalidOperationException("no job to add results to: attach first");
        }
        foreach (var r in results)
        {
            JobResults.CheckPayload(_work, r.Task, r.Payload);
            if (_results[r.Task] is null)
            {
                Record(r);
            }
        }
        return Task.CompletedTask;
    }

    public Task Start(JobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _lastContact = DateTime.UtcNow;
        if (_state != JobState.Uploading)
        {
            return Task.CompletedTask;
        }
        int missing = _documents.Count(d => d is null);
        if (missing > 0)
        {
            throw new InvalidOperationException($"{missing} documents are not uploaded yet");
        }
        _options = options;
        _attempts = new int[_results.Length];
        for (int t = 0; t < _results.Length; t++)
        {
            if (_results[t] is null)
            {
                _queue.AddLast(t);
            }
        }
        _state = JobState.Running;
        _clock.Restart();
        log.LogInformation("job {Job}: {Kind}, {Tasks} tasks ({Done} already done)", this.GetPrimaryKeyString(), _spec!.Kind, _results.Length, _done);
        if (_done == _results.Length)
        {
            Finish(JobState.Done, null);
        }
        else
        {
            _ = Loop();
        }
        return Task.CompletedTask;
    }

    public async Task<JobPoll> Poll(long incarnation, int cursor, int eventCursor, int maxBytes, int waitMilliseconds)
    {
        _lastContact = DateTime.UtcNow;
        if (incarnation != _incarnation)
        {
            cursor = 0;
            eventCursor = 0;
        }
        if (cursor >= _arrivals.Count && eventCursor >= _events.Count && _state is JobState.Running or JobState.Uploading && waitMilliseconds > 0)
        {
            await Task.WhenAny(_changed.Task, Task.Delay(Math.Min(waitMilliseconds, 10_000)));
        }
        var results = new List<TaskOutcome>();
        long bytes = 0;
        for (int k = Math.Clamp(cursor, 0, _arrivals.Count); k < _arrivals.Count; k++)
        {
            if (results.Count > 0 && bytes + _arrivals[k].Payload.Length > maxBytes)
            {
                break;
            }
            results.Add(_arrivals[k]);
            bytes += _arrivals[k].Payload.Length;
        }
        return new JobPoll
        {
            State = _state,
            Incarnation = _incarnation,
            Results = [.. results],
            Cursor = Math.Clamp(cursor, 0, _arrivals.Count) + results.Count,
            Events = [.. _events.Skip(Math.Clamp(eventCursor, 0, _events.Count))],
            EventCursor = _events.Count,
            Error = _error,
            Stats = Stats(),
        };
    }

    public Task Cancel(string reason)
    {
        if (_state is JobState.Uploading or JobState.Running)
        {
            Finish(JobState.Cancelled, reason);
        }
        return Task.CompletedTask;
    }

    public Task Release()
    {
        if (_state is JobState.Uploading or JobState.Running)
        {
            Finish(JobState.Cancelled, "released");
        }
        _state = JobState.None;
        _spec = null;
        _work = null;
        _documents = [];
        _results = [];
        _arrivals.Clear();
        this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<byte[][]> Documents(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var result = new byte[indices.Length][];
        for (int k = 0; k < indices.Length; k++)
        {
            result[k] = (uint)indices[k] < (uint)_documents.Length && _documents[indices[k]] is { } d
                ? d
                : throw new InvalidOperationException($"document {indices[k]} is not available (the job is {_state})");
        }
        return Task.FromResult(result);
    }

    public Task<JobSpec?> Spec() => Task.FromResult(_spec);

    private void Reset(JobSpec spec)
    {
        var work = JobWork.Create(spec, 1);
        _spec = spec;
        _work = work;
        _documents = new byte[spec.Count][];
        _results = new TaskOutcome[_work.TaskCount];
        _arrivals.Clear();
        _events.Clear();
        _queue.Clear();
        _workers.Clear();
        _done = _lanes = _workersLost = _retried = _duplicates = 0;
        _lostSeconds = 0;
        _refreshed = false;
        _error = null;
        _state = JobState.Uploading;
    }

    /// <summary>Finds new and lost silos, and cancels a job no client has asked for in too long, until the job ends.</summary>
    private async Task Loop()
    {
        var spec = _spec;
        while (_state == JobState.Running && ReferenceEquals(spec, _spec))
        {
            if (DateTime.UtcNow - _lastContact > TimeSpan.FromSeconds(_options.DetachTimeoutSeconds))
            {
                Finish(JobState.Cancelled, string.Create(CultureInfo.InvariantCulture, $"no client asked for the job for {_options.DetachTimeoutSeconds:0.#} s"));
                break;
            }
            RefreshWorkers();
            RequeueOrphans();
            this.DelayDeactivation(TimeSpan.FromMinutes(10));
            await Task.Delay(LoopPeriod);
        }
    }

    private void RefreshWorkers()
    {
        var members = membership.CurrentSnapshot.Members;
        foreach (var (silo, member) in members)
        {
            if (member.Status == SiloStatus.Active
                && (!_workers.TryGetValue(silo, out var w) || (w.Lost && DateTime.UtcNow - w.LostAt > RejoinDelay)))
            {
                // one worker per silo and per activation of this coordinator, so that a coordinator that outlived its
                // replacement (it stops when no client polls it) never stops the workers of the other
                string prefix = string.Create(CultureInfo.InvariantCulture, $"{this.GetPrimaryKeyString()}/{_incarnation}");
                var worker = new Worker(silo, GrainFactory.GetGrain<IWorkerGrain>(SiloPinnedPlacement.Key(prefix, silo)));
                bool rejoin = _workers.ContainsKey(silo);
                _workers[silo] = worker;
                _ = Join(worker, rejoin, late: _refreshed);
            }
        }
        foreach (var w in _workers.Values)
        {
            if (!w.Lost && (!members.TryGetValue(w.Silo, out var m) || m.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping))
            {
                Lose(w, "its silo left the cluster");
            }
        }
        _refreshed = true;
    }

    /// <summary>
    /// A safety net at the end of a job: a task that is neither done, queued nor running anywhere would never run,
    /// so it is queued again (and reported, since it means a fault path missed it).
    /// </summary>
    private void RequeueOrphans()
    {
        if (_queue.Count > 0)
        {
            return;
        }
        var running = _workers.Values.SelectMany(w => w.Running).Where(a => !a.Abandoned).Select(a => a.Task).ToHashSet();
        int orphans = 0;
        for (int t = 0; t < _results.Length; t++)
        {
            if (_results[t] is null && !running.Contains(t))
            {
                _queue.AddLast(t);
                orphans++;
            }
        }
        if (orphans > 0)
        {
            Event($"{orphans} task{(orphans == 1 ? "" : "s")} without a result and not running anywhere queued again");
        }
    }

    private async Task Join(Worker w, bool rejoin, bool late)
    {
        int lanes;
        try
        {
            lanes = await w.Grain.Prepare(_spec!);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            log.LogWarning("job {Job}: worker {Silo} could not join: {Error}", this.GetPrimaryKeyString(), w.Name, e.Message);
            w.Lost = true;
            w.LostAt = DateTime.UtcNow;
            return;
        }
        if (_state != JobState.Running || w.Lost)
        {
            return;
        }
        w.Joined = true;
        _lanes += lanes;
        if (rejoin || late)
        {
            Event(string.Create(CultureInfo.InvariantCulture, $"worker {w.Name} {(rejoin ? "rejoined" : "joined")} at {_clock.Elapsed.TotalSeconds:F1} s with {lanes} lane{(lanes == 1 ? "" : "s")}"));
        }
        for (int l = 0; l < lanes; l++)
        {
            _ = Lane(w);
        }
    }

    /// <summary>One task slot of a worker: takes queued tasks one at a time until the job ends or the worker is lost.</summary>
    private async Task Lane(Worker w)
    {
        var spec = _spec;
        while (_state == JobState.Running && !w.Lost && ReferenceEquals(spec, _spec))
        {
            if (_queue.First is not { } first)
            {
                await Task.WhenAny(_changed.Task, Task.Delay(LoopPeriod));
                continue;
            }
            int task = first.Value;
            _queue.RemoveFirst();
            var attempt = new Attempt(task, Stopwatch.StartNew());
            w.Running.Add(attempt);
            _attempts[task]++;
            TaskOutcome outcome;
            try
            {
                outcome = await w.Grain.Run(task);
            }
            catch (Exception e)
            {
                // the worker is given up while this attempt is still among its running tasks, so it is queued again
                if (ReferenceEquals(spec, _spec) && !attempt.Abandoned)
                {
                    Lose(w, Reason(e));
                }
                w.Running.Remove(attempt);
                return;
            }
            w.Running.Remove(attempt);
            if (!ReferenceEquals(spec, _spec) || _state != JobState.Running)
            {
                return;
            }
            if (outcome.Error is not null)
            {
                Finish(JobState.Failed, $"task {task} ({_work!.Describe(task)}) failed on {w.Name}: {outcome.Error}");
                return;
            }
            Accept(outcome);
        }
    }

    private void Accept(TaskOutcome outcome)
    {
        int t = outcome.Task;
        if (_results[t] is { } earlier)
        {
            _duplicates++;
            if (!earlier.Payload.AsSpan().SequenceEqual(outcome.Payload))
            {
                Finish(JobState.Failed, $"task {t} gave different results on {earlier.Worker} and {outcome.Worker}: the computation is not deterministic");
            }
            return;
        }
        try
        {
            JobResults.CheckPayload(_work!, t, outcome.Payload);
        }
        catch (InvalidDataException e)
        {
            Finish(JobState.Failed, e.Message);
            return;
        }
        // a re-queued copy that has not started yet is no longer needed
        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value == t)
            {
                _queue.Remove(node);
                break;
            }
        }
        Record(outcome);
        if (_done == _results.Length)
        {
            Finish(JobState.Done, null);
        }
    }

    private void Record(TaskOutcome outcome)
    {
        _results[outcome.Task] = outcome;
        _arrivals.Add(outcome);
        _done++;
        Signal();
    }

    /// <summary>Gives a worker up: the tasks running on it go back to the front of the queue.</summary>
    private void Lose(Worker w, string reason)
    {
        if (w.Lost || _state != JobState.Running)
        {
            return;
        }
        w.Lost = true;
        w.LostAt = DateTime.UtcNow;
        if (!w.Joined)
        {
            return;
        }
        _workersLost++;
        int requeued = 0;
        long units = 0;
        double lost = 0;
        foreach (var a in w.Running)
        {
            a.Abandoned = true;
            lost += a.Started.Elapsed.TotalSeconds;
            if (_results[a.Task] is null)
            {
                if (_attempts[a.Task] >= _options.MaxAttempts)
                {
                    Finish(JobState.Failed, $"task {a.Task} ({_work!.Describe(a.Task)}) was running on a lost worker {_attempts[a.Task]} times");
                    return;
                }
                _queue.AddFirst(a.Task);
                requeued++;
                units += _work!.Units(a.Task);
            }
        }
        _retried += requeued;
        _lostSeconds += lost;
        Event(string.Create(CultureInfo.InvariantCulture,
            $"worker {w.Name} lost at {_clock.Elapsed.TotalSeconds:F1} s ({reason}); {requeued} running task{(requeued == 1 ? "" : "s")} ({units} {UnitName}) queued again, {lost:F1} s of work lost"));
        Signal();
    }

    private static string Reason(Exception e)
    {
        if (e is SiloUnavailableException)
        {
            return "its silo stopped answering";
        }
        string message = e.Message.ReplaceLineEndings(" ");
        int stop = message.IndexOf(". ", StringComparison.Ordinal);
        return e.GetType().Name + ": " + (stop > 0 ? message[..stop] : message);
    }

    private string UnitName => _spec!.Kind switch
    {
        JobKind.Ncd => "pairs",
        JobKind.Classify => "documents",
        _ => "bytes",
    };

    private void Finish(JobState state, string? error)
    {
        if (_state is not (JobState.Uploading or JobState.Running))
        {
            return;
        }
        _state = state;
        _error = error;
        _queue.Clear();
        _clock.Stop();
        log.LogInformation("job {Job}: {State} after {Seconds:F1} s{Error}", this.GetPrimaryKeyString(), state, _clock.Elapsed.TotalSeconds, error is null ? "" : ": " + error);
        foreach (var w in _workers.Values.Where(w => !w.Lost))
        {
            _ = StopQuietly(w.Grain);
        }
        Signal();
    }

    private static async Task StopQuietly(IWorkerGrain worker)
    {
        try
        {
            await worker.Stop();
        }
        catch (Exception)
        {
            // a worker that is gone holds nothing to stop
        }
    }

    private void Event(string text)
    {
        _events.Add(text);
        log.LogWarning("job {Job}: {Event}", this.GetPrimaryKeyString(), text);
        Signal();
    }

    private void Signal()
    {
        var s = _changed;
        _changed = NewSignal();
        s.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private JobStats Stats() => new()
    {
        Workers = _workers.Values.Count(w => w.Joined),
        Lanes = _lanes,
        WorkersLost = _workersLost,
        TasksRetried = _retried,
        DuplicatesDiscarded = _duplicates,
        LostSeconds = _lostSeconds,
        Seconds = _clock.Elapsed.TotalSeconds,
        TasksDone = _done,
        TaskCount = _results.Length,
    };
}
