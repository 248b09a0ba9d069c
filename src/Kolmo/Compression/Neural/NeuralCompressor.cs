using System.Text;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Prequential neural compressor: an <see cref="ISequenceModel"/> trained while coding (<see cref="PrequentialCoder"/>).
/// The decoder repeats the training, so no weights are stored, only the model configuration.
/// <para>Payload (all integers little-endian; LEB128 = unsigned base-128 varint):</para>
/// <code>
/// offset  size     field
/// 0       1        version = 1
/// 1       LEB128   n, original length in bytes
/// .       LEB128   block: bytes between two training steps
/// .       LEB128   length of the model configuration string, then its UTF-8 bytes (SequenceModels.Create)
/// .       1        prior kind: 0 none, 1 data, 2 model checkpoint
/// .       8        xxHash64 of the prior's bytes (only when prior kind ≠ 0)
/// .       …        range-coded bytes (RangeEncoder, totals 2^16), to the end of the payload
/// </code>
/// </summary>
public sealed class NeuralCompressor : ICompressor
{
    private const byte Version = 1;

    /// <summary>Creates a compressor for the model <paramref name="spec"/>.</summary>
    /// <param name="spec">Model configuration (see <see cref="SequenceModels"/>).</param>
    /// <param name="block">Bytes between two training steps.</param>
    /// <param name="prior">What the model is primed with, or null.</param>
    /// <param name="name">Name in tables, default <c>nn</c>.</param>
    public NeuralCompressor(string spec, int block = PrequentialCoder.DefaultBlock, NeuralPrior? prior = null, string name = "nn")
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        SequenceModels.Parse(spec);
        Spec = spec;
        Block = block;
        Prior = prior;
        Name = name;
    }

    /// <summary>Model configuration.</summary>
    public string Spec { get; }

    /// <summary>Bytes between two training steps.</summary>
    public int Block { get; }

    /// <summary>The prior, or null.</summary>
    public NeuralPrior? Prior { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long? WindowBytes => null;

    /// <summary>Size of the Kolmo library assembly (the decompressor's code), in bytes.</summary>
    public long DecompressorBytes
    {
        get
        {
            string path = typeof(NeuralCompressor).Assembly.Location;
            return string.IsNullOrEmpty(path) || !File.Exists(path) ? 0 : new FileInfo(path).Length;
        }
    }

    private ISequenceModel NewModel(string spec, NeuralPrior? prior, int block)
    {
        var fresh = SequenceModels.Create(spec);
        return prior is null ? fresh : prior.Apply(fresh, block);
    }

    /// <inheritdoc />
    public void Compress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var ms = new MemoryStream();
        input.CopyTo(ms);
        byte[] data = ms.ToArray();
        var header = new MemoryStream();
        header.WriteByte(Version);
        WriteVarint(header, (ulong)data.Length);
        WriteVarint(header, (ulong)Block);
        byte[] spec = Encoding.UTF8.GetBytes(Spec);
        WriteVarint(header, (ulong)spec.Length);
        header.Write(spec);
        header.WriteByte(Prior?.Kind ?? 0);
        if (Prior is not null)
        {
            Span<byte> h = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(h, Prior.Hash);
            header.Write(h);
        }
        output.Write(header.GetBuffer(), 0, (int)header.Length);
        PrequentialCoder.Encode(NewModel(Spec, Prior, Block), data, output, Block);
        output.Flush();
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">Corrupt payload, or the prior is missing or differs from the one used to compress.</exception>
    public void Decompress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var ms = new MemoryStream();
        input.CopyTo(ms);
        ms.Position = 0;
        int version = ms.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException(version < 0 ? "neural payload is empty" : $"unsupported neural payload version {version}");
        }
        ulong n = ReadVarint(ms);
        ulong block = ReadVarint(ms);
        ulong specLength = ReadVarint(ms);
        if (n > int.MaxValue || block < 1 || block > int.MaxValue || specLength > 4096 || (long)specLength > ms.Length - ms.Position)
        {
            throw new InvalidDataException($"corrupt neural payload header at offset {ms.Position}");
        }
        string spec = Encoding.UTF8.GetString(ms.GetBuffer(), (int)ms.Position, (int)specLength);
        ms.Position += (long)specLength;
        int priorKind = ms.ReadByte();
        if (priorKind < 0 || priorKind > 2)
        {
            throw new InvalidDataException($"corrupt neural payload: prior kind {priorKind} at offset {ms.Position - 1}");
        }
        if (priorKind != 0)
        {
            Span<byte> h = stackalloc byte[8];
            if (ms.Read(h) != 8)
            {
                throw new InvalidDataException("neural payload is truncated (prior hash)");
            }
            ulong hash = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(h);
            string kind = NeuralPrior.KindNameOf((byte)priorKind);
            if (Prior is null)
            {
                throw new InvalidDataException($"this file was compressed with a prior {kind} (xxh64 {hash:x16}); pass the same file with --prime-{kind}");
            }
            if (Prior.Kind != priorKind || Prior.Hash != hash)
            {
                throw new InvalidDataException($"the given prior ({Prior.KindName}, xxh64 {Prior.Hash:x16}) differs from the one used to compress ({kind}, xxh64 {hash:x16})");
            }
        }
        else if (Prior is not null)
        {
            throw new InvalidDataException("this file was compressed without a prior; do not pass --prime-data/--prime-model");
        }
        ISequenceModel model;
        try
        {
            model = NewModel(spec, priorKind == 0 ? null : Prior, (int)block);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"corrupt neural payload: {e.Message}", e);
        }
        byte[] data = PrequentialCoder.Decode(model, ms, ms.Length - ms.Position, (int)n, (int)block);
        output.Write(data);
        output.Flush();
    }

    /// <summary>Ideal prequential code length of <paramref name="data"/> (what the range coder pays, ±4 bytes of flush), in bits.</summary>
    public double CompressedBits(ReadOnlySpan<byte> data) => PrequentialCoder.Measure(NewModel(Spec, Prior, Block), data, Block);

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
                throw new InvalidDataException($"neural payload is truncated at offset {s.Position}");
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
