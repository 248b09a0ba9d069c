using System.Buffers.Binary;
using System.IO.Hashing;
using Kolmo.Coding;
using Kolmo.Compression.Panel;
using Kolmo.Modeling;

namespace Kolmo.Compression;

/// <summary>
/// A predictive model plus the binary arithmetic coder plus the <c>.kolmo</c> container: a lossless compressor.
/// <para>
/// Streaming with bounded memory: the input is cut into blocks of <see cref="BlockSize"/> bytes (default 1 MiB);
/// the model state runs on across blocks (so compression is the same as one long stream), and each block's coder
/// is flushed so the block's payload length can be written before it. Memory: the model's tables + one block of
/// input + one block of payload. A block that the model would not shrink is stored raw (the model still learns it),
/// so the output is never more than 9 bytes per block + 17 + header bytes longer than the input.
/// </para>
/// <para>
/// <see cref="CompressedBits(ReadOnlySpan{byte})"/> is the model's <b>ideal</b> code length −Σ log2 p over the
/// input (a fresh model, no container, no coder rounding), i.e. exactly the model's log-loss. The actual payload
/// is at most 0.1% + a few bytes per block larger; the container adds 35 bytes + 9 per block.
/// </para>
/// </summary>
public sealed class ModelCompressor : ICompressor
{
    private readonly ModelEntry _entry;
    private readonly byte[] _parameters;
    private readonly Prior? _prior;
    private long _decompressorBytes = -1;

    /// <summary>Creates a compressor for the model named <paramref name="model"/> (see <see cref="ModelCatalog"/>).</summary>
    /// <param name="model">Model name, e.g. <c>order3</c>.</param>
    /// <param name="level">Level 1–9; null for the model's default.</param>
    /// <param name="memoryLimitBytes">Upper bound on the model's memory, or null for the level's default.</param>
    /// <param name="blockSize">Uncompressed bytes per container block.</param>
    /// <param name="prior">What the model learns before coding (recorded by kind and hash), or null.</param>
    /// <exception cref="ArgumentException">Unknown model, bad level, unmeetable memory limit, bad block size, or a model prior for a model that cannot start from a checkpoint.</exception>
    public ModelCompressor(string model = "order3", int? level = null, long? memoryLimitBytes = null, int blockSize = KolmoContainer.DefaultBlockSize, Prior? prior = null)
        : this(ModelCatalog.Find(model), level, memoryLimitBytes, blockSize, prior)
    {
    }

