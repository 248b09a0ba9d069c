using System.Buffers.Binary;
using System.Text;
using Kolmo.Modeling;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Container integration of the neural models (<see cref="ModelCatalog"/> entries <c>nn</c>, id 3, and <c>cm+nn</c>, id 4).
/// <para>Model parameters stored in the <c>.kolmo</c> header (at most 255 bytes):</para>
/// <code>
/// offset  size    field
/// 0       1       layout version = 1
/// 1       1       prior kind: 0 none, 1 data (--prime-data), 2 model checkpoint (--prime-model)
/// 2       8       xxHash64 of the prior's bytes, little-endian (only when prior kind ≠ 0)
/// .       LEB128  training block: bytes between two optimizer steps
/// .       1       length L of the inner CM parameters, then L bytes (cm+nn only; as the cm entry stores them)
/// .       rest    the sequence model's configuration string, UTF-8 (SequenceModels.Create)
/// </code>
/// The decoder rebuilds the identical fresh model from these bytes and repeats the training; a prior is looked up by
/// its hash among the priors this process was given (<see cref="PriorRegistry"/>), so a missing or different prior is
/// refused with a one-line message instead of decoding garbage.
/// </summary>
public static class NeuralModels
{
    private const byte Layout = 1;

    /// <summary>Default level of <c>nn</c>.</summary>
    public const int DefaultLevel = NeuralCompressors.DefaultNnLevel;

    /// <summary>The stored parameters, decoded.</summary>
    /// <param name="PriorKind">0 none, 1 data, 2 model.</param>
    /// <param name="PriorHash">xxHash64 of the prior (0 when none).</param>
    /// <param name="Block">Bytes between training steps.</param>
    /// <param name="CmParameters">Inner CM parameters (cm+nn), else empty.</param>
    /// <param name="Spec">Sequence model configuration.</param>
    public sealed record Parameters(byte PriorKind, ulong PriorHash, int Block, byte[] CmParameters, string Spec);

    /// <summary>Sequence model configuration of <c>nn</c> at <paramref name="level"/>.</summary>
    public static string NnSpec(int level) => NeuralCompressors.NnSpec(level);

    /// <summary>Encodes <paramref name="p"/> (see the class remarks).</summary>
    /// <exception cref="ArgumentException">The encoding exceeds 255 bytes.</exception>
    public static byte[] Encode(Parameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var ms = new MemoryStream();
        ms.WriteByte(Layout);
        ms.WriteByte(p.PriorKind);
        if (p.PriorKind != 0)
        {
            Span<byte> h = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(h, p.PriorHash);
            ms.Write(h);
        }
        NeuralCompressor.WriteVarint(ms, (ulong)p.Block);
        ms.WriteByte((byte)p.CmParameters.Length);
        ms.Write(p.CmParameters);
        ms.Write(Encoding.UTF8.GetBytes(p.Spec));
        if (ms.Length > 255 || p.CmParameters.Length > 255)
        {
            throw new ArgumentException($"neural model parameters too long ({ms.Length} bytes, at most 255)", nameof(p));
        }
        return ms.ToArray();
    }

    /// <summary>Decodes stored parameters.</summary>
    /// <exception cref="InvalidDataException">Malformed parameters.</exception>
    public static Parameters Decode(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var ms = new MemoryStream(stored, writable: false);
        if (ms.ReadByte() != Layout)
        {
            throw new InvalidDataException($"neural model parameters: unsupported layout ({Convert.ToHexString(stored)})");
        }
        int kind = ms.ReadByte();
        if (kind is < 0 or > 2)
        {
            throw new InvalidDataException($"neural model parameters: bad prior kind {kind}");
        }
        ulong hash = 0;
        if (kind != 0)
        {
            Span<byte> h = stackalloc byte[8];
            if (ms.Read(h) != 8)
            {
                throw new InvalidDataException("neural model parameters are truncated (prior hash)");
            }
            hash = BinaryPrimitives.ReadUInt64LittleEndian(h);
        }
        ulong block = NeuralCompressor.ReadVarint(ms);
        int cmLength = ms.ReadByte();
        if (block < 1 || block > 1 << 24 || cmLength < 0 || cmLength > ms.Length - ms.Position)
        {
            throw new InvalidDataException("neural model parameters: bad training block or CM parameter length");
        }
        byte[] cm = new byte[cmLength];
        ms.ReadExactly(cm);
        string spec = Encoding.UTF8.GetString(stored, (int)ms.Position, (int)(ms.Length - ms.Position));
        return new Parameters((byte)kind, hash, (int)block, cm, spec);
    }

