using System.Buffers.Binary;
using System.IO.Hashing;

namespace Kolmo.Compression;

/// <summary>The fixed part of a <c>.kolmo</c> file, as read from or written to its header (docs/FORMAT.md).</summary>
/// <param name="Version">Format version (1 or 2).</param>
/// <param name="Model">Model id.</param>
/// <param name="Level">Level 1–9 the model was configured with.</param>
/// <param name="BlockSize">Uncompressed bytes per block (every block but the last of each segment is exactly this long).</param>
/// <param name="Parameters">Model parameters (0–255 bytes, meaning defined by the model).</param>
/// <param name="PriorKind">0: no prior; else the kind of prior the model learned before coding (<see cref="Prior.DataKind"/>, <see cref="Prior.ModelKind"/>).</param>
/// <param name="PriorHash">xxHash64 of the prior's bytes (when <paramref name="PriorKind"/> ≠ 0).</param>
/// <param name="SegmentSize">Version 2: uncompressed bytes per segment (the model restarts at each); 0 = one segment.</param>
/// <param name="X86">Version 2: each block was coded after the x86 branch transform (<see cref="X86Filter"/>).</param>
/// <param name="SegmentWarmup">Version 2: every segment after the first is coded by a model that has first learned the
/// input's first this many bytes (1 … min(segment size, 1 GiB)); 0 = each segment starts from the fresh model.</param>
public sealed record KolmoHeader(byte Version, ModelId Model, byte Level, int BlockSize, byte[] Parameters, byte PriorKind = 0, ulong PriorHash = 0, long SegmentSize = 0, bool X86 = false, long SegmentWarmup = 0)
{
    /// <summary>Size of this header in the file, in bytes (13 + parameters [+ 9 with a prior] + 4 in version 1; 4 more in version 2, and 4 more with a warm-up).</summary>
    public int Length => KolmoContainer.FixedBytes(Version) + Parameters.Length + (PriorKind != 0 ? KolmoContainer.PriorBytes : 0)
        + (SegmentWarmup != 0 ? KolmoContainer.WarmupBytes : 0) + 4;

    /// <summary>The flags byte: <see cref="KolmoContainer.FlagPrimed"/>, <see cref="KolmoContainer.FlagX86"/>, <see cref="KolmoContainer.FlagWarmSegments"/>.</summary>
    public byte Flags => (byte)((PriorKind != 0 ? KolmoContainer.FlagPrimed : 0) | (X86 ? KolmoContainer.FlagX86 : 0)
        | (SegmentWarmup != 0 ? KolmoContainer.FlagWarmSegments : 0));
}

/// <summary>What <see cref="KolmoContainer.Inspect"/> finds in a container without decoding it.</summary>
/// <param name="Header">The header.</param>
/// <param name="Blocks">Number of data blocks.</param>
/// <param name="StoredBlocks">How many of them are stored (not model-coded).</param>
/// <param name="PayloadBytes">Sum of the blocks' payload lengths.</param>
/// <param name="OriginalLength">Uncompressed length from the trailer (checked against the blocks).</param>
/// <param name="Checksum">xxHash64 of the original data, from the trailer.</param>
/// <param name="FileLength">Length of this stream in bytes (header to trailer).</param>
public sealed record KolmoSummary(KolmoHeader Header, long Blocks, long StoredBlocks, long PayloadBytes, long OriginalLength, ulong Checksum, long FileLength);

