using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kolmo.Learning;

namespace Kolmo.Cluster.Work;

/// <summary>What a job computes.</summary>
public enum JobKind
{
    /// <summary>An NCD matrix: tasks are tiles of the upper triangle.</summary>
    Ncd = 1,

    /// <summary>Classification of a test set: tasks are shards of the test documents.</summary>
    Classify = 2,

    /// <summary>Compression of many files to <c>.kolmo</c> containers: one task per file.</summary>
    Compress = 3,
}

/// <summary>
/// Everything that decides a job's result, and nothing else: the kind, the compressor and its settings, the
/// documents (by name, length and xxHash64 — the bytes travel separately) and how the work is cut into tasks.
/// Two runs with equal specs compute equal results whatever runs them (one process, a shard, one silo or many),
/// so <see cref="Id"/>, a hash of the spec, names the job: running the same command again finds the same job.
/// The cut into tasks is a function of the document counts only (see <see cref="JobWork"/>), never of the
/// cluster's size.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class JobSpec
{
    /// <summary>Largest document a job accepts (the unit a silo fetches in one message).</summary>
    public const long MaxDocumentBytes = 64L << 20;

    /// <summary>What the job computes.</summary>
    [Id(0)]
    public JobKind Kind { get; init; }

    /// <summary>ncd: the code-length source; classify: the compressor (knn) or model (conditional); compress: the model.</summary>
    [Id(1)]
    public string Compressor { get; init; } = "";

    /// <summary>classify: <c>knn</c> or <c>conditional</c>; empty otherwise.</summary>
    [Id(2)]
    public string Method { get; init; } = "";

    /// <summary>classify knn: neighbours.</summary>
    [Id(3)]
    public int K { get; init; }

    /// <summary>compress: level 1–9, or 0 for the model's default.</summary>
    [Id(4)]
    public int Level { get; init; }

    /// <summary>compress: model memory bound in bytes, or 0 for none.</summary>
    [Id(5)]
    public long MemoryLimit { get; init; }

    /// <summary>compress: container block size in bytes.</summary>
    [Id(6)]
    public int BlockSize { get; init; }

    /// <summary>Name of each document (ncd: matrix labels; classify: ids; compress: input paths).</summary>
    [Id(7)]
    public string[] Names { get; init; } = [];

    /// <summary>Length of each document in bytes.</summary>
    [Id(8)]
    public long[] Lengths { get; init; } = [];

    /// <summary>xxHash64 of each document.</summary>
    [Id(9)]
    public ulong[] Hashes { get; init; } = [];

    /// <summary>classify: the label of each document (training documents first, then the test set's truth).</summary>
    [Id(10)]
    public string[] Labels { get; init; } = [];

    /// <summary>classify: how many of the documents (the first ones) are the training set.</summary>
    [Id(11)]
    public int TrainCount { get; init; }

    /// <summary>ncd: side of a tile in documents; classify: test documents per shard; compress: 1.</summary>
    [Id(12)]
    public int TaskSize { get; init; }

    /// <summary>Number of documents.</summary>
    [JsonIgnore]
    public int Count => Names.Length;

    /// <summary>The job's name: 32 hex digits of the xxHash128 of the spec's JSON form.</summary>
    [JsonIgnore]
    public string Id
    {
        get
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(this, WorkJson.Default.JobSpec);
            return Convert.ToHexStringLower(XxHash128.Hash(bytes));
        }
    }

    /// <summary>A spec for the NCD matrix of <paramref name="items"/> under <paramref name="compressor"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 items, or one is too large.</exception>
    public static JobSpec ForNcd(IReadOnlyList<(string Name, byte[] Data)> items, string compressor)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentException.ThrowIfNullOrEmpty(compressor);
        if (items.Count < 2)
        {
            throw new ArgumentException("at least 2 inputs are needed", nameof(items));
        }
        var docs = items.Select(i => i.Data).ToArray();
        return new JobSpec
        {
            Kind = JobKind.Ncd,
            Compressor = compressor,
            Names = [.. items.Select(i => i.Name)],
            Lengths = LengthsOf(docs),
            Hashes = HashesOf(docs),
            TaskSize = NcdTiles.SideFor(items.Count),
        };
    }

    /// <summary>A spec to classify <paramref name="test"/> with a classifier trained on <paramref name="train"/>.</summary>
    /// <param name="train">Training documents.</param>
    /// <param name="test">Test documents (their labels are the truth, not used to predict).</param>
    /// <param name="method"><c>knn</c> or <c>conditional</c>.</param>
    /// <param name="compressor">Compressor (knn) or adaptive model (conditional).</param>
    /// <param name="k">Neighbours (knn).</param>
    /// <exception cref="ArgumentException">An empty set, an unknown method, or a document too large.</exception>
    public static JobSpec ForClassify(IReadOnlyList<LabeledDocument> train, IReadOnlyList<LabeledDocument> test, string method, string compressor, int k)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentException.ThrowIfNullOrEmpty(compressor);
        if (method is not "knn" and not "conditional")
        {
            throw new ArgumentException($"unknown method '{method}' (knn or conditional)", nameof(method));
        }
        if (train.Count == 0 || test.Count == 0)
        {
            throw new ArgumentException("the training and test sets must not be empty", nameof(train));
        }
        var all = train.Concat(test).ToArray();
        var docs = all.Select(d => d.Data).ToArray();
        return new JobSpec
        {
            Kind = JobKind.Classify,
            Compressor = compressor,
            Method = method,
            K = method == "knn" ? k : 0,
            Names = [.. all.Select(d => d.Id)],
            Lengths = LengthsOf(docs),
            Hashes = HashesOf(docs),
            Labels = [.. all.Select(d => d.Label)],
            TrainCount = train.Count,
            TaskSize = ClassifyShards.SizeFor(test.Count),
        };
    }

    /// <summary>A spec to compress each of <paramref name="files"/> on its own, as <c>kolmo compress</c> does.</summary>
    /// <param name="files">Name (path) and bytes of each file.</param>
    /// <param name="model">Model name.</param>
    /// <param name="level">Level, or null for the model's default.</param>
    /// <param name="memoryLimit">Model memory bound in bytes, or null.</param>
    /// <param name="blockSize">Container block size.</param>
    /// <exception cref="ArgumentException">No files, or one too large.</exception>
    public static JobSpec ForCompress(IReadOnlyList<(string Name, byte[] Data)> files, string model, int? level, long? memoryLimit, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrEmpty(model);
        if (files.Count == 0)
        {
            throw new ArgumentException("no files", nameof(files));
        }
        var docs = files.Select(f => f.Data).ToArray();
        return new JobSpec
        {
            Kind = JobKind.Compress,
            Compressor = model,
            Level = level ?? 0,
            MemoryLimit = memoryLimit ?? 0,
            BlockSize = blockSize,
            Names = [.. files.Select(f => f.Name)],
            Lengths = LengthsOf(docs),
            Hashes = HashesOf(docs),
            TaskSize = 1,
        };
    }

    /// <summary>Checks that <paramref name="data"/> is document <paramref name="index"/> (length and hash).</summary>
    public bool Matches(int index, ReadOnlySpan<byte> data) =>
        (uint)index < (uint)Count && data.Length == Lengths[index] && XxHash64.HashToUInt64(data) == Hashes[index];

    private static long[] LengthsOf(byte[][] docs)
    {
        foreach (var d in docs)
        {
            if (d.LongLength > MaxDocumentBytes)
            {
                throw new ArgumentException($"an input of {d.LongLength} bytes is larger than the {MaxDocumentBytes >> 20} MiB a job accepts per document", nameof(docs));
            }
        }
        return [.. docs.Select(d => d.LongLength)];
    }

    private static ulong[] HashesOf(byte[][] docs) => [.. docs.Select(d => XxHash64.HashToUInt64(d))];
}