    /// <summary>Creates a compressor for the catalog entry <paramref name="entry"/>.</summary>
    /// <exception cref="ArgumentException">Bad level, unmeetable memory limit, bad block size, or a model prior for a model that cannot start from a checkpoint.</exception>
    public ModelCompressor(ModelEntry entry, int? level = null, long? memoryLimitBytes = null, int blockSize = KolmoContainer.DefaultBlockSize, Prior? prior = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, KolmoContainer.MinBlockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, KolmoContainer.MaxBlockSize);
        if (memoryLimitBytes is long m)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m, nameof(memoryLimitBytes));
        }
        _entry = entry;
        Level = level ?? entry.DefaultLevel;
        ModelCatalog.CheckLevel(Level);
        _parameters = entry.Configure(Level, memoryLimitBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_parameters.Length, 255, nameof(entry));
        BlockSize = blockSize;
        if (prior is ModelPrior && entry.CreateFromCheckpoint is null)
        {
            throw new ArgumentException($"--prime-model works with a network model (nn), not {entry.Name}", nameof(prior));
        }
        _prior = prior;
    }

    /// <summary>The prior the model learns before coding, or null.</summary>
    public Prior? Prior => _prior;

    /// <inheritdoc />
    public string Name => _entry.Name;

    /// <summary>The container model id.</summary>
    public ModelId Model => _entry.Id;

    /// <summary>The level (1–9).</summary>
    public int Level { get; }

    /// <summary>Uncompressed bytes per block.</summary>
    public int BlockSize { get; }

    /// <summary>The model parameters this compressor writes into the container.</summary>
    public ReadOnlySpan<byte> Parameters => _parameters;

    /// <summary>Unbounded: an adaptive model sees the whole input.</summary>
    public long? WindowBytes => null;

    /// <summary>
    /// Size of the decompressor: the raw-deflate size of the Kolmo library assembly, which holds the coder,
    /// every model and the container (an upper bound: it holds much more than one decoder).
    /// </summary>
    public long DecompressorBytes =>
        _decompressorBytes >= 0 ? _decompressorBytes : _decompressorBytes = DecompressorSize.Measure([typeof(ModelCompressor).Assembly.Location]);

    /// <summary>
    /// Largest possible container size for <paramref name="inputLength"/> input bytes: header, 9 bytes per block,
    /// the input itself (a block that does not shrink is stored) and the 17-byte end.
    /// </summary>
    public long GetMaxCompressedLength(long inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        long blocks = (inputLength + BlockSize - 1) / BlockSize;
        return KolmoContainer.HeaderFixedBytes + _parameters.Length + 4 + blocks * KolmoContainer.BlockHeaderBytes + inputLength + KolmoContainer.EndBytes;
    }

    /// <summary>A fresh model configured as this compressor's, prior learned (the one the decoder will rebuild).</summary>
    public IByteModel CreateModel() => CreateModel(_entry, Level, _parameters, _prior);

    /// <summary>
    /// The model of <paramref name="entry"/> at these stored parameters with <paramref name="prior"/> applied: a data
    /// prior is learned (<see cref="IByteModel.Prime"/>), a model prior replaces the fresh network.
    /// </summary>
    /// <exception cref="InvalidDataException">Parameters the model rejects, or a model prior for a model without checkpoints.</exception>
    public static IByteModel CreateModel(ModelEntry entry, int level, byte[] parameters, Prior? prior)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(parameters);
        if (prior is ModelPrior mp)
        {
            return entry.CreateFromCheckpoint is { } fromCheckpoint
                ? fromCheckpoint(level, parameters, mp.Checkpoint)
                : throw new InvalidDataException($"a model prior was recorded for {entry.Name}, which cannot start from a checkpoint");
        }
        var model = entry.Create(level, parameters);
        if (prior is DataPrior dp)
        {
            model.Prime(dp.Data.Span);
        }
        return model;
    }

    /// <inheritdoc />
    public void Compress(Stream input, Stream output) => Compress(input, output, null);

    /// <summary>Compresses <paramref name="input"/> to <paramref name="output"/>, reporting input bytes consumed so far.</summary>
    public void Compress(Stream input, Stream output, Action<long>? progress)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var model = CreateModel();
        KolmoContainer.WriteHeader(output, new KolmoHeader(KolmoContainer.Version, Model, (byte)Level, BlockSize, _parameters, _prior?.Kind ?? 0, _prior?.Hash ?? 0));
        var block = new byte[BlockSize];
        var payload = new MemoryStream();
        var blockHeader = new byte[KolmoContainer.BlockHeaderBytes];
        var hash = new XxHash64();
        long total = 0;
        int n;
        while ((n = ReadFull(input, block)) > 0)
        {
            var data = block.AsSpan(0, n);
            hash.Append(data);
            payload.SetLength(0);
            var encoder = new ArithmeticEncoder(payload);
            CodeBytes(encoder, model, data);
            encoder.Flush();
            bool stored = payload.Length >= n;
            blockHeader[0] = stored ? KolmoContainer.BlockStored : KolmoContainer.BlockCoded;
            BinaryPrimitives.WriteUInt32LittleEndian(blockHeader.AsSpan(1), (uint)n);
            BinaryPrimitives.WriteUInt32LittleEndian(blockHeader.AsSpan(5), stored ? (uint)n : (uint)payload.Length);
            output.Write(blockHeader);
            if (stored)
            {
                output.Write(data);
            }
            else
            {
                output.Write(payload.GetBuffer(), 0, (int)payload.Length);
            }
            total += n;
            progress?.Invoke(total);
            if (n < block.Length)
            {
                break;
            }
        }
        var end = new byte[KolmoContainer.EndBytes];
        end[0] = KolmoContainer.BlockEnd;
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(1), (ulong)total);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(9), hash.GetCurrentHashAsUInt64());
        output.Write(end);
        output.Flush();
    }

    /// <summary>Decompresses any <c>.kolmo</c> container; a primed file needs this compressor's prior.</summary>
    /// <exception cref="InvalidDataException">Corrupt input, or the prior is missing or different.</exception>
    public void Decompress(Stream input, Stream output) => Decompress(input, output, null, _prior is null ? [] : [_prior]);

    /// <summary>
    /// Decompresses any <c>.kolmo</c> input (whatever model it names) to <paramref name="output"/>, reporting
    /// compressed bytes consumed so far. Concatenated streams (as <c>kolmo compress -c a b</c> writes) are decoded in
    /// sequence, like zstd frames. Every field is validated and each stream's xxHash64 is checked. A stream made with a
    /// prior is decoded only when the same prior (kind and xxHash64) is among <paramref name="priors"/>.
    /// </summary>
    /// <returns>The number of streams decoded.</returns>
    /// <exception cref="InvalidDataException">Corrupt, truncated or foreign input, or trailing data that is not another stream (the message gives the offset), or the prior is missing or different.</exception>
    public static int Decompress(Stream input, Stream output, Action<long>? progress, IReadOnlyCollection<Prior>? priors = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ContainerReader(input);
        int streams = 0;
        do
        {
            DecompressStream(reader, output, progress, afterStream: streams > 0, priors ?? []);
            streams++;
        }
        while (reader.HasMore());
        output.Flush();
        return streams;
    }

    /// <summary>Decodes one stream (header to trailer) and checks its xxHash64.</summary>
    private static void DecompressStream(ContainerReader reader, Stream output, Action<long>? progress, bool afterStream, IReadOnlyCollection<Prior> priors)
    {
        var header = KolmoContainer.ReadHeader(reader, afterStream);
        ModelCatalog.TryGet(header.Model, out var entry);
        Prior? prior;
        using (PriorRegistry.Use(priors))
        {
            prior = header.PriorKind == 0 ? null : PriorRegistry.Resolve(header.PriorKind, header.PriorHash);
        }
        IByteModel? model = null;   // built at the first block: an empty file costs no model memory
        // Work and memory are bounded by the bytes actually present, never by what the headers claim: data is decoded
        // in chunks (no buffer of the block size), a coded block's decoder refuses to run past its payload (see
        // ArithmeticDecoder.MaxPadding), and a stored block is read chunk by chunk.
        var chunk = new byte[(int)Math.Min(DecodeChunkBytes, header.BlockSize)];
        var blockHeader = new byte[KolmoContainer.BlockHeaderBytes];
        var hash = new XxHash64();
        var replay = new ReplayCoder();
        long total = 0;
        bool shortSeen = false;
        while (true)
        {
            var b = KolmoContainer.ReadBlockHeader(reader, header, blockHeader, ref shortSeen);
            if (b.Type == KolmoContainer.BlockEnd)
            {
                break;
            }
            if (model is null)
            {
                using (PriorRegistry.Use(priors))
                {
                    model = CreateModel(entry, header.Level, header.Parameters, prior);
                }
            }
            long blockAt = reader.Offset;
            ArithmeticDecoder? decoder = b.Type == KolmoContainer.BlockCoded
                ? new ArithmeticDecoder(reader.Section(b.PayloadLength, "block payload"), b.PayloadLength)
                : null;
            for (int done = 0; done < b.RawLength;)
            {
                var data = chunk.AsSpan(0, Math.Min(chunk.Length, b.RawLength - done));
                try
                {
                    if (decoder is null)
                    {
                        reader.ReadExactly(data, "stored block");
                        CodeBytes(replay, model, data);
                    }
                    else
                    {
                        data.Clear();
                        CodeBytes(decoder, model, data);
                    }
                }
                catch (InvalidDataException e) when (decoder is not null)
                {
                    throw new InvalidDataException($"block at offset {blockAt}: {e.Message}", e);
                }
                hash.Append(data);
                output.Write(data);
                done += data.Length;
            }
            if (decoder is not null)
            {
                try
                {
                    decoder.CheckEnd();
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"block at offset {blockAt}: {e.Message}", e);
                }
            }
            total += b.RawLength;
            progress?.Invoke(reader.Offset);
        }
        long trailerAt = reader.Offset;
        var (_, checksum) = KolmoContainer.ReadTrailer(reader, total);
        ulong actual = hash.GetCurrentHashAsUInt64();
        if (actual != checksum)
        {
            throw new InvalidDataException($"checksum mismatch (trailer at offset {trailerAt}: expected {checksum:x16}, decoded data hashes to {actual:x16}): the data is corrupt");
        }
    }

    /// <summary>Bytes decoded per step (and the decoder's only buffer for data): 64 KiB.</summary>
    private const int DecodeChunkBytes = 1 << 16;

    /// <summary>
    /// The model's ideal code length of <paramref name="data"/> in bits (−Σ log2 p, fresh model, no container).
    /// </summary>
    public double CompressedBits(ReadOnlySpan<byte> data) => CodeLength(CreateModel(), data);

    /// <summary>
    /// Conditional ideal code length C(<paramref name="data"/> | <paramref name="context"/>) in bits: a fresh model
    /// is primed on <paramref name="context"/>, then <paramref name="data"/> is measured.
    /// </summary>
    public double CompressedBits(ReadOnlySpan<byte> data, ReadOnlySpan<byte> context)
    {
        var model = CreateModel();
        model.Prime(context);
        return CodeLength(model, data);
    }

    /// <summary>
    /// Runs <paramref name="model"/> over <paramref name="data"/> (it learns the data) and returns −Σ log2 p in bits.
    /// </summary>
    public static double CodeLength(IByteModel model, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(model);
        var counter = new CountingBitCoder();
        foreach (byte value in data)
        {
            for (int i = 7; i >= 0; i--)
            {
                int bit = (value >> i) & 1;
                counter.Code(bit, model.P());
                model.Update(bit);
            }
        }
        return counter.Bits;
    }

    /// <summary>
    /// The one path shared by encoding, decoding and stored-block replay: each byte is coded as 8 bits, MSB first,
    /// <c>bit = coder.Code(bit, model.P()); model.Update(bit);</c>. When decoding, <paramref name="data"/> receives the bytes.
    /// </summary>
    private static void CodeBytes(IBitCoder coder, IByteModel model, Span<byte> data)
    {
        for (int k = 0; k < data.Length; k++)
        {
            int c = data[k];
            int v = 0;
            for (int i = 7; i >= 0; i--)
            {
                int bit = coder.Code((c >> i) & 1, model.P());
                model.Update(bit);
                v = (v << 1) | bit;
            }
            data[k] = (byte)v;
        }
    }

    private static int ReadFull(Stream input, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = input.Read(buffer, total, buffer.Length - total);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>A coder that codes nothing and returns the bit it is given (stored blocks: the model still learns them).</summary>
    private sealed class ReplayCoder : IBitCoder
    {
        public int Code(int bit, int p1) => bit;
    }
}
