using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kolmo.Learning;

namespace Kolmo.Vision;

/// <summary>What identifies an experiment in its checkpoint folder: the options, a fingerprint of the data, and free-form notes (e.g. the command line).</summary>
/// <param name="Version">Folder layout version (1).</param>
/// <param name="Options">The experiment's options.</param>
/// <param name="DataFingerprint">xxHash64 (hex) of the palette, the training and test tokens and labels.</param>
/// <param name="Notes">Caller's notes (the CLI stores its arguments here, to resume with the same data).</param>
/// <param name="Builds">The library builds (informational versions) that worked on the experiment, in order: a resume with another
/// build (e.g. faster kernels that sum in another order) continues from the saved state but need not reproduce the numbers an
/// uninterrupted run of either build would give, so the report lists them.</param>
public sealed record IgptManifest(int Version, IgptOptions Options, string DataFingerprint, IReadOnlyDictionary<string, string> Notes, IReadOnlyList<string> Builds);

/// <summary>The counters of a run that training needs besides the weights and the optimiser.</summary>
internal sealed class IgptRunState
{
    public int Step { get; set; }

    public double IntervalLossSum { get; set; }

    public int IntervalLossCount { get; set; }

    public double WindowLossSum { get; set; }

    public int WindowLossCount { get; set; }

    public List<int> CurveSteps { get; set; } = [];

    public List<double> CurveBits { get; set; } = [];

    public double TrainCpuSeconds { get; set; }
}

/// <summary>A measurement with the per-test-image numbers the bootstrap needs.</summary>
/// <param name="Measurement">The summary.</param>
/// <param name="ImageBits">Bits per pixel of each test image.</param>
/// <param name="MeanCorrect">Per test image, '1' when the chosen mean-pooled probe classified it correctly.</param>
/// <param name="GridCorrect">The same for the grid-pooled probe (null when off).</param>
internal sealed record StoredMeasurement(IgptMeasurement Measurement, float[] ImageBits, string MeanCorrect, string? GridCorrect);

/// <summary>Layer probes finished so far in an interrupted measurement.</summary>
/// <param name="Layers">Keyed "pooling/layer".</param>
internal sealed record PartialProbes(Dictionary<string, PartialLayer> Layers);

/// <summary>One finished layer probe with its per-test-image correctness.</summary>
internal sealed record PartialLayer(LayerProbe Probe, string Correct);

/// <summary>Time spent on an experiment, summed over the sessions that worked on it.</summary>
internal sealed record IgptTotals(double CpuSeconds, double WallSeconds);

/// <summary>JSON of the experiment's records (System.Text.Json source generation).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(IgptResults))]
[JsonSerializable(typeof(IgptManifest))]
[JsonSerializable(typeof(IgptOptions))]
[JsonSerializable(typeof(IgptRunState))]
[JsonSerializable(typeof(StoredMeasurement))]
[JsonSerializable(typeof(PartialProbes))]
[JsonSerializable(typeof(PooledProbe))]
[JsonSerializable(typeof(IgptTotals))]
[JsonSerializable(typeof(IgptCompression))]
[JsonSerializable(typeof(IgptCompletions))]
[JsonSerializable(typeof(IgptSamples))]
internal sealed partial class IgptJson : JsonSerializerContext;

/// <summary>
/// The checkpoint folder of an experiment, so that a long run survives interruption and
/// <see cref="IgptExperiment.Run"/> resumes it with the same results as an uninterrupted run:
/// <code>
/// experiment.json              options, data fingerprint, notes (refuses to resume another experiment)
/// totals.json                  CPU and wall seconds over all sessions
/// raw-pixels.json              the raw-pixel probe
/// RUN/state.bin                latest training state: "KOLMOIGS" | u32 n | n bytes JSON counters | model weights + optimiser | u64 xxHash64
/// RUN/step-NNNNNN.kolmonn      the weights at each measured step (a neural checkpoint, docs/NEURAL.md)
/// RUN/step-NNNNNN.json         the measurement at that step (with per-test-image bits and probe outcomes)
/// RUN/step-NNNNNN.partial.json layer probes finished in an interrupted measurement
/// final.json                   compression, completions and samples of the final model
/// tmp/                         probe features spilled to disk (deleted when done)
/// </code>
/// RUN is e.g. <c>ar-2x64-s0</c>. Every file is written to a temporary name and renamed, so an interruption leaves
/// either the old or the new version.
/// </summary>
public sealed class IgptCheckpointStore
{
    private static ReadOnlySpan<byte> StateMagic => "KOLMOIGS"u8;

    /// <summary>Uses (and creates) the folder <paramref name="directory"/>.</summary>
    public IgptCheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>Where probe features go when they exceed the memory budget.</summary>
    public string SpillDirectory => Path.Combine(Directory, "tmp");

    /// <summary>True when the folder holds an experiment.</summary>
    public bool HasExperiment => File.Exists(Path.Combine(Directory, "experiment.json"));

    /// <summary>The experiment's manifest, or null when the folder holds none.</summary>
    /// <exception cref="InvalidDataException">The manifest is corrupt.</exception>
    public IgptManifest? ReadManifest() => ReadJson("experiment.json", IgptJson.Default.IgptManifest);

    /// <summary>Writes the manifest.</summary>
    public void WriteManifest(IgptManifest manifest) => WriteJson("experiment.json", manifest, IgptJson.Default.IgptManifest);

    /// <summary>The weights saved at <paramref name="step"/> of <paramref name="run"/> (a neural checkpoint file), or null.</summary>
    public string? WeightsPath(IgptRunSpec run, int step)
    {
        ArgumentNullException.ThrowIfNull(run);
        string path = Path.Combine(Directory, run.Name, $"step-{step:D6}.kolmonn");
        return File.Exists(path) ? path : null;
    }

