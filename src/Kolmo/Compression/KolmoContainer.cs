using System.Buffers.Binary;
using System.IO.Hashing;

namespace Kolmo.Compression;

/// <summary>The fixed part of a <c>.kolmo</c> file, as read from or written to its header (docs/FORMAT.md).</summary>
/// <param name="Version">Format version (1).</param>
/// <param name="Model">Model id.</param>
/// <param name="Level">Level 1–9 the model was configured with.</param>
/// <param name="BlockSize">Uncompressed bytes per block (every block but the last is exactly this long).</param>
/// <param name="Parameters">Model parameters (0–255 bytes, meaning defined by the model).</param>
/// <param name="PriorKind">0: no prior; else the kind of prior the model learned before coding (<see cref="Prior.DataKind"/>, <see cref="Prior.ModelKind"/>).</param>
/// <param name="PriorHash">xxHash64 of the prior's bytes (when <paramref name="PriorKind"/> ≠ 0).</param>
public sealed record KolmoHeader(byte Version, ModelId Model, byte Level, int BlockSize, byte[] Parameters, byte PriorKind = 0, ulong PriorHash = 0)
{
    /// <summary>Size of this header in the file, in bytes (13 + parameters [+ 9 with a prior] + 4).</summary>
    public int Length => KolmoContainer.HeaderFixedBytes + Parameters.Length + (PriorKind != 0 ? KolmoContainer.PriorBytes : 0) + 4;
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
/// The <c>.kolmo</c> container, version 1 (specified with byte tables in docs/FORMAT.md). All integers are
/// little-endian.
/// <code>
/// header   magic "KOLM" | version u8 = 1 | flags u8 (bit 0: primed, others 0) | model u8 | level u8 | block size u32 |
///          parameter length u8 | parameters | [prior kind u8 | prior xxHash64 u64, when primed] |
///          header checksum u32 (xxHash32 of all previous header bytes)
/// block    type u8 (0 = model-coded, 1 = stored) | raw length u32 | payload length u32 | payload
/// end      type u8 = 0xFF | original length u64 | xxHash64 of the original u64
/// </code>
/// The model state runs on across blocks; each block's arithmetic coder is flushed, so a block's payload
/// length is known and the decoder reads exactly that many bytes.
/// </summary>
public static class KolmoContainer
{
    /// <summary>The four magic bytes, "KOLM".</summary>
    public static ReadOnlySpan<byte> Magic => "KOLM"u8;

    /// <summary>The only format version this code reads and writes.</summary>
    public const byte Version = 1;

    /// <summary>Header bytes before the parameters (magic, version, flags, model, level, block size, parameter length).</summary>
    public const int HeaderFixedBytes = 13;

    /// <summary>Header flag: the model learned a prior before coding; its kind and hash follow the parameters.</summary>
    public const byte FlagPrimed = 0x01;

    /// <summary>Bytes of the prior field (kind, xxHash64).</summary>
    public const int PriorBytes = 9;

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
        var buf = new byte[header.Length];
        Magic.CopyTo(buf);
        if (header.PriorKind is not (0 or Prior.DataKind or Prior.ModelKind))
        {
            throw new ArgumentException($"unknown prior kind {header.PriorKind}", nameof(header));
        }
        buf[4] = header.Version;
        buf[5] = header.PriorKind != 0 ? FlagPrimed : (byte)0;
        buf[6] = (byte)header.Model;
        buf[7] = header.Level;
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(8), (uint)header.BlockSize);
        buf[12] = (byte)header.Parameters.Length;
        header.Parameters.CopyTo(buf, HeaderFixedBytes);
        int n = HeaderFixedBytes + header.Parameters.Length;
        if (header.PriorKind != 0)
        {
            buf[n] = header.PriorKind;
            BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(n + 1), header.PriorHash);
            n += PriorBytes;
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
        var fixedPart = new byte[HeaderFixedBytes];
        long start = reader.Offset;
        int got = reader.ReadAtMost(fixedPart);
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
        if (fixedPart[4] != Version)
        {
            throw new InvalidDataException($"unsupported .kolmo format version {fixedPart[4]} at offset {start + 4} (this build reads version {Version})");
        }
        if ((fixedPart[5] & ~FlagPrimed) != 0)
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
        var parameters = new byte[fixedPart[12]];
        reader.ReadExactly(parameters, "model parameters");
        var prior = new byte[(fixedPart[5] & FlagPrimed) != 0 ? PriorBytes : 0];
        long priorOffset = reader.Offset;
        reader.ReadExactly(prior, "prior field");
        var check = new byte[4];
        long checkOffset = reader.Offset;
        reader.ReadExactly(check, "header checksum");
        var hash = new XxHash32();
        hash.Append(fixedPart);
        hash.Append(parameters);
        hash.Append(prior);
        if (hash.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(check))
        {
            throw new InvalidDataException($"header checksum mismatch at offset {checkOffset}: the header is corrupt");
        }
        if (prior.Length == 0)
        {
            return new KolmoHeader(fixedPart[4], model, level, (int)blockSize, parameters);
        }
        if (prior[0] is not (Prior.DataKind or Prior.ModelKind))
        {
            throw new InvalidDataException($"unknown prior kind {prior[0]} at offset {priorOffset}");
        }
        return new KolmoHeader(fixedPart[4], model, level, (int)blockSize, parameters, prior[0], BinaryPrimitives.ReadUInt64LittleEndian(prior.AsSpan(1)));
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
        bool shortSeen = false;
        while (true)
        {
            var b = ReadBlockHeader(reader, header, blockBuf, ref shortSeen);
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

    /// <summary>Reads and validates one block header (or the end marker's type byte).</summary>
    internal static BlockHeader ReadBlockHeader(ContainerReader reader, KolmoHeader header, byte[] buf, ref bool shortSeen)
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
        if (shortSeen)
        {
            throw new InvalidDataException($"block at offset {at} follows a short block (only the last block may be shorter than the block size)");
        }
        reader.ReadExactly(buf.AsSpan(1, 8), "block header");
        uint rawLength = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(1));
        uint payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(5));
        if (rawLength == 0 || rawLength > (uint)header.BlockSize)
        {
            throw new InvalidDataException($"invalid block raw length {rawLength} at offset {at + 1} (block size {header.BlockSize})");
        }
        if (type == BlockStored ? payloadLength != rawLength : payloadLength == 0 || payloadLength >= rawLength)
        {
            throw new InvalidDataException($"invalid block payload length {payloadLength} at offset {at + 5} for raw length {rawLength}");
        }
        shortSeen = rawLength < (uint)header.BlockSize;
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
