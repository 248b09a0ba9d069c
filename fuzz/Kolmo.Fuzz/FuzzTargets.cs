using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Kolmo.Cluster.Work;
using Kolmo.Compression;
using Kolmo.Compression.Panel;
using Kolmo.Decipher;
using Kolmo.Learning;
using Kolmo.Neural;
using Kolmo.Vision;

namespace Kolmo.Fuzz;

/// <summary>An input broke a fuzz target's stated property (anything but the allowed exception is a finding too).</summary>
public sealed class PropertyViolation(string message) : Exception(message);

/// <summary>
/// One fuzz target: a parser of outside bytes and the property it must keep for every input.
/// <see cref="Run"/> returns normally when the property holds (including a clean refusal with the allowed
/// exception) and throws otherwise — <see cref="PropertyViolation"/>, or whatever unexpected exception escaped.
/// </summary>
/// <param name="Name">Command-line name (also the folder of its seeds and regressions).</param>
/// <param name="Property">The property, in one sentence.</param>
/// <param name="AllocationLimit">Most bytes one run may allocate for an input of n bytes.</param>
/// <param name="Body">The code under test.</param>
public sealed record FuzzTarget(string Name, string Property, Func<long, long> AllocationLimit, Action<byte[]> Body)
{
    /// <summary>Runs the target on <paramref name="input"/>; throws when the property is broken.</summary>
    public void Run(byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Body(input);
        }
        catch (InvalidDataException)
        {
            // the one way to refuse outside bytes
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long limit = AllocationLimit(input.Length);
        if (allocated > limit)
        {
            throw new PropertyViolation($"{Name}: allocated {allocated:N0} bytes for a {input.Length}-byte input (limit {limit:N0})");
        }
    }
}

/// <summary>
/// Every fuzz target of Kolmo (fuzz/README.md). Shared by the SharpFuzz/AFL++ driver (<c>Program</c>) and by the
/// regression tests, which replay every committed finding and every seed through the same code.
/// Harness fix-ups: inputs whose format carries a checksum (container header, n-gram model file, neural checkpoint)
/// get that checksum recomputed by the <c>decode-*</c>, <c>decipher-model</c> and <c>checkpoint</c> targets, so the
/// fuzzer explores what lies behind it; the <c>container</c> target takes bytes as they are.
/// </summary>
public static class FuzzTargets
{
    private const long MiB = 1 << 20;

    /// <summary>
    /// Worst-case decoded bytes per coded payload byte (docs/FORMAT.md): 1 / (min cost of a bit in bits). order3 clamps
    /// P(1) to [32, 65504] (≥ 7.05e-4 bits per bit, ratio ≤ 1418; 8 MiB of zeros measured 1408); the other models are
    /// bounded only by the coder's own range, P(1) ∈ [1, 65535] (≥ 2.2e-5 bits per bit, ratio ≤ 45,426; cm measured
    /// 10,700 on 8 MiB of zeros).
    /// </summary>
    public static long DecodeRatio(ModelId model) => model == ModelId.Order3 ? 1_500 : 45_500;

