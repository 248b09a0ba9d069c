using System.Buffers.Binary;
using System.Text;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Container integration of the neural models (<see cref="ModelCatalog"/> entries <c>nn</c>, id 3, and <c>cm+nn</c>, id 4).
/// <para>Model parameters stored in the <c>.kolmo</c> header (at most 255 bytes), layouts 2 and 3 (written now):</para>
/// <code>
/// offset  size    field
/// 0       1       layout = 2 (nn; cm+nn with its first mixer design) or 3 (cm+nn with its second mixer design)
/// 1       LEB128  training block: bytes between two optimizer steps (the horizon)
/// .       1       length L of the inner parameters, then L bytes (cm+nn: the base model's id and its own parameters)
/// .       rest    the sequence model's configuration string, UTF-8 (SequenceModels.Create)
/// </code>
/// A prior is recorded by the container (header flag and field, docs/FORMAT.md), and the byte distribution is
/// quantised to totals of 2^24 (<see cref="SequenceBitPredictor"/>).
/// <para>Layout 1 (the first neural models, read only): <c>1 | prior kind u8 | xxHash64 u64 (when the kind ≠ 0) | block |
/// L | inner | spec</c>, totals of 2^16, the data prior learned by <see cref="PrequentialCoder.Train"/> (one pass, a final
/// partial block, context reset) and cm+nn mixed by <see cref="MixedByteModel"/>. Files of every layout decode.</para>
/// <para>Layout 3 has layout 2's fields; it marks cm+nn files mixed by <see cref="CmNnOptions.Second"/> (layout 2:
/// <see cref="CmNnOptions.First"/>). nn writes layout 2, unchanged.</para>
/// </summary>
public static class NeuralModels
{
    /// <summary>The layout <c>nn</c> writes now (and <c>cm+nn</c> with its first mixer design).</summary>
    public const byte Layout = 2;

    /// <summary>The layout <c>cm+nn</c> writes now: layout 2's fields, the second mixer design.</summary>
    public const byte CmNnLayout = 3;

    /// <summary>The first layout (read only).</summary>
    public const byte LegacyLayout = 1;

    /// <summary>Default level of <c>nn</c>.</summary>
    public const int DefaultLevel = NeuralCompressors.DefaultNnLevel;

    /// <summary>The stored parameters, decoded.</summary>
    /// <param name="Layout">1, 2 or 3.</param>
    /// <param name="PriorKind">Layout 1 only: 0 none, 1 data, 2 model.</param>
    /// <param name="PriorHash">Layout 1 only: xxHash64 of the prior (0 when none).</param>
    /// <param name="Block">Bytes between training steps.</param>
    /// <param name="Inner">Inner parameters (cm+nn: base model id and its parameters), else empty.</param>
    /// <param name="Spec">Sequence model configuration.</param>
    public sealed record Parameters(byte Layout, byte PriorKind, ulong PriorHash, int Block, byte[] Inner, string Spec);

