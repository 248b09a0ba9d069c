using System.Buffers.Binary;
using Kolmo.Information;
using Kolmo.Learning;

namespace Kolmo.Cluster.Work;

/// <summary>Turns the payloads of all of a job's tasks (in task order) into its result, whoever computed them.</summary>
public static class JobResults
{
    /// <summary>Checks that <paramref name="payload"/> has the size task <paramref name="task"/> of <paramref name="work"/> gives.</summary>
    /// <exception cref="InvalidDataException">It does not (compress payloads are checked when decoded).</exception>
    public static void CheckPayload(JobWork work, int task, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(payload);
        long expected = work.Spec.Kind switch
        {
            JobKind.Ncd => work.Units(task) * sizeof(double),
            JobKind.Classify => work.Units(task) * sizeof(int),
            _ => -1,
        };
        if (expected >= 0 && payload.Length != expected)
        {
            throw new InvalidDataException($"task {task} ({work.Describe(task)}): {payload.Length} bytes of results, expected {expected}");
        }
    }

    /// <summary>The NCD matrix of an ncd job.</summary>
    /// <exception cref="InvalidDataException">A payload has the wrong size or holds a value that is not finite.</exception>
    public static DistanceMatrix Matrix(JobSpec spec, IReadOnlyList<byte[]> payloads)
    {
        var work = Check(spec, payloads, JobKind.Ncd);
        int n = spec.Count;
        var d = new double[n, n];
        for (int t = 0; t < payloads.Count; t++)
        {
            int k = 0;
            foreach (var (i, j) in NcdTiles.Pairs(n, spec.TaskSize, t))
            {
                double v = BinaryPrimitives.ReadDoubleLittleEndian(payloads[t].AsSpan(k++ * sizeof(double)));
                if (!double.IsFinite(v))
                {
                    throw new InvalidDataException($"task {t} ({work.Describe(t)}): NCD({i}, {j}) is not a finite number");
                }
                d[i, j] = v;
                d[j, i] = v;
            }
        }
        return new DistanceMatrix(spec.Names, d);
    }

    /// <summary>The predicted label of each test document of a classify job.</summary>
    /// <exception cref="InvalidDataException">A payload has the wrong size or names a class that does not exist.</exception>
    public static string[] Predictions(JobSpec spec, IReadOnlyList<byte[]> payloads)
    {
        Check(spec, payloads, JobKind.Classify);
        var classes = ClassifyWork.ClassListOf(spec);
        var result = new List<string>(spec.Count - spec.TrainCount);
        foreach (var p in payloads)
        {
            for (int i = 0; i < p.Length; i += sizeof(int))
            {
                int c = BinaryPrimitives.ReadInt32LittleEndian(p.AsSpan(i));
                if ((uint)c >= (uint)classes.Length)
                {
                    throw new InvalidDataException($"prediction {result.Count}: class {c} does not exist ({classes.Length} classes)");
                }
                result.Add(classes[c]);
            }
        }
        return [.. result];
    }

    /// <summary>The classifier's name as <c>kolmo classify</c> reports it, e.g. <c>knn(deflate,k=1)</c>.</summary>
    public static string ClassifierName(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Method == "knn"
            ? NcdKnnClassifier.Describe(CodeLengthPanel.Create([spec.Compressor]).Single().Name, spec.K)
            : ConditionalClassifier.Describe(CodeLengthPanel.SizedFactory(spec.Compressor)(1).Name);
    }

    private static JobWork Check(JobSpec spec, IReadOnlyList<byte[]> payloads, JobKind kind)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(payloads);
        if (spec.Kind != kind)
        {
            throw new ArgumentException($"a {kind} job is needed, not {spec.Kind}", nameof(spec));
        }
        var work = JobWork.Create(spec, 1);
        if (payloads.Count != work.TaskCount)
        {
            throw new InvalidDataException($"{payloads.Count} task results for a job of {work.TaskCount} tasks");
        }
        for (int t = 0; t < payloads.Count; t++)
        {
            CheckPayload(work, t, payloads[t]);
        }
        return work;
    }
}