    /// <summary>All targets by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("container", "any bytes: Inspect and Decompress refuse with InvalidDataException or succeed; decoded bytes ≤ ratio × input; bounded allocation",
            n => 320 * MiB + 64 * n, input => Decode(input, null)),
        new("decode-order3", "order3 containers (header checksum fixed up, tables ≤ 2^12): InvalidDataException or success; decoded bytes ≤ 45500 × input",
            n => 96 * MiB + 64 * n, input => Decode(input, ModelId.Order3)),
        new("decode-cm", "cm containers (checksum fixed up, smallest tables): InvalidDataException or success; decoded bytes ≤ 45500 × input",
            n => 96 * MiB + 64 * n, input => Decode(input, ModelId.Cm)),
        new("decode-nn", "nn containers (checksum fixed up): InvalidDataException or success; network ≤ 2^26 floats; decoded bytes ≤ 45500 × input",
            n => 2048 * MiB + 64 * n, input => Decode(input, ModelId.Nn)),
        new("decode-cmnn", "cm+nn containers (checksum fixed up): InvalidDataException or success; decoded bytes ≤ 45500 × input",
            n => 2048 * MiB + 64 * n, input => Decode(input, ModelId.CmNn)),
        new("roundtrip-order3", "any data: order3 (4 KiB blocks) compresses and decompresses it to the same bytes, within the size bound",
            n => 96 * MiB + 64 * n, input => RoundTrip(input, "order3")),
        new("roundtrip-cm", "any data: cm level 1 (16 MiB, 4 KiB blocks) compresses and decompresses it to the same bytes, within the size bound",
            n => 96 * MiB + 64 * n, input => RoundTrip(input, "cm")),
        new("idx", "IDX images and labels, raw or gzip: InvalidDataException or a set whose size matches the header; memory ≤ 1 GiB cap",
            n => 8 * MiB + 64 * n, Idx),
        new("decipher-model", "n-gram model files (CRC-32 fixed up): InvalidDataException or a model that builds",
            n => 64 * MiB + 512 * n, DecipherModel),
        new("checkpoint", "neural checkpoints (xxHash64 fixed up): InvalidDataException or a model whose parameters the file holds; allocation ≤ the file's floats",
            n => 16 * MiB + 64 * n, Checkpoint),
        new("classify-tsv", "label<TAB>text files: InvalidDataException or documents with labels",
            n => 4 * MiB + 64 * n, input => ClassifyTsv(input)),
        new("classify-dir", "CLASS/DOC folders built from the input: InvalidDataException or documents whose labels are the class folders",
            n => 4 * MiB + 64 * n, ClassifyDirectory),
        new("ncd-matrix", "distance matrix TSV as 'kolmo cluster' reads it: InvalidDataException or a matrix that UPGMA and neighbour joining turn into trees",
            n => 8 * MiB + 256 * n, NcdMatrixFile),
        new("shard-file", "shard files as 'kolmo merge' reads them: InvalidDataException, or a file that writes back to JSON that reads back the same and merges (alone) into a matrix, predictions or an InvalidDataException",
            n => 16 * MiB + 512 * n, ShardFileMerge),
    ];

    /// <summary>The target named <paramref name="name"/>.</summary>
    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"unknown fuzz target '{name}' (known: {string.Join(", ", All.Select(t => t.Name))})", nameof(name));

    private static void Decode(byte[] input, ModelId? model)
    {
        byte[] file = model is ModelId m ? FixHeader(input, m) : input;
        if (model is null)
        {
            try
            {
                KolmoContainer.Inspect(new MemoryStream(file, writable: false));
            }
            catch (InvalidDataException)
            {
                // Decompress must refuse it too (checked below)
            }
        }
        var output = new CountingStream();
        Exception? sequential = null;
        try
        {
            ModelCompressor.Decompress(new MemoryStream(file, writable: false), output, null);
        }
        catch (InvalidDataException e)
        {
            sequential = e;
        }
        finally
        {
            CheckDecodedSize(file, output.Length);
        }
        if (file.Length > 4 && file[4] == KolmoContainer.SegmentedVersion)
        {
            // Segments decoded on 3 threads: the same verdict, and on success as many bytes (both passed the checksum).
            var parallel = new CountingStream();
            try
            {
                ModelCompressor.Decompress(new MemoryStream(file, writable: false), parallel, null, threads: 3);
            }
            catch (InvalidDataException) when (sequential is not null)
            {
                return;
            }
            finally
            {
                CheckDecodedSize(file, parallel.Length);
            }
            if (sequential is not null)
            {
                throw new PropertyViolation($"3 threads decoded what 1 thread refused ({sequential.Message})");
            }
            if (parallel.Length != output.Length)
            {
                throw new PropertyViolation($"3 threads decoded {parallel.Length} bytes, 1 thread {output.Length}");
            }
        }
        if (sequential is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(sequential).Throw();
        }
    }

    /// <summary>Decoded bytes may exceed the stored bytes only by the model's ratio on the coded bytes.</summary>
    private static void CheckDecodedSize(byte[] file, long decoded)
    {
        // the worst model's ratio: concatenated streams may each name another model
        long bound = DecodeRatio(ModelId.Nn) * (file.Length + 3L * (file.Length / 9 + 1)) + file.Length;
        if (decoded > bound)
        {
            throw new PropertyViolation($"decoded {decoded} bytes from a {file.Length}-byte file (bound {bound})");
        }
    }

    /// <summary>Forces the model id, keeps model memory small, and recomputes the header checksum.</summary>
    private static byte[] FixHeader(byte[] input, ModelId model)
    {
        if (input.Length < KolmoContainer.HeaderFixedBytes)
        {
            return input;
        }
        var file = (byte[])input.Clone();
        file[6] = (byte)model;
        int p = file[12];
        int end = KolmoContainer.HeaderFixedBytes + p;
        if (file.Length < end + 4)
        {
            return file;
        }
        if (p >= 1 && model is ModelId.Order3)
        {
            file[13] = (byte)Math.Min((int)file[13], 12);   // 2^12-slot tables: fast runs, same code paths
        }
        if (p >= 1 && model is ModelId.Cm)
        {
            file[13] = (byte)Math.Min((int)file[13], 16);   // cm's smallest tables
        }
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(end), XxHash32.HashToUInt32(file.AsSpan(0, end)));
        return file;
    }

    private static void RoundTrip(byte[] input, string model)
    {
        var c = new ModelCompressor(model, 1, model == "cm" ? 16 * MiB : null, 4096);
        var packed = new MemoryStream();
        c.Compress(new MemoryStream(input, writable: false), packed);
        if (packed.Length > c.GetMaxCompressedLength(input.Length))
        {
            throw new PropertyViolation($"{model}: {input.Length} bytes compressed to {packed.Length}, above GetMaxCompressedLength");
        }
        var back = new MemoryStream();
        ModelCompressor.Decompress(new MemoryStream(packed.ToArray(), writable: false), back, null);
        if (!back.ToArray().AsSpan().SequenceEqual(input))
        {
            throw new PropertyViolation($"{model}: round trip changed the data ({input.Length} bytes in, {back.Length} out)");
        }

        // Container version 2: 1000-byte segments on 2 threads with the x86 transform, decoded on 3 threads.
        var segmented = c.WithSegments(1000, 2, x86: true);
        packed = new MemoryStream();
        segmented.Compress(new MemoryStream(input, writable: false), packed);
        if (packed.Length > segmented.GetMaxCompressedLength(input.Length))
        {
            throw new PropertyViolation($"{model}, segments: {input.Length} bytes compressed to {packed.Length}, above GetMaxCompressedLength");
        }
        back = new MemoryStream();
        ModelCompressor.Decompress(new MemoryStream(packed.ToArray(), writable: false), back, null, threads: 3);
        if (!back.ToArray().AsSpan().SequenceEqual(input))
        {
            throw new PropertyViolation($"{model}, segments: round trip changed the data ({input.Length} bytes in, {back.Length} out)");
        }
    }

    private static void Idx(byte[] input)
    {
        // The first byte picks images or labels; the rest is the file (gzip when it starts 1F 8B).
        if (input.Length == 0)
        {
            return;
        }
        var file = new MemoryStream(input, 1, input.Length - 1, writable: false);
        if ((input[0] & 1) == 0)
        {
            var set = Vision.Idx.ReadImages(file);
            if ((long)set.Count * set.Rows * set.Cols != set.Pixels.Length)
            {
                throw new PropertyViolation("image set size does not match its header");
            }
        }
        else
        {
            Vision.Idx.ReadLabels(file);
        }
    }

    private static void DecipherModel(byte[] input)
    {
        var file = (byte[])input.Clone();
        if (file.Length >= 8)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), Crc32.HashToUInt32(file.AsSpan(0, file.Length - 4)));
        }
        var counts = NGramCounts.Load(new MemoryStream(file, writable: false));
        KneserNeyModel.Build(counts);
    }

    private static void Checkpoint(byte[] input)
    {
        var file = (byte[])input.Clone();
        if (file.Length >= 16)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(file.Length - 8), XxHash64.HashToUInt64(file.AsSpan(0, file.Length - 8)));
        }
        var model = SequenceModel.Load(new MemoryStream(file, writable: false));
        if (4L * model.Parameters.Values.Length > file.Length)
        {
            throw new PropertyViolation($"a {file.Length}-byte checkpoint produced {model.Parameters.Values.Length} parameters");
        }
    }

    private static List<LabeledDocument> ClassifyTsv(byte[] input)
    {
        var docs = DocumentSet.ParseTsv(input, "input");
        if (docs.Count == 0 || docs.Any(d => d.Label is null))
        {
            throw new PropertyViolation("ParseTsv returned no documents or a document without a label");
        }
        return docs;
    }

    /// <summary>
    /// The input describes a folder: records <c>class NUL doc NUL text</c> separated by 0x1E. Names are cut to
    /// 1–32 characters of [A-Za-z0-9._-] (so the target never writes outside its folder); empty classes come from
    /// records without a doc name.
    /// </summary>
    private static void ClassifyDirectory(byte[] input)
    {
        string root = Path.Combine(Path.GetTempPath(), "kolmo-fuzz-dir-" + Environment.ProcessId);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        Directory.CreateDirectory(root);
        try
        {
            int records = 0;
            foreach (var record in Split(input, 0x1E))
            {
                if (++records > 64)
                {
                    break;
                }
                var parts = Split(record, 0).Take(3).ToArray();
                string cls = SafeName(parts.Length > 0 ? parts[0] : []);
                string dir = Path.Combine(root, cls);
                Directory.CreateDirectory(dir);
                if (parts.Length > 1)
                {
                    File.WriteAllBytes(Path.Combine(dir, SafeName(parts[1])), parts.Length > 2 ? parts[2] : []);
                }
            }
            var docs = DocumentSet.Load(root);
            var classes = Directory.GetDirectories(root).Select(Path.GetFileName).ToHashSet();
            if (docs.Count == 0 || docs.Any(d => !classes.Contains(d.Label)))
            {
                throw new PropertyViolation("directory documents do not match the class folders");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void NcdMatrixFile(byte[] input)
    {
        var m = DistanceMatrix.ParseTsv(Encoding.UTF8.GetString(input));
        if (m.Count < 2 || m.Count > 64)
        {
            return;   // 'kolmo cluster' refuses fewer than 2; larger ones only cost time
        }
        Clustering.Upgma(m).ToNewick();
        Clustering.NeighborJoining(m).ToNewick();
    }

    private static void ShardFileMerge(byte[] input)
    {
        var file = ShardFile.Parse(input, "shard");
        byte[] json = file.ToJson();
        if (!ShardFile.Parse(json, "shard").ToJson().AsSpan().SequenceEqual(json))
        {
            throw new PropertyViolation("a parsed shard file, written back, does not read back the same");
        }
        // what 'kolmo merge' does with the files it is given (here the one)
        var (spec, payloads, _) = ShardFile.Merge([("shard", file)]);
        switch (spec.Kind)
        {
            case JobKind.Ncd:
                JobResults.Matrix(spec, payloads);
                break;
            case JobKind.Classify:
                JobResults.Predictions(spec, payloads);
                JobResults.ClassifierName(spec);
                break;
        }
    }

    private static IEnumerable<byte[]> Split(byte[] data, byte separator)
    {
        int start = 0;
        for (int i = 0; i <= data.Length; i++)
        {
            if (i == data.Length || data[i] == separator)
            {
                yield return data[start..i];
                start = i + 1;
            }
        }
    }

    private static string SafeName(byte[] raw)
    {
        var sb = new StringBuilder();
        foreach (byte b in raw)
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (c == '.' && sb.Length > 0))
            {
                sb.Append(c);
            }
            if (sb.Length == 32)
            {
                break;
            }
        }
        return sb.Length == 0 ? "x" : sb.ToString();
    }
}
