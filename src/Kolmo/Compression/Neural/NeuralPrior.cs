using System.IO.Hashing;

namespace Kolmo.Compression.Neural;

/// <summary>
/// What a model knows before it codes: nothing, data X it was trained on (<c>--prime-data</c>), or a trained
/// checkpoint (<c>--prime-model</c>). The container records <see cref="Kind"/> and the xxHash64 of the prior's bytes,
/// so decompression can refuse a missing or different prior instead of producing garbage.
/// </summary>
public abstract class NeuralPrior
{
    /// <summary>Prior kind as stored in the container: 1 = data, 2 = model checkpoint (0 means no prior).</summary>
    public abstract byte Kind { get; }

    /// <summary>xxHash64 (seed 0) of the prior's bytes.</summary>
    public abstract ulong Hash { get; }

    /// <summary>Short description for messages, e.g. <c>data</c> or <c>model</c>.</summary>
    public string KindName => KindNameOf(Kind);

    /// <summary>Name of a stored prior kind.</summary>
    public static string KindNameOf(byte kind) => kind switch
    {
        1 => "data",
        2 => "model",
        _ => $"kind {kind}",
    };

    /// <summary>Returns the model to code with: <paramref name="fresh"/> trained on the prior, or a loaded checkpoint.</summary>
    public abstract ISequenceModel Apply(ISequenceModel fresh, int block);

    /// <summary>xxHash64 of <paramref name="bytes"/>.</summary>
    public static ulong HashOf(ReadOnlySpan<byte> bytes) => XxHash64.HashToUInt64(bytes);
}

/// <summary>Prior data X: the fresh model is trained on X (one pass of the coding-time training) before coding Y.</summary>
public sealed class DataPrior : NeuralPrior
{
    private readonly byte[] _data;

    /// <summary>Creates a data prior over a copy of <paramref name="data"/>; <paramref name="epochs"/> passes of training.</summary>
    public DataPrior(ReadOnlySpan<byte> data, int epochs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        _data = data.ToArray();
        Epochs = epochs;
        Hash = HashOf(_data);
    }

    /// <summary>Training passes over the prior data.</summary>
    public int Epochs { get; }

    /// <summary>The prior bytes.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <inheritdoc />
    public override byte Kind => 1;

    /// <inheritdoc />
    public override ulong Hash { get; }

    /// <inheritdoc />
    public override ISequenceModel Apply(ISequenceModel fresh, int block)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        PrequentialCoder.Train(fresh, _data, block, Epochs);
        return fresh;
    }
}

/// <summary>Prior model: a checkpoint (bytes) and the loader that turns it into a trained model.</summary>
public sealed class ModelPrior : NeuralPrior
{
    private readonly byte[] _checkpoint;
    private readonly Func<byte[], ISequenceModel> _load;

    /// <summary>Creates a model prior from checkpoint bytes and a loader.</summary>
    public ModelPrior(byte[] checkpoint, Func<byte[], ISequenceModel> load)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(load);
        _checkpoint = checkpoint;
        _load = load;
        Hash = HashOf(checkpoint);
    }

    /// <summary>Configuration of the checkpoint's model (loads it once).</summary>
    public string Spec => (_loaded ??= _load(_checkpoint)).Spec;

    /// <summary>Training window of the checkpoint's model (bytes between optimizer steps), 32 when it has none.</summary>
    public int Window => (_loaded ??= _load(_checkpoint)) is NetworkSequenceModel n ? n.Window : 32;

    private ISequenceModel? _loaded;

        /// <inheritdoc />
    public override byte Kind => 2;

    /// <inheritdoc />
    public override ulong Hash { get; }

    /// <inheritdoc />
    public override ISequenceModel Apply(ISequenceModel fresh, int block)
    {
        var m = _load(_checkpoint);
        m.ResetContext();
        return m;
    }
}