/// <summary>
/// The <c>.kolmo</c> container, versions 1 and 2 (specified with byte tables in docs/FORMAT.md). All integers are
/// little-endian.
/// <code>
/// header   magic "KOLM" | version u8 (1 or 2) | flags u8 (bit 0: primed; version 2 only: bit 1 x86 transform, bit 2
///          warm segments) | model u8 | level u8 | block size u32 | [version 2: segment size u32] | parameter length u8 |
///          parameters | [prior kind u8 | prior xxHash64 u64, when primed] | [warm-up u32, with warm segments] |
///          header checksum u32 (xxHash32 of all previous header bytes)
/// block    type u8 (0 = model-coded, 1 = stored) | raw length u32 | payload length u32 | payload
/// end      type u8 = 0xFF | original length u64 | xxHash64 of the original u64
/// </code>
/// The model state runs on across the blocks of a segment; each block's arithmetic coder is flushed, so a block's
/// payload length is known and the decoder reads exactly that many bytes. Version 1 has one segment (the whole
/// input, flags 0); version 2 adds segments (coded and decoded in parallel; each starts from the fresh model, or with
/// warm segments from a model that has learned the input's first bytes) and the x86 flag. The
/// writer uses version 1 whenever a file needs neither, so such files stay readable by version-1 readers.
/// </summary>
public static class KolmoContainer
{
    /// <summary>The four magic bytes, "KOLM".</summary>
    public static ReadOnlySpan<byte> Magic => "KOLM"u8;

    /// <summary>The format version of files with one segment and no filter.</summary>
    public const byte Version = 1;

    /// <summary>The format version of files with segments or a filter.</summary>
    public const byte SegmentedVersion = 2;

    /// <summary>Header bytes before the parameters in version 1 (magic, version, flags, model, level, block size, parameter length).</summary>
    public const int HeaderFixedBytes = 13;

    /// <summary>Header bytes before the parameters in version 2 (version 1's plus the segment size).</summary>
    public const int SegmentedHeaderFixedBytes = 17;

    /// <summary>Header flag: the model learned a prior before coding; its kind and hash follow the parameters.</summary>
    public const byte FlagPrimed = 0x01;

    /// <summary>Header flag (version 2): each block was coded after the x86 branch transform.</summary>
    public const byte FlagX86 = 0x02;

    /// <summary>Header flag (version 2): segments after the first start from a model that has learned the input's first bytes; the warm-up length follows the prior field.</summary>
    public const byte FlagWarmSegments = 0x04;

    /// <summary>Bytes of the warm-up field (u32).</summary>
    public const int WarmupBytes = 4;

    /// <summary>Largest warm-up: 1 GiB (a decoder holds the head in memory).</summary>
    public const long MaxSegmentWarmup = 1L << 30;

    /// <summary>Bytes of the prior field (kind, xxHash64).</summary>
    public const int PriorBytes = 9;

    /// <summary>Largest segment size.</summary>
    public const long MaxSegmentSize = uint.MaxValue;

    /// <summary>Header bytes before the parameters in <paramref name="version"/>.</summary>
    public static int FixedBytes(byte version) => version >= SegmentedVersion ? SegmentedHeaderFixedBytes : HeaderFixedBytes;

    /// <summary>Bytes of a block header (type, raw length, payload length).</summary>
    public const int BlockHeaderBytes = 9;

    /// <summary>Bytes of the end marker plus trailer.</summary>
    public const int EndBytes = 17;

    /// <summary>Block type: payload is arithmetic-coded with the model.</summary>
    public const byte BlockCoded = 0;

    /// <summary>Block type: payload is the raw bytes (used when coding would not make the block smaller).</summary>
    public const byte BlockStored = 1;

    /// <summary>Block type marking the end of the blocks; the trailer follows.</summary>
    public const byte BlockEnd = 0xFF;

    /// <summary>Default uncompressed block size: 1 MiB.</summary>
    public const int DefaultBlockSize = 1 << 20;

    /// <summary>Smallest allowed block size.</summary>
    public const int MinBlockSize = 1;

    /// <summary>Largest allowed block size: 64 MiB (bounds the decoder's memory).</summary>
    public const int MaxBlockSize = 1 << 26;