    /// <summary>Encodes parameters of <paramref name="layout"/> 2 (default) or 3.</summary>
    /// <exception cref="ArgumentException">The encoding exceeds 255 bytes.</exception>
    public static byte[] Encode(int block, byte[] inner, string spec, byte layout = Layout)
    {
        if (layout is not (Layout or CmNnLayout))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "layouts 2 and 3 are written");
        }
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrEmpty(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        var ms = new MemoryStream();
        ms.WriteByte(layout);
        WriteVarint(ms, (ulong)block);
        if (inner.Length > 255)
        {
            throw new ArgumentException($"inner parameters too long ({inner.Length} bytes, at most 255)", nameof(inner));
        }
        ms.WriteByte((byte)inner.Length);
        ms.Write(inner);
        ms.Write(Encoding.UTF8.GetBytes(spec));
        if (ms.Length > 255)
        {
            throw new ArgumentException($"neural model parameters too long ({ms.Length} bytes, at most 255)", nameof(spec));
        }
        return ms.ToArray();
    }

    /// <summary>Decodes stored parameters of either layout.</summary>
    /// <exception cref="InvalidDataException">Malformed parameters.</exception>
    public static Parameters Decode(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var ms = new MemoryStream(stored, writable: false);
        int layout = ms.ReadByte();
        if (layout is not (LegacyLayout or Layout or CmNnLayout))
        {
            throw new InvalidDataException($"neural model parameters: unsupported layout {layout} (this build reads layouts 1 to 3)");
        }
        int kind = 0;
        ulong hash = 0;
        if (layout == LegacyLayout)
        {
            kind = ms.ReadByte();
            if (kind is < 0 or > 2)
            {
                throw new InvalidDataException($"neural model parameters: bad prior kind {kind}");
            }
            if (kind != 0)
            {
                Span<byte> h = stackalloc byte[8];
                if (ms.Read(h) != 8)
                {
                    throw new InvalidDataException("neural model parameters are truncated (prior hash)");
                }
                hash = BinaryPrimitives.ReadUInt64LittleEndian(h);
            }
        }
        ulong block = ReadVarint(ms);
        int innerLength = ms.ReadByte();
        if (block < 1 || block > 1 << 24 || innerLength < 0 || innerLength > ms.Length - ms.Position)
        {
            throw new InvalidDataException("neural model parameters: bad training block or inner parameter length");
        }
        byte[] inner = new byte[innerLength];
        ms.ReadExactly(inner);
        string spec = Encoding.UTF8.GetString(stored, (int)ms.Position, (int)(ms.Length - ms.Position));
        return new Parameters((byte)layout, (byte)kind, hash, (int)block, inner, spec);
    }

    /// <summary>
    /// The <c>nn</c> catalog entry. With a <paramref name="checkpoint"/> (<c>--prime-model</c>) the stored configuration
    /// is the checkpoint's own, and the model starts from it.
    /// </summary>
    public static ModelEntry NnEntry(ModelPrior? checkpoint = null) => new(
        ModelId.Nn,
        "nn",
        "LSTM trained online by truncated backprop (lstm-compress class); bits from its byte distribution",
        DefaultLevel,
        (level, _) => checkpoint is null
            ? Encode(NeuralCompressors.NnHorizon(level), [], NeuralCompressors.NnSpec(level))
            : CheckpointParameters(checkpoint, []),
        (_, stored) => CreateNn(Decode(stored)),
        (_, stored, bytes) => new SequenceBitPredictor(FromCheckpoint(Decode(stored), bytes), Decode(stored).Block));

    /// <summary>
    /// The <c>cm+nn</c> catalog entry: the network's bit predictions mixed with the CM model's (or, in builds without
    /// it, <c>order3</c>'s). The inner parameters are the base model's id followed by its own stored parameters.
    /// </summary>
    public static ModelEntry CmNnEntry(ModelPrior? checkpoint = null) => new(
        ModelId.CmNn,
        "cm+nn",
        "context mixing with the online LSTM's bit predictions among the mixer's inputs (cmix-style)",
        NeuralCompressors.DefaultCmNnLevel,
        (level, memory) =>
        {
            var baseEntry = BaseEntry();
            byte[] inner = [(byte)baseEntry.Id, .. baseEntry.Configure(level, memory)];
            return checkpoint is null
                ? Encode(NeuralCompressors.NnHorizon(NeuralCompressors.CmNnNetLevel(level)), inner, NeuralCompressors.NnSpec(NeuralCompressors.CmNnNetLevel(level)), CmNnLayout)
                : CheckpointParameters(checkpoint, inner, CmNnLayout);
        },
        (level, stored) =>
        {
            var p = Decode(stored);
            return CreateCmNn(level, p, CreateSequenceModel(p));
        },
        (level, stored, bytes) =>
        {
            var p = Decode(stored);
            return CreateCmNn(level, p, FromCheckpoint(p, bytes));
        });

    private static byte[] CheckpointParameters(ModelPrior checkpoint, byte[] inner, byte layout = Layout)
    {
        var model = LoadCheckpoint(checkpoint.Checkpoint);
        int block = model is NetworkSequenceModel n ? n.Window : PrequentialCoder.DefaultBlock;
        return Encode(block, inner, model.Spec, layout);
    }

    private static ISequenceModel LoadCheckpoint(ReadOnlyMemory<byte> bytes) => SequenceModels.LoadCheckpoint(bytes.ToArray());

    private static ISequenceModel FromCheckpoint(Parameters p, ReadOnlyMemory<byte> bytes)
    {
        var model = LoadCheckpoint(bytes);
        if (model.Spec != p.Spec)
        {
            throw new InvalidDataException($"the prior model ({model.Spec}) is not the one this file was made with ({p.Spec})");
        }
        model.ResetContext();
        return model;
    }

    /// <summary>Builds the sequence model described by <paramref name="p"/> (layout 1: with its recorded prior applied).</summary>
    /// <exception cref="InvalidDataException">Unknown model configuration, or the layout-1 prior is not available.</exception>
    public static ISequenceModel CreateSequenceModel(Parameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        ISequenceModel fresh;
        try
        {
            fresh = SequenceModels.Create(p.Spec);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"neural model parameters: {e.Message}", e);
        }
        if (p.PriorKind == 0)
        {
            return fresh;
        }
        return PriorRegistry.Resolve(p.PriorKind, p.PriorHash) switch
        {
            DataPrior d => TrainedOn(fresh, d.Data.Span, p.Block),
            ModelPrior m => FromCheckpoint(p, m.Checkpoint),
            _ => throw new InvalidDataException($"neural model parameters: bad prior kind {p.PriorKind}"),
        };
    }

    /// <summary>Layout-1 data priming: one pass of <see cref="PrequentialCoder.Train"/> over <paramref name="data"/>.</summary>
    internal static ISequenceModel TrainedOn(ISequenceModel fresh, ReadOnlySpan<byte> data, int block)
    {
        PrequentialCoder.Train(fresh, data, block);
        return fresh;
    }

    private static SequenceBitPredictor CreateNn(Parameters p) =>
        new(CreateSequenceModel(p), p.Block, p.Layout == LegacyLayout ? SequenceBitPredictor.MinPrecision : SequenceBitPredictor.MaxPrecision);

    private static IByteModel CreateCmNn(int level, Parameters p, ISequenceModel network)
    {
        if (p.Inner.Length < 1 || (ModelId)p.Inner[0] is ModelId.Nn or ModelId.CmNn
            || !ModelCatalog.TryGet((ModelId)p.Inner[0], out var baseEntry))
        {
            throw new InvalidDataException("cm+nn: unknown base model in the parameters");
        }
        if (p.Layout == LegacyLayout)
        {
            var cm = baseEntry.Create(level, p.Inner[1..]);
            var nn = new SequenceBitPredictor(network, p.Block, SequenceBitPredictor.MinPrecision);
            if (p.PriorKind == Prior.DataKind && PriorRegistry.Resolve(p.PriorKind, p.PriorHash) is DataPrior data)
            {
                cm.Prime(data.Data.Span);   // layout 1: CM learned X too (the network was pretrained on it above)
            }
            return new MixedByteModel([cm, nn]);
        }
        // layouts 2 and 3: the network's predictions also enter CM's own mixer (inputs and a weight set chosen by its
        // confidence); the layout says which mixer design
        var design = p.Layout == CmNnLayout ? CmNnOptions.Second : CmNnOptions.First;
        var baseModel = baseEntry.Id == ModelId.Cm
            ? CmModel.Create(level, p.Inner[1..], design.CmInputs, design.CmContexts)
            : baseEntry.Create(level, p.Inner[1..]);
        return new CmNnModel(baseModel, new SequenceBitPredictor(network, p.Block), design);
    }

    private static ModelEntry BaseEntry() => ModelCatalog.TryGet(ModelId.Cm, out var cm) ? cm : ModelCatalog.Get(ModelId.Order3);

    internal static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    internal static ulong ReadVarint(Stream s)
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = s.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException($"neural model parameters are truncated at offset {s.Position}");
            }
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }
        }
        throw new InvalidDataException($"corrupt varint at offset {s.Position}");
    }
}