    /// <summary>The <c>nn</c> catalog entry; with a <paramref name="prior"/>, the entry used to compress with it.</summary>
    public static ModelEntry NnEntry(NeuralPrior? prior = null) => new(
        ModelId.Nn,
        "nn",
        "online-trained sequence model (prequential coding, NNCP-style), bits from its byte distribution",
        DefaultLevel,
        (level, _) => prior is ModelPrior mp
            ? Encode(new Parameters(mp.Kind, mp.Hash, mp.Window, [], mp.Spec))   // the checkpoint's own configuration
            : Encode(new Parameters(prior?.Kind ?? 0, prior?.Hash ?? 0, NeuralCompressors.NnWindow(level), [], NnSpec(level))),
        (_, stored) => CreateNn(Decode(stored)));

    /// <summary>Builds the sequence model described by <paramref name="p"/>, prior applied.</summary>
    /// <exception cref="InvalidDataException">Unknown model configuration, or the prior is not available.</exception>
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
        var prior = PriorRegistry.Resolve(p.PriorKind, p.PriorHash);
        return prior.Apply(fresh, p.Block);
    }

    private static SequenceBitPredictor CreateNn(Parameters p) => new(CreateSequenceModel(p), p.Block);

    /// <summary>
    /// The <c>cm+nn</c> catalog entry: the CM model (or, in builds without it, <c>order3</c>) and the <c>nn</c> model,
    /// mixed by a <see cref="MixedByteModel"/>. The inner parameters are the base model's id followed by its own
    /// stored parameters, so the file names exactly the base model it was made with.
    /// </summary>
    public static ModelEntry CmNnEntry(NeuralPrior? prior = null) => new(
        ModelId.CmNn,
        "cm+nn",
        "context mixing with the online-trained sequence model's bit predictions mixed in (cmix-style)",
        6,
        (level, memory) =>
        {
            var baseEntry = BaseEntry();
            byte[] inner = [(byte)baseEntry.Id, .. baseEntry.Configure(level, memory)];
            int net = NeuralCompressors.CmNnNetLevel(level);
            return Encode(new Parameters(prior?.Kind ?? 0, prior?.Hash ?? 0, NeuralCompressors.NnWindow(net), inner, NnSpec(net)));
        },
        (level, stored) =>
        {
            var p = Decode(stored);
            if (p.CmParameters.Length < 1 || (ModelId)p.CmParameters[0] is ModelId.Nn or ModelId.CmNn
                || !ModelCatalog.TryGet((ModelId)p.CmParameters[0], out var baseEntry))
            {
                throw new InvalidDataException("cm+nn: unknown base model in the parameters");
            }
            var cm = baseEntry.Create(level, p.CmParameters[1..]);
            var nn = new SequenceBitPredictor(CreateSequenceModel(p), p.Block);
            if (p.PriorKind != 0 && PriorRegistry.Resolve(p.PriorKind, p.PriorHash) is DataPrior data)
            {
                cm.Prime(data.Data.Span);   // prior data: CM learns X too (the network was pretrained on it above)
            }
            return new MixedByteModel([cm, nn]);
        });

    private static ModelEntry BaseEntry() => ModelCatalog.TryGet(ModelId.Cm, out var cm) ? cm : ModelCatalog.Get(ModelId.Order3);
}

/// <summary>
/// The priors this process has been given (by <c>--prime-data</c>/<c>--prime-model</c>, or by a compressor built with a
/// prior), by content hash. The decoder of a primed file finds its prior here.
/// </summary>
public static class PriorRegistry
{
    private static readonly Dictionary<(byte, ulong), NeuralPrior> Priors = [];

    /// <summary>Makes <paramref name="prior"/> available to decoders in this process.</summary>
    public static void Register(NeuralPrior prior)
    {
        ArgumentNullException.ThrowIfNull(prior);
        lock (Priors)
        {
            Priors[(prior.Kind, prior.Hash)] = prior;
        }
    }

    /// <summary>The registered prior of this kind and hash.</summary>
    /// <exception cref="InvalidDataException">No such prior was given: it is missing or different.</exception>
    public static NeuralPrior Resolve(byte kind, ulong hash)
    {
        lock (Priors)
        {
            if (Priors.TryGetValue((kind, hash), out var p))
            {
                return p;
            }
            string kindName = NeuralPrior.KindNameOf(kind);
            var given = Priors.Values.Where(v => v.Kind == kind).Select(v => $"{v.Hash:x16}").ToList();
            throw new InvalidDataException(given.Count == 0
                ? $"this file was compressed with a prior {kindName} (xxh64 {hash:x16}); pass the same file with --prime-{kindName}"
                : $"the given --prime-{kindName} (xxh64 {string.Join(", ", given)}) differs from the prior used to compress (xxh64 {hash:x16})");
        }
    }
}