    /// <summary>Writes <paramref name="header"/> (with its checksum) to <paramref name="output"/>.</summary>
    public static void WriteHeader(Stream output, KolmoHeader header)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.Parameters.Length, 255, nameof(header));
        ArgumentOutOfRangeException.ThrowIfLessThan(header.BlockSize, MinBlockSize, nameof(header));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.BlockSize, MaxBlockSize, nameof(header));
        if (header.Version != Version && header.Version != SegmentedVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(header), header.Version, "unknown format version");
        }
        if (header.Version == Version && (header.SegmentSize != 0 || header.X86))
        {
            throw new ArgumentException("segments and filters need format version 2", nameof(header));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(header.SegmentSize, nameof(header));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.SegmentSize, MaxSegmentSize, nameof(header));
        ArgumentOutOfRangeException.ThrowIfNegative(header.SegmentWarmup, nameof(header));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.SegmentWarmup, Math.Min(header.SegmentSize, MaxSegmentWarmup), nameof(header));
        int fixedBytes = FixedBytes(header.Version);
        var buf = new byte[header.Length];
        Magic.CopyTo(buf);
        if (header.PriorKind is not (0 or Prior.DataKind or Prior.ModelKind))
        {
            throw new ArgumentException($"unknown prior kind {header.PriorKind}", nameof(header));
        }
        buf[4] = header.Version;
        buf[5] = header.Flags;
        buf[6] = (byte)header.Model;
        buf[7] = header.Level;
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(8), (uint)header.BlockSize);
        if (header.Version == SegmentedVersion)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(12), (uint)header.SegmentSize);
        }
        buf[fixedBytes - 1] = (byte)header.Parameters.Length;
        header.Parameters.CopyTo(buf, fixedBytes);
        int n = fixedBytes + header.Parameters.Length;
        if (header.PriorKind != 0)
        {
            buf[n] = header.PriorKind;
            BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(n + 1), header.PriorHash);
            n += PriorBytes;
        }
        if (header.SegmentWarmup != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(n), (uint)header.SegmentWarmup);
            n += WarmupBytes;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(n), XxHash32.HashToUInt32(buf.AsSpan(0, n)));
        output.Write(buf);
    }

    /// <summary>Reads and validates a header (every field, reserved bits, checksum).</summary>
    /// <param name="reader">The input.</param>
    /// <param name="afterStream">The header should start another stream after a complete one (concatenated streams):
    /// anything else there is reported as trailing data.</param>
    /// <exception cref="InvalidDataException">Wrong magic, unsupported version, reserved bits set, bad field, bad checksum or truncation; the message gives the offset.</exception>
    public static KolmoHeader ReadHeader(ContainerReader reader, bool afterStream = false)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fixedPart = new byte[SegmentedHeaderFixedBytes];
        long start = reader.Offset;
        int got = reader.ReadAtMost(fixedPart.AsSpan(0, HeaderFixedBytes));
        if (got < Magic.Length || !fixedPart.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException(
                afterStream ? $"unexpected data after the end of the .kolmo stream at offset {start} (not another .kolmo stream)"
                : got == 0 ? "not a .kolmo file: input is empty"
                : $"not a .kolmo file: wrong magic at offset {start} (expected 4B 4F 4C 4D \"KOLM\")");
        }
        if (got < HeaderFixedBytes)
        {
            throw new InvalidDataException($"truncated input: header ends at offset {start + got}, needs {HeaderFixedBytes} bytes");
        }
        byte version = fixedPart[4];
        if (version != Version && version != SegmentedVersion)
        {
            throw new InvalidDataException($"unsupported .kolmo format version {version} at offset {start + 4} (this build reads versions {Version} and {SegmentedVersion})");
        }
        int fixedBytes = FixedBytes(version);
        if (fixedBytes > HeaderFixedBytes)
        {
            reader.ReadExactly(fixedPart.AsSpan(HeaderFixedBytes, fixedBytes - HeaderFixedBytes), "header");
        }
        byte allowedFlags = version == SegmentedVersion ? (byte)(FlagPrimed | FlagX86 | FlagWarmSegments) : FlagPrimed;
        if ((fixedPart[5] & ~allowedFlags) != 0)
        {
            throw new InvalidDataException($"reserved flag bits set (0x{fixedPart[5]:X2}) at offset {start + 5}");
        }
        var model = (ModelId)fixedPart[6];
        if (!ModelCatalog.TryGet(model, out _))
        {
            throw new InvalidDataException($"unknown model id {fixedPart[6]} at offset {start + 6} (known: {ModelCatalog.Names})");
        }
        byte level = fixedPart[7];
        if (level < ModelCatalog.MinLevel || level > ModelCatalog.MaxLevel)
        {
            throw new InvalidDataException($"invalid level {level} at offset {start + 7} (expected 1-9)");
        }
        uint blockSize = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(8));
        if (blockSize < MinBlockSize || blockSize > MaxBlockSize)
        {
            throw new InvalidDataException($"invalid block size {blockSize} at offset {start + 8} (expected {MinBlockSize}-{MaxBlockSize})");
        }
        long segmentSize = version == SegmentedVersion ? BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(12)) : 0;
        var parameters = new byte[fixedPart[fixedBytes - 1]];
        reader.ReadExactly(parameters, "model parameters");
        var prior = new byte[(fixedPart[5] & FlagPrimed) != 0 ? PriorBytes : 0];
        long priorOffset = reader.Offset;
        reader.ReadExactly(prior, "prior field");
        var warmup = new byte[(fixedPart[5] & FlagWarmSegments) != 0 ? WarmupBytes : 0];
        long warmupOffset = reader.Offset;
        reader.ReadExactly(warmup, "warm-up field");
        var check = new byte[4];
        long checkOffset = reader.Offset;
        reader.ReadExactly(check, "header checksum");
        var hash = new XxHash32();
        hash.Append(fixedPart.AsSpan(0, fixedBytes));
        hash.Append(parameters);
        hash.Append(prior);
        hash.Append(warmup);
        if (hash.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(check))
        {
            throw new InvalidDataException($"header checksum mismatch at offset {checkOffset}: the header is corrupt");
        }
        if (prior.Length != 0 && prior[0] is not (Prior.DataKind or Prior.ModelKind))
        {
            throw new InvalidDataException($"unknown prior kind {prior[0]} at offset {priorOffset}");
        }
        long segmentWarmup = warmup.Length == 0 ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(warmup);
        if (warmup.Length != 0 && (segmentWarmup == 0 || segmentWarmup > segmentSize || segmentWarmup > MaxSegmentWarmup))
        {
            throw new InvalidDataException($"invalid warm-up length {segmentWarmup} at offset {warmupOffset} (expected 1-{Math.Min(segmentSize, MaxSegmentWarmup)}: at most the segment size and 1 GiB)");
        }
        return new KolmoHeader(version, model, level, (int)blockSize, parameters,
            prior.Length == 0 ? (byte)0 : prior[0], prior.Length == 0 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(prior.AsSpan(1)),
            segmentSize, (fixedPart[5] & FlagX86) != 0, segmentWarmup);
    }

    /// <summary>
    /// Reads a container's structure (header, block headers, trailer) without decoding: every structural field is
    /// validated, payloads are skipped. The data checksum itself can only be verified by decompressing. The input
    /// must hold exactly one stream (<see cref="InspectAll"/> reads concatenated streams).
    /// </summary>
    /// <exception cref="InvalidDataException">The container is malformed or truncated, or more data follows it.</exception>
    public static KolmoSummary Inspect(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new ContainerReader(input);
        var summary = InspectOne(reader, afterStream: false);
        if (reader.HasMore())
        {
            throw new InvalidDataException($"unexpected data after the end of the container at offset {reader.Offset}");
        }
        return summary;
    }

    /// <summary>
    /// Reads every stream of a file of concatenated <c>.kolmo</c> streams (what <c>kolmo compress -c a b</c> writes;
    /// decompression decodes them in sequence, like zstd frames), structure only.
    /// </summary>
    /// <returns>One summary per stream, in file order.</returns>
    /// <exception cref="InvalidDataException">A stream is malformed or truncated, or data after a stream is not another stream.</exception>
    public static IReadOnlyList<KolmoSummary> InspectAll(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new ContainerReader(input);
        var all = new List<KolmoSummary> { InspectOne(reader, afterStream: false) };
        while (reader.HasMore())
        {
            all.Add(InspectOne(reader, afterStream: true));
        }
        return all;
    }

    private static KolmoSummary InspectOne(ContainerReader reader, bool afterStream)
    {
        long start = reader.Offset;
        var header = ReadHeader(reader, afterStream);
        long blocks = 0, stored = 0, payload = 0, raw = 0;
        var blockBuf = new byte[BlockHeaderBytes];
        var layout = new BlockLayout(header);
        while (true)
        {
            var b = ReadBlockHeader(reader, header, blockBuf, ref layout);
            if (b.Type == BlockEnd)
            {
                break;
            }
            blocks++;
            stored += b.Type == BlockStored ? 1 : 0;
            payload += b.PayloadLength;
            raw += b.RawLength;
            reader.Skip(b.PayloadLength, "block payload");
        }
        var (length, checksum) = ReadTrailer(reader, raw);
        return new KolmoSummary(header, blocks, stored, payload, length, checksum, reader.Offset - start);
    }

    /// <summary>A block header as read from the file.</summary>
    internal readonly record struct BlockHeader(byte Type, int RawLength, int PayloadLength);

    /// <summary>
    /// Where the reader is in the block layout: blocks are cut at <see cref="KolmoHeader.BlockSize"/> and at segment
    /// ends, so every block is exactly min(block size, bytes left in its segment) long except the file's last.
    /// </summary>
    internal struct BlockLayout(KolmoHeader header)
    {
        private readonly int _blockSize = header.BlockSize;
        private readonly long _segmentSize = header.SegmentSize;
        private long _inSegment;

        /// <summary>Whether the last block was short (so only the end may follow).</summary>
        public bool ShortSeen { get; private set; }

        /// <summary>Whether the next block starts a new segment (the model restarts).</summary>
        public readonly bool AtSegmentStart => _inSegment == 0;

        /// <summary>The length every block here must have unless it is the last.</summary>
        public readonly int Expected => _segmentSize == 0 ? _blockSize : (int)Math.Min(_blockSize, _segmentSize - _inSegment);

        /// <summary>Records a block of <paramref name="raw"/> bytes.</summary>
        public void Advance(int raw)
        {
            ShortSeen = raw < Expected;
            _inSegment += raw;
            if (_segmentSize != 0 && _inSegment == _segmentSize)
            {
                _inSegment = 0;
            }
        }
    }

    /// <summary>Reads and validates one block header (or the end marker's type byte).</summary>
    internal static BlockHeader ReadBlockHeader(ContainerReader reader, KolmoHeader header, byte[] buf, ref BlockLayout layout)
    {
        long at = reader.Offset;
        reader.ReadExactly(buf.AsSpan(0, 1), "block header");
        byte type = buf[0];
        if (type == BlockEnd)
        {
            return new BlockHeader(type, 0, 0);
        }
        if (type != BlockCoded && type != BlockStored)
        {
            throw new InvalidDataException($"reserved block type 0x{type:X2} at offset {at}");
        }
        if (layout.ShortSeen)
        {
            throw new InvalidDataException($"block at offset {at} follows a short block (only the last block may be shorter than the block size)");
        }
        reader.ReadExactly(buf.AsSpan(1, 8), "block header");
        uint rawLength = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(1));
        uint payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(5));
        if (rawLength == 0 || rawLength > (uint)layout.Expected)
        {
            throw new InvalidDataException($"invalid block raw length {rawLength} at offset {at + 1} (block size {header.BlockSize}{(header.SegmentSize != 0 ? $", {layout.Expected} bytes left in the segment" : "")})");
        }
        if (type == BlockStored ? payloadLength != rawLength : payloadLength == 0 || payloadLength >= rawLength)
        {
            throw new InvalidDataException($"invalid block payload length {payloadLength} at offset {at + 5} for raw length {rawLength}");
        }
        layout.Advance((int)rawLength);
        return new BlockHeader(type, (int)rawLength, (int)payloadLength);
    }

    /// <summary>Reads the trailer after the end marker and checks the length.</summary>
    internal static (long Length, ulong Checksum) ReadTrailer(ContainerReader reader, long rawTotal)
    {
        var buf = new byte[16];
        long at = reader.Offset;
        reader.ReadExactly(buf, "trailer");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(buf);
        if (length != (ulong)rawTotal)
        {
            throw new InvalidDataException($"trailer at offset {at} gives original length {length}, but the blocks hold {rawTotal} bytes");
        }
        return ((long)length, BinaryPrimitives.ReadUInt64LittleEndian(buf.AsSpan(8)));
    }
}