    internal static string SerializeOptions(IgptOptions options) => JsonSerializer.Serialize(options, IgptJson.Default.IgptOptions);

    internal void Prepare()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (System.IO.Directory.Exists(SpillDirectory))
        {
            System.IO.Directory.Delete(SpillDirectory, true);
        }
        foreach (var tmp in System.IO.Directory.EnumerateFiles(Directory, "*.tmp", SearchOption.AllDirectories))
        {
            File.Delete(tmp);
        }
    }

    internal IgptTotals ReadTotals() => ReadJson("totals.json", IgptJson.Default.IgptTotals) ?? new IgptTotals(0, 0);

    internal void WriteTotals(IgptTotals totals) => WriteJson("totals.json", totals, IgptJson.Default.IgptTotals);

    internal PooledProbe? ReadRawProbe() => ReadJson("raw-pixels.json", IgptJson.Default.PooledProbe);

    internal void WriteRawProbe(PooledProbe probe) => WriteJson("raw-pixels.json", probe, IgptJson.Default.PooledProbe);

    internal StoredMeasurement? ReadMeasurement(IgptRunSpec run, int step) => ReadJson(Path.Combine(run.Name, $"step-{step:D6}.json"), IgptJson.Default.StoredMeasurement);

    internal void WriteMeasurement(IgptRunSpec run, int step, StoredMeasurement m)
    {
        WriteJson(Path.Combine(run.Name, $"step-{step:D6}.json"), m, IgptJson.Default.StoredMeasurement);
        string partial = Path.Combine(Directory, run.Name, $"step-{step:D6}.partial.json");
        if (File.Exists(partial))
        {
            File.Delete(partial);
        }
    }

    internal PartialProbes ReadPartial(IgptRunSpec run, int step) =>
        ReadJson(Path.Combine(run.Name, $"step-{step:D6}.partial.json"), IgptJson.Default.PartialProbes) ?? new PartialProbes([]);

    internal void WritePartial(IgptRunSpec run, int step, PartialProbes p) => WriteJson(Path.Combine(run.Name, $"step-{step:D6}.partial.json"), p, IgptJson.Default.PartialProbes);

    internal T? ReadFinal<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) where T : class => ReadJson($"final-{name}.json", info);

    internal void WriteFinal<T>(string name, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) => WriteJson($"final-{name}.json", value, info);

    internal void WriteWeights(IgptRunSpec run, int step, ITokenTransformer model) =>
        WriteAtomic(Path.Combine(run.Name, $"step-{step:D6}.kolmonn"), model.SaveWeights);

    /// <summary>The step of <paramref name="run"/>'s saved training state (0 when none), read from the header only.</summary>
    internal int ReadStateStep(IgptRunSpec run)
    {
        string path = Path.Combine(Directory, run.Name, "state.bin");
        if (!File.Exists(path))
        {
            return 0;
        }
        var (state, _) = ReadStateFile(path);
        return state.Step;
    }

    /// <summary>Loads <paramref name="run"/>'s training state into <paramref name="model"/>; null when there is none.</summary>
    internal IgptRunState? ReadState(IgptRunSpec run, ITokenTransformer model)
    {
        string path = Path.Combine(Directory, run.Name, "state.bin");
        if (!File.Exists(path))
        {
            return null;
        }
        var (state, modelBytes) = ReadStateFile(path);
        model.LoadTrainingState(new MemoryStream(modelBytes));
        return state;
    }

    internal void WriteState(IgptRunSpec run, IgptRunState state, ITokenTransformer model)
    {
        WriteAtomic(Path.Combine(run.Name, "state.bin"), stream =>
        {
            using var body = new MemoryStream();
            body.Write(StateMagic);
            var json = JsonSerializer.SerializeToUtf8Bytes(state, IgptJson.Default.IgptRunState);
            Span<byte> n = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(n, (uint)json.Length);
            body.Write(n[..4]);
            body.Write(json);
            model.SaveTrainingState(body);
            BinaryPrimitives.WriteUInt64LittleEndian(n, XxHash64.HashToUInt64(body.GetBuffer().AsSpan(0, (int)body.Length)));
            body.Write(n);
            stream.Write(body.GetBuffer(), 0, (int)body.Length);
        });
    }

    private static (IgptRunState State, byte[] Model) ReadStateFile(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 20 || !data.AsSpan(0, 8).SequenceEqual(StateMagic))
        {
            throw new InvalidDataException($"{path}: not a training state");
        }
        if (XxHash64.HashToUInt64(data.AsSpan(0, data.Length - 8)) != BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(data.Length - 8)))
        {
            throw new InvalidDataException($"{path}: training state is corrupt (checksum mismatch)");
        }
        int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8));
        if (n < 2 || 12L + n > data.Length - 8)
        {
            throw new InvalidDataException($"{path}: training state is corrupt");
        }
        IgptRunState? state;
        try
        {
            state = JsonSerializer.Deserialize(data.AsSpan(12, n), IgptJson.Default.IgptRunState);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        if (state is null || state.Step < 0)
        {
            throw new InvalidDataException($"{path}: training state is corrupt");
        }
        return (state, data.AsSpan(12 + n, data.Length - 8 - 12 - n).ToArray());
    }

    private T? ReadJson<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) where T : class
    {
        string path = Path.Combine(Directory, name);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), info) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
    }

    private void WriteJson<T>(string name, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        WriteAtomic(name, s => JsonSerializer.Serialize(s, value, info));

    private void WriteAtomic(string name, Action<Stream> write)
    {
        string path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string tmp = path + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                write(f);
                f.Flush(true);
            }
            File.Move(tmp, path, true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }
}
