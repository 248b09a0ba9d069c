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
/// the model state runs on across the blocks of a segment, and each block's coder is flushed so the block's
/// payload length can be written before it. A block that the model would not shrink is stored raw (the model still
/// learns it), so the output is never more than 9 bytes per block + 21 + header bytes longer than the input.
/// </para>
/// <para>
/// Segments: with <see cref="SegmentSize"/> (or automatically with <see cref="Threads"/> ≥ 2 for the sequential
/// models cm and order3) the input is cut into segments, each coded by its own model, so <see cref="Threads"/>
/// workers compress and decompress them in parallel; each segment after the first starts from a model that has
/// learned the input's head (<see cref="SegmentWarmup"/>), which a parallel decoder's workers learn while the first
/// segment decodes. The output depends on the segment size and warm-up only, never on the number of threads.
/// Memory: the model's tables + one block of input and payload with one thread; per worker one model plus one
/// segment of input and payload with several, and the head.
/// </para>
/// <para>
/// <see cref="CompressedBits(ReadOnlySpan{byte})"/> is the model's <b>ideal</b> code length −Σ log2 p over the
/// input (a fresh model, no container, no coder rounding), i.e. exactly the model's log-loss. The actual payload
/// is at most 0.1% + a few bytes per block larger; the container adds 35 bytes + 9 per block.
/// </para>
/// </summary>
public sealed class ModelCompressor : ICompressor
{
    /// <summary>Smallest automatic segment (below it, a fresh model costs too much ratio).</summary>
    public const long MinAutoSegmentSize = 4L << 20;

    /// <summary>Automatic segments are a multiple of this (64 KiB), so N threads get N nearly equal segments.</summary>
    public const long AutoSegmentGrain = 64L << 10;

    /// <summary>Automatic segment size when the input length is not known in advance.</summary>
    public const long StreamSegmentSize = 8L << 20;

    /// <summary>Longest automatic warm-up (1 MiB): segments after the first learn at most this much of the input's head.</summary>
    public const long MaxAutoWarmup = 1L << 20;

    private readonly ModelEntry _entry;
    private readonly byte[] _parameters;
    private readonly long? _segmentSize;
    private readonly long? _segmentWarmup;
    private readonly int _threads = 1;
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

    private ModelCompressor(ModelCompressor o)
    {
        _entry = o._entry;
        Level = o.Level;
        _parameters = o._parameters;
        BlockSize = o.BlockSize;
        _prior = o._prior;
    }

    /// <summary>A copy of this compressor with other segment, thread, x86-filter and warm-up settings (see <see cref="SegmentSize"/>, <see cref="Threads"/>, <see cref="X86"/>, <see cref="SegmentWarmup"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public ModelCompressor WithSegments(long? segmentSize, int threads, bool? x86 = null, long? warmup = null) =>
        new(this) { SegmentSize = segmentSize, Threads = threads, X86 = x86, SegmentWarmup = warmup };

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

    /// <summary>
    /// Uncompressed bytes per segment (1 … 2^32 − 1), or null for automatic: one segment with one thread; with several
    /// threads (cm and order3 only) max(4 MiB, (input length + warm-up) / threads rounded up to 64 KiB), or 8 MiB when
    /// the length is not known (one segment when that covers the whole input). The warm-up is added so that the first
    /// segment, which learns no head, is as much work as the others.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive or too large.</exception>
    public long? SegmentSize
    {
        get => _segmentSize;
        init => _segmentSize = InRange(value, 1, KolmoContainer.MaxSegmentSize, nameof(SegmentSize));
    }

    /// <summary>
    /// Bytes of the input's head that every segment after the first learns before coding (its model is primed with
    /// them, as the decoder's is with the bytes the first segment decodes to), or null for automatic:
    /// min(<see cref="MaxAutoWarmup"/>, segment size / 8); 0 = every segment starts from the fresh model. Larger than
    /// the segment size means the segment size. A warm segment codes smaller (the fresh model's start-up cost is
    /// most of what segments lose) at the price of learning the head once more per worker.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or larger than <see cref="KolmoContainer.MaxSegmentWarmup"/>.</exception>
    public long? SegmentWarmup
    {
        get => _segmentWarmup;
        init => _segmentWarmup = InRange(value, 0, KolmoContainer.MaxSegmentWarmup, nameof(SegmentWarmup));
    }