/// <summary>Reads a container while tracking the offset, so every error can say where it happened.</summary>
public sealed class ContainerReader
{
    private readonly Stream _input;

    /// <summary>Wraps <paramref name="input"/> (left open), starting at offset 0.</summary>
    public ContainerReader(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
    }

    private int _pending = -1;

    /// <summary>Bytes consumed so far.</summary>
    public long Offset { get; private set; }

    /// <summary>Whether the input holds another byte (read ahead and kept for the next read).</summary>
    public bool HasMore()
    {
        if (_pending >= 0)
        {
            return true;
        }
        Span<byte> one = stackalloc byte[1];
        if (_input.Read(one) <= 0)
        {
            return false;
        }
        _pending = one[0];
        return true;
    }

    /// <summary>Reads up to <c>buffer.Length</c> bytes, fewer only at the end of the input.</summary>
    public int ReadAtMost(Span<byte> buffer)
    {
        int total = 0;
        if (_pending >= 0 && buffer.Length > 0)
        {
            buffer[0] = (byte)_pending;
            _pending = -1;
            total = 1;
        }
        while (total < buffer.Length)
        {
            int n = _input.Read(buffer[total..]);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        Offset += total;
        return total;
    }

    /// <summary>Fills <paramref name="buffer"/> or throws.</summary>
    /// <exception cref="InvalidDataException">The input ends first; the message names <paramref name="what"/> and the offset.</exception>
    public void ReadExactly(Span<byte> buffer, string what)
    {
        long at = Offset;
        int got = ReadAtMost(buffer);
        if (got < buffer.Length)
        {
            throw new InvalidDataException($"truncated input: {what} at offset {at} needs {buffer.Length} bytes, only {got} left");
        }
    }

    /// <summary>
    /// The next <paramref name="length"/> bytes as a read-only stream (for a decoder that reads them itself); reading
    /// through it advances <see cref="Offset"/>, and the input ending early is an <see cref="InvalidDataException"/>.
    /// </summary>
    public Stream Section(long length, string what)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new SectionStream(this, length, what);
    }

