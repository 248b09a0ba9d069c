using System.Collections.Concurrent;
using System.Diagnostics;
using Kolmo.Cluster.Work;
using Orleans.Concurrency;

namespace Kolmo.Cluster.Grains;

/// <summary>Settings of the worker side of a silo.</summary>
/// <param name="Lanes">Tasks a silo runs at once (≥ 1); usually its cores.</param>
public sealed record WorkerSettings(int Lanes);

/// <summary>
/// One job's worker on one silo (see <see cref="IWorkerGrain"/>). Reentrant: its lanes' <see cref="Run"/> calls
/// interleave on the grain (fetching documents, bookkeeping) and compute on the thread pool in parallel.
/// Documents are fetched from the coordinator once per silo, in batches, and kept for the job's duration.
/// </summary>
[Reentrant]
[SiloPinnedPlacement]
[CollectionAgeLimit(Minutes = 2)] // a worker whose coordinator is gone frees its documents and caches soon
internal sealed class WorkerGrain(WorkerSettings settings, ILocalSiloDetails silo) : Grain, IWorkerGrain
{
    /// <summary>Most bytes of documents asked for in one message (one larger document goes alone).</summary>
    private const long FetchBatchBytes = 4 << 20;

    private readonly ConcurrentDictionary<int, byte[]> _documents = new();
    private readonly Dictionary<int, Task> _fetching = [];
    private readonly CancellationTokenSource _stop = new();
    private JobWork? _work;

    /// <summary>The job id: the key is <c>JOB/COORDINATOR-INCARNATION|SILO</c>.</summary>
    private string JobId
    {
        get
        {
            string key = this.GetPrimaryKeyString();
            return key[..key.IndexOf('/', StringComparison.Ordinal)];
        }
    }

    public Task<int> Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Id != JobId)
        {
            throw new ArgumentException($"spec {spec.Id} sent to the worker of job {JobId}", nameof(spec));
        }
        _work ??= JobWork.Create(spec, settings.Lanes);
        return Task.FromResult(Math.Max(1, settings.Lanes));
    }

    public async Task<TaskOutcome> Run(int task)
    {
        // an activation that was not prepared (the silo holding its directory entry was lost, and Orleans activated
        // it again) asks the coordinator for the spec
        var work = _work ?? await Load();
        var sw = Stopwatch.StartNew();
        try
        {
            await Fetch(work.Documents(task));
            var cancel = _stop.Token;
            byte[] payload = await Task.Run(() => work.Compute(task, i => _documents[i], cancel), cancel);
            return new TaskOutcome { Task = task, Payload = payload, Seconds = sw.Elapsed.TotalSeconds, Worker = silo.SiloAddress.Endpoint.ToString() };
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException or NotSupportedException or OutOfMemoryException)
        {
            // the computation itself failed: the same would happen anywhere, so the job fails (not retried)
            return new TaskOutcome { Task = task, Seconds = sw.Elapsed.TotalSeconds, Worker = silo.SiloAddress.Endpoint.ToString(), Error = e.Message };
        }
    }

    private async Task<JobWork> Load()
    {
        var spec = await GrainFactory.GetGrain<IJobGrain>(JobId).Spec() ?? throw new InvalidOperationException($"job {JobId} is gone");
        return _work ??= JobWork.Create(spec, settings.Lanes);
    }

    public Task Stop()
    {
        _stop.Cancel();
        _work = null;
        _documents.Clear();
        this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Makes sure every document in <paramref name="indices"/> is here, fetching the missing ones in batches.</summary>
    private async Task Fetch(IReadOnlyList<int> indices)
    {
        var spec = _work!.Spec;
        var waits = new List<Task>();
        var batch = new List<int>();
        long batchBytes = 0;
        foreach (int i in indices)
        {
            if (_documents.ContainsKey(i))
            {
                continue;
            }
            if (_fetching.TryGetValue(i, out var pending))
            {
                waits.Add(pending);
                continue;
            }
            if (batch.Count > 0 && batchBytes + spec.Lengths[i] > FetchBatchBytes)
            {
                waits.Add(StartFetch(batch));
                batch = [];
                batchBytes = 0;
            }
            batch.Add(i);
            batchBytes += spec.Lengths[i];
        }
        if (batch.Count > 0)
        {
            waits.Add(StartFetch(batch));
        }
        await Task.WhenAll(waits);
    }

    private Task StartFetch(List<int> batch)
    {
        int[] indices = [.. batch];
        var task = FetchBatch(indices);
        foreach (int i in indices)
        {
            _fetching[i] = task;
        }
        return task;
    }

    private async Task FetchBatch(int[] indices)
    {
        try
        {
            var docs = await GrainFactory.GetGrain<IJobGrain>(JobId).Documents(indices);
            var spec = _work?.Spec;
            for (int k = 0; k < indices.Length; k++)
            {
                if (spec is not null && !spec.Matches(indices[k], docs[k]))
                {
                    throw new InvalidDataException($"document {indices[k]} arrived damaged (length or hash differs)");
                }
                _documents[indices[k]] = docs[k];
            }
        }
        finally
        {
            foreach (int i in indices)
            {
                _fetching.Remove(i);
            }
        }
    }
}