    /// <summary><paramref name="value"/>, checked to lie in <paramref name="min"/> … <paramref name="max"/> unless null.</summary>
    private static long? InRange(long? value, long min, long max, string name)
    {
        if (value is long v)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(v, min, name);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(v, max, name);
        }
        return value;
    }

    /// <summary>Worker threads for segments (1–256; default 1). The output does not depend on it when <see cref="SegmentSize"/> is given.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1–256.</exception>
    public int Threads
    {
        get => _threads;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Threads));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 256, nameof(Threads));
            _threads = value;
        }
    }

    /// <summary>The x86 branch transform: true = always, false = never, null (default) = when the first block looks like x86 code (cm only).</summary>
    public bool? X86 { get; init; }

    /// <summary>The model parameters this compressor writes into the container.</summary>
    public ReadOnlySpan<byte> Parameters => _parameters;

    /// <summary>Unbounded: an adaptive model sees the whole input (or segment).</summary>
    public long? WindowBytes => null;

    /// <summary>
    /// Size of the decompressor: the raw-deflate size of the Kolmo library assembly, which holds the coder,
    /// every model and the container (an upper bound: it holds much more than one decoder).
    /// </summary>
    public long DecompressorBytes =>
        _decompressorBytes >= 0 ? _decompressorBytes : _decompressorBytes = DecompressorSize.Measure([typeof(ModelCompressor).Assembly.Location]);

    /// <summary>
    /// Largest possible container size for <paramref name="inputLength"/> input bytes: the longest header, 9 bytes per
    /// block (blocks are also cut at segment ends), the input itself (a block that does not shrink is stored) and
    /// the 17-byte end.
    /// </summary>
    public long GetMaxCompressedLength(long inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        long segment = SegmentSizeFor(inputLength);
        long blocks;
        if (segment == 0)
        {
            blocks = (inputLength + BlockSize - 1) / BlockSize;
        }
        else
        {
            long perSegment = (segment + BlockSize - 1) / BlockSize;
            long full = inputLength / segment;
            long rest = inputLength % segment;
            blocks = full * perSegment + (rest + BlockSize - 1) / BlockSize;
        }
        return KolmoContainer.SegmentedHeaderFixedBytes + _parameters.Length + (_prior is null ? 0 : KolmoContainer.PriorBytes) + KolmoContainer.WarmupBytes + 4 + blocks * KolmoContainer.BlockHeaderBytes + inputLength + KolmoContainer.EndBytes;
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

    /// <summary>The segment size used for an input of <paramref name="inputLength"/> bytes (−1: unknown); 0 = one segment.</summary>
    public long SegmentSizeFor(long inputLength)
    {
        if (_segmentSize is long s)
        {
            return s;
        }
        if (_threads == 1 || (Model != ModelId.Cm && Model != ModelId.Order3))
        {
            return 0;
        }
        if (inputLength < 0)
        {
            return StreamSegmentSize;
        }
        long warmup = SegmentWarmupFor((inputLength + _threads - 1) / _threads);
        long share = (inputLength + warmup + _threads - 1) / _threads;
        long rounded = (share + AutoSegmentGrain - 1) / AutoSegmentGrain * AutoSegmentGrain;
        long auto = Math.Min(Math.Max(MinAutoSegmentSize, rounded), KolmoContainer.MaxSegmentSize / AutoSegmentGrain * AutoSegmentGrain);
        return auto >= inputLength ? 0 : auto;
    }

    /// <summary>The warm-up written for segments of <paramref name="segmentSize"/> bytes (0 = one segment): see <see cref="SegmentWarmup"/>.</summary>
    public long SegmentWarmupFor(long segmentSize) =>
        segmentSize <= 0 ? 0 : Math.Min(_segmentWarmup ?? Math.Min(MaxAutoWarmup, segmentSize / 8), segmentSize);

    /// <inheritdoc />
    public void Compress(Stream input, Stream output) => Compress(input, output, null);

    /// <summary>Compresses <paramref name="input"/> to <paramref name="output"/>, reporting input bytes consumed so far.</summary>
    public void Compress(Stream input, Stream output, Action<long>? progress)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        long length = input.CanSeek ? input.Length - input.Position : -1;
        long segment = SegmentSizeFor(length);
        var block = new byte[BlockSize];
        int first = ReadFull(input, block.AsSpan(0, ChunkLength(segment, 0)));
        bool x86 = X86 ?? (Model == ModelId.Cm && X86Filter.Detect(block.AsSpan(0, first)));
        var header = new KolmoHeader(segment == 0 && !x86 ? KolmoContainer.Version : KolmoContainer.SegmentedVersion, Model, (byte)Level, BlockSize,
            _parameters, _prior?.Kind ?? 0, _prior?.Hash ?? 0, segment, x86, SegmentWarmupFor(segment));
        KolmoContainer.WriteHeader(output, header);
        var hash = new XxHash64();
        long total = segment != 0 && _threads > 1
            ? CompressParallel(input, output, header, block.AsSpan(0, first), hash, progress)
            : CompressSequential(input, output, header, block, first, hash, progress);
        var end = new byte[KolmoContainer.EndBytes];
        end[0] = KolmoContainer.BlockEnd;
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(1), (ulong)total);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(9), hash.GetCurrentHashAsUInt64());
        output.Write(end);
        output.Flush();
    }

    /// <summary>Length of the block that starts <paramref name="inSegment"/> bytes into a segment of <paramref name="segment"/> bytes (0 = unbounded).</summary>
    private int ChunkLength(long segment, long inSegment) => segment == 0 ? BlockSize : (int)Math.Min(BlockSize, segment - inSegment);

    private long CompressSequential(Stream input, Stream output, KolmoHeader header, byte[] block, int n, XxHash64 hash, Action<long>? progress)
    {
        long segment = header.SegmentSize;
        var head = new SegmentHead(header.SegmentWarmup);
        var payload = new MemoryStream();
        SegmentCoder? coder = null;
        long total = 0;
        long inSegment = 0;
        while (n > 0)
        {
            if (inSegment == 0)
            {
                coder = new SegmentCoder(CreateModel(), header.X86);
                if (total > 0)
                {
                    head.Close();
                    head.Teach(coder.Model);
                }
            }
            int expected = ChunkLength(segment, inSegment);
            var data = block.AsSpan(0, n);
            hash.Append(data);
            head.Append(data);
            coder!.Encode(data, output, payload);
            total += n;
            inSegment += n;
            if (segment != 0 && inSegment == segment)
            {
                inSegment = 0;
            }
            progress?.Invoke(total);
            if (n < expected)
            {
                break;
            }
            n = ReadFull(input, block.AsSpan(0, ChunkLength(segment, inSegment)));
        }
        return total;
    }

    private long CompressParallel(Stream input, Stream output, KolmoHeader header, ReadOnlySpan<byte> first, XxHash64 hash, Action<long>? progress)
    {
        long segment = header.SegmentSize;
        var head = new SegmentHead(header.SegmentWarmup);
        var pending = new Queue<(Task<byte[]> Blocks, long Raw)>();
        long total = 0;
        long written = 0;
        byte[]? carry = first.ToArray();
        bool more = true;
        while (more || pending.Count > 0)
        {
            while (more && pending.Count < _threads)
            {
                var data = new byte[segment];
                int have = 0;
                if (carry != null)
                {
                    carry.CopyTo(data, 0);
                    have = carry.Length;
                    carry = null;
                }
                have += ReadFull(input, data.AsSpan(have));
                if (have == 0)
                {
                    more = false;
                    break;
                }
                more = have == segment;
                hash.Append(data.AsSpan(0, have));
                bool warm = total > 0;
                if (!warm)
                {
                    head.Append(data.AsSpan(0, have));
                    head.Close();
                }
                int len = have;
                pending.Enqueue((Task.Run(() =>
                {
                    var coder = new SegmentCoder(CreateModel(), header.X86);
                    if (warm)
                    {
                        head.Teach(coder.Model);
                    }
                    var blocks = new MemoryStream();
                    var payload = new MemoryStream();
                    for (int at = 0; at < len; at += BlockSize)
                    {
                        coder.Encode(data.AsSpan(at, Math.Min(BlockSize, len - at)), blocks, payload);
                    }
                    return blocks.ToArray();
                }), have));
                total += have;
            }
            if (pending.Count > 0)
            {
                var (task, raw) = pending.Dequeue();
                output.Write(task.GetAwaiter().GetResult());
                written += raw;
                progress?.Invoke(written);
            }
        }
        return total;
    }

    /// <summary>
    /// The input's first bytes, which every segment after the first learns before it is coded (the header's warm-up).
    /// Whoever codes the first segment appends its bytes; the others teach them to their models piece by piece as they
    /// arrive, so a parallel decoder's workers learn the head while the first segment's decoder is still producing it.
    /// The buffer grows with the bytes appended, so a header claiming a long warm-up costs no memory up front.
    /// </summary>
    private sealed class SegmentHead(long length)
    {
        private readonly int _length = checked((int)length);
        private readonly object _lock = new();
        private byte[] _data = [];
        private int _filled;
        private bool _closed;

        /// <summary>Keeps the part of <paramref name="data"/> (the next bytes of the first segment) that belongs to the head.</summary>
        public void Append(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                int n = Math.Min(data.Length, _length - _filled);
                if (n > 0)
                {
                    if (_filled + n > _data.Length)
                    {
                        // A new array: a worker may still be reading the old one, whose bytes stay valid.
                        var grown = new byte[(int)Math.Min(_length, Math.Max(_filled + n, 2L * _data.Length))];
                        _data.AsSpan(0, _filled).CopyTo(grown);
                        _data = grown;
                    }
                    data[..n].CopyTo(_data.AsSpan(_filled));
                    _filled += n;
                    Monitor.PulseAll(_lock);
                }
            }
        }

        /// <summary>No more bytes will come (the first segment is finished or failed): wakes every waiting worker.</summary>
        public void Close()
        {
            lock (_lock)
            {
                _closed = true;
                Monitor.PulseAll(_lock);
            }
        }

        /// <summary>Primes <paramref name="model"/> with the head, waiting for each piece that has not arrived yet.</summary>
        /// <exception cref="InvalidDataException">The first segment ended before the head was complete.</exception>
        public void Teach(IByteModel model)
        {
            int done = 0;
            while (done < _length)
            {
                int upTo;
                byte[] data;
                lock (_lock)
                {
                    while (_filled == done && !_closed)
                    {
                        Monitor.Wait(_lock);
                    }
                    upTo = _filled;
                    data = _data;
                }
                if (upTo == done)
                {
                    throw new InvalidDataException($"the first segment ended after {done} bytes, before the {_length}-byte warm-up of the segments after it");
                }
                model.Prime(data.AsSpan(done, upTo - done));
                done = upTo;
            }
        }
    }

    /// <summary>One segment's coding state: its model and the position in the segment (for the x86 transform).</summary>
    private sealed class SegmentCoder(IByteModel model, bool x86)
    {
        private readonly IByteModel _model = model;

        /// <summary>The segment's model.</summary>
        public IByteModel Model => _model;
        private readonly byte[] _blockHeader = new byte[KolmoContainer.BlockHeaderBytes];

        // the arithmetic decoder's read buffer, one per segment: a decoder per block allocated its own 4 KiB, which on a
        // long stream piled up as garbage below the GC's first-generation budget (the decoder's resident memory grew by
        // about 4 MiB per GiB decoded)
        private readonly byte[] _decodeBuffer = new byte[ArithmeticDecoder.BufferBytes];
        private long _offset;

        /// <summary>Codes one block (transformed in place when the header says so) and writes its header and payload.</summary>
        public void Encode(Span<byte> data, Stream output, MemoryStream payload)
        {
            if (x86)
            {
                X86Filter.Apply(data, _offset, encode: true);
            }
            _offset += data.Length;
            payload.SetLength(0);
            var encoder = new ArithmeticEncoder(payload);
            CodeBytes(encoder, _model, data);
            encoder.Flush();
            int n = data.Length;
            bool stored = payload.Length >= n;
            _blockHeader[0] = stored ? KolmoContainer.BlockStored : KolmoContainer.BlockCoded;
            BinaryPrimitives.WriteUInt32LittleEndian(_blockHeader.AsSpan(1), (uint)n);
            BinaryPrimitives.WriteUInt32LittleEndian(_blockHeader.AsSpan(5), stored ? (uint)n : (uint)payload.Length);
            output.Write(_blockHeader);
            if (stored)
            {
                output.Write(data);
            }
            else
            {
                output.Write(payload.GetBuffer(), 0, (int)payload.Length);
            }
        }

        /// <summary>
        /// Decodes block <paramref name="b"/> from <paramref name="payload"/> (its bytes, <paramref name="blockAt"/>
        /// the file offset for messages) in chunks of <paramref name="chunk"/>, undoes the transform, and hands each
        /// finished piece to <paramref name="emit"/>. With the x86 transform up to <see cref="X86Filter.Lookahead"/>
        /// bytes wait for the next chunk, since an operand may cross a chunk end.
        /// </summary>
        public void Decode(KolmoContainer.BlockHeader b, Stream payload, long blockAt, byte[] chunk, ReplayCoder replay, Action<ReadOnlySpan<byte>> emit)
        {
            var decoder = b.Type == KolmoContainer.BlockCoded ? new ArithmeticDecoder(payload, b.PayloadLength, _decodeBuffer) : null;
            int step = chunk.Length - X86Filter.Lookahead;
            int held = 0;
            long heldAt = _offset;
            int lastKept = X86Filter.NoOpcode;
            try
            {
                for (int done = 0; done < b.RawLength;)
                {
                    int n = Math.Min(step, b.RawLength - done);
                    var data = chunk.AsSpan(held, n);
                    if (decoder is null)
                    {
                        payload.ReadExactly(data);
                        CodeBytes(replay, _model, data);
                    }
                    else
                    {
                        data.Clear();
                        CodeBytes(decoder, _model, data);
                    }
                    done += n;
                    int have = held + n;
                    int ready = x86 ? X86Filter.Scan(chunk.AsSpan(0, have), heldAt, encode: false, final: done == b.RawLength, ref lastKept) : have;
                    emit(chunk.AsSpan(0, ready));
                    chunk.AsSpan(ready, have - ready).CopyTo(chunk);
                    held = have - ready;
                    heldAt += ready;
                }
                decoder?.CheckEnd();
            }
            catch (InvalidDataException e) when (decoder is not null)
            {
                throw new InvalidDataException($"block at offset {blockAt}: {e.Message}", e);
            }
            _offset += b.RawLength;
        }
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
    /// <param name="input">The .kolmo input.</param>
    /// <param name="output">Receives the decoded bytes.</param>
    /// <param name="progress">Called with the compressed bytes consumed so far, or null.</param>
    /// <param name="priors">Priors a primed stream may name.</param>
    /// <param name="threads">Segments of a version-2 stream decoded at once (the output is the same for any count).</param>
    /// <param name="models">Models kept across decodes of inputs with the same model (each segment still starts from the fresh model, warmed up as its header says), or null to build each.</param>
    public static int Decompress(Stream input, Stream output, Action<long>? progress, IReadOnlyCollection<Prior>? priors = null, int threads = 1, DecoderModels? models = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var reader = new ContainerReader(input);
        int streams = 0;
        do
        {
            DecompressStream(reader, output, progress, afterStream: streams > 0, priors ?? [], threads, models);
            streams++;
        }
        while (reader.HasMore());
        output.Flush();
        return streams;
    }

    /// <summary>Decodes one stream (header to trailer) and checks its xxHash64.</summary>
    private static void DecompressStream(ContainerReader reader, Stream output, Action<long>? progress, bool afterStream, IReadOnlyCollection<Prior> priors, int threads, DecoderModels? models)
    {
        var header = KolmoContainer.ReadHeader(reader, afterStream);
        ModelCatalog.TryGet(header.Model, out var entry);
        Prior? prior;
        using (PriorRegistry.Use(priors))
        {
            prior = header.PriorKind == 0 ? null : PriorRegistry.Resolve(header.PriorKind, header.PriorHash);
        }
        var decoder = new ContainerDecoder(reader, header, entry, priors, prior, models);
        long total = threads > 1 && header.SegmentSize != 0
            ? decoder.RunParallel(output, progress, threads)
            : decoder.RunSequential(output, progress);
        long trailerAt = reader.Offset;
        var (_, checksum) = KolmoContainer.ReadTrailer(reader, total);
        ulong actual = decoder.Hash.GetCurrentHashAsUInt64();
        if (actual != checksum)
        {
            throw new InvalidDataException($"checksum mismatch (trailer at offset {trailerAt}: expected {checksum:x16}, decoded data hashes to {actual:x16}): the data is corrupt");
        }
    }

    /// <summary>Bytes decoded per step (and, with one thread, the decoder's only buffer for data): 64 KiB.</summary>
    private const int DecodeChunkBytes = 1 << 16;

    /// <summary>
    /// Reads blocks in file order and decodes them, one segment at a time or several in parallel. Work and memory
    /// are bounded by the bytes actually present, never by what the headers claim: data is decoded in chunks, a coded
    /// block's decoder refuses to run past its payload (see <see cref="ArithmeticDecoder.MaxPadding"/>), payloads
    /// read ahead for parallel workers grow with the bytes read, and a model is built at the first block of a segment.
    /// </summary>
    private sealed class ContainerDecoder(ContainerReader reader, KolmoHeader header, ModelEntry entry, IReadOnlyCollection<Prior> priors, Prior? prior, DecoderModels? models)
    {
        private readonly byte[] _blockHeader = new byte[KolmoContainer.BlockHeaderBytes];
        private readonly SegmentHead _head = new(header.SegmentWarmup);
        private KolmoContainer.BlockLayout _layout = new(header);

        public XxHash64 Hash { get; } = new();

        /// <summary>The coder of a segment; one after the first learns the head (waiting for it while the first segment decodes).</summary>
        private SegmentCoder NewCoder(bool first)
        {
            SegmentCoder coder;
            using (PriorRegistry.Use(priors))
            {
                var model = models is null
                    ? CreateModel(entry, header.Level, header.Parameters, prior)
                    : models.Take(entry, header.Level, header.Parameters, prior, () => CreateModel(entry, header.Level, header.Parameters, prior));
                coder = new SegmentCoder(model, header.X86);
            }
            if (!first)
            {
                try
                {
                    _head.Teach(coder.Model);
                }
                catch
                {
                    Done(coder);
                    throw;
                }
            }
            return coder;
        }

        /// <summary>Hands a finished (or abandoned) segment's model back to <c>models</c>.</summary>
        private void Done(SegmentCoder? coder)
        {
            if (coder is not null)
            {
                models?.Return(coder.Model);
            }
        }

        public long RunSequential(Stream output, Action<long>? progress)
        {
            var chunk = new byte[(int)Math.Min(DecodeChunkBytes, header.BlockSize) + X86Filter.Lookahead];
            var replay = new ReplayCoder();
            SegmentCoder? coder = null;
            long total = 0;
            try
            {
                while (true)
                {
                    bool segmentStart = _layout.AtSegmentStart;
                    var b = KolmoContainer.ReadBlockHeader(reader, header, _blockHeader, ref _layout);
                    if (b.Type == KolmoContainer.BlockEnd)
                    {
                        return total;
                    }
                    if (coder == null || (segmentStart && header.SegmentSize != 0))
                    {
                        Done(coder);
                        coder = null;
                        if (total > 0)
                        {
                            _head.Close();
                        }
                        coder = NewCoder(first: total == 0);
                    }
                    long blockAt = reader.Offset;
                    var payload = reader.Section(b.PayloadLength, b.Type == KolmoContainer.BlockStored ? "stored block" : "block payload");
                    coder.Decode(b, payload, blockAt, chunk, replay, data =>
                    {
                        Hash.Append(data);
                        _head.Append(data);
                        output.Write(data);
                    });
                    total += b.RawLength;
                    progress?.Invoke(reader.Offset);
                }
            }
            finally
            {
                Done(coder);
            }
        }

        public long RunParallel(Stream output, Action<long>? progress, int threads)
        {
            var pending = new Queue<Task<List<byte[]>>>();
            long total = 0;
            bool more = true;
            bool first = true;
            while (more || pending.Count > 0)
            {
                while (more && pending.Count < threads)
                {
                    var blocks = ReadSegment(out more);
                    if (blocks.Count == 0)
                    {
                        break;
                    }
                    bool isFirst = first;
                    first = false;
                    pending.Enqueue(Task.Run(() =>
                    {
                        SegmentCoder? coder = null;
                        try
                        {
                            coder = NewCoder(isFirst);
                            var replay = new ReplayCoder();
                            var chunk = new byte[(int)Math.Min(DecodeChunkBytes, header.BlockSize) + X86Filter.Lookahead];
                            var pieces = new List<byte[]>();
                            foreach (var (b, at, payload) in blocks)
                            {
                                coder.Decode(b, new MemoryStream(payload, writable: false), at, chunk, replay, data =>
                                {
                                    if (isFirst)
                                    {
                                        _head.Append(data);
                                    }
                                    pieces.Add(data.ToArray());
                                });
                            }
                            return pieces;
                        }
                        finally
                        {
                            if (isFirst)
                            {
                                _head.Close();
                            }
                            Done(coder);
                        }
                    }));
                }
                if (pending.Count > 0)
                {
                    foreach (var data in pending.Dequeue().GetAwaiter().GetResult())
                    {
                        Hash.Append(data);
                        output.Write(data);
                        total += data.Length;
                    }
                    progress?.Invoke(reader.Offset);
                }
            }
            return total;
        }

        /// <summary>Reads the blocks of one segment (header, payload offset, payload); <paramref name="more"/> is false once the end marker was read.</summary>
        private List<(KolmoContainer.BlockHeader Block, long At, byte[] Payload)> ReadSegment(out bool more)
        {
            var blocks = new List<(KolmoContainer.BlockHeader, long, byte[])>();
            while (true)
            {
                var b = KolmoContainer.ReadBlockHeader(reader, header, _blockHeader, ref _layout);
                if (b.Type == KolmoContainer.BlockEnd)
                {
                    more = false;
                    return blocks;
                }
                long at = reader.Offset;
                // Grows with the bytes actually read, so a header claiming a long payload costs no memory up front.
                var payload = new MemoryStream(Math.Min(b.PayloadLength, DecodeChunkBytes));
                reader.Section(b.PayloadLength, b.Type == KolmoContainer.BlockStored ? "stored block" : "block payload").CopyTo(payload);
                blocks.Add((b, at, payload.ToArray()));
                if (_layout.AtSegmentStart)
                {
                    more = true;
                    return blocks;
                }
            }
        }
    }

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
        if (model is CmModel cm && coder is ArithmeticEncoder enc)
        {
            cm.Encode(enc, data);
            return;
        }
        if (model is CmModel cmd && coder is ArithmeticDecoder dec)
        {
            cmd.Decode(dec, data);
            return;
        }
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

    private static int ReadFull(Stream input, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = input.Read(buffer[total..]);
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