    /// <summary>Skips <paramref name="count"/> bytes (seeking when possible) or throws when the input is shorter.</summary>
    /// <exception cref="InvalidDataException">The input ends first.</exception>
    public void Skip(long count, string what)
    {
        long at = Offset;
        if (_input.CanSeek && _pending < 0)
        {
            long left = _input.Length - _input.Position;
            if (left < count)
            {
                throw new InvalidDataException($"truncated input: {what} at offset {at} needs {count} bytes, only {left} left");
            }
            _input.Seek(count, SeekOrigin.Current);
            Offset += count;
            return;
        }
        var buf = new byte[(int)Math.Min(count, 1 << 16)];
        long remaining = count;
        while (remaining > 0)
        {
            int got = ReadAtMost(buf.AsSpan(0, (int)Math.Min(remaining, buf.Length)));
            if (got == 0)
            {
                throw new InvalidDataException($"truncated input: {what} at offset {at} needs {count} bytes, only {count - remaining} left");
            }
            remaining -= got;
        }
    }

    /// <summary>A window of the next bytes of a <see cref="ContainerReader"/>.</summary>
    private sealed class SectionStream : Stream
    {
        private readonly ContainerReader _reader;
        private readonly long _length;
        private readonly string _what;
        private long _left;

        public SectionStream(ContainerReader reader, long length, string what)
        {
            _reader = reader;
            _length = length;
            _what = what;
            _left = length;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position { get => _length - _left; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0 || buffer.IsEmpty)
            {
                return 0;
            }
            long at = _reader.Offset;
            var want = buffer[..(int)Math.Min(buffer.Length, _left)];
            int got = _reader.ReadAtMost(want);
            if (got < want.Length)
            {
                throw new InvalidDataException($"truncated input: {_what} at offset {at - (_length - _left)} needs {_length} bytes, only {_length - _left + got} left");
            }
            _left -= got;
            return got;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
