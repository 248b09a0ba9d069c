using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.LZMA;
using ZstdSharp;

namespace Kolmo.Compression.Panel;

/// <summary>Raw deflate (RFC 1951, no zlib/gzip header, so NCD is not biased by header bytes), zlib level 9. Window 32 KiB.</summary>
public sealed class DeflateCodec : StreamCodec
{
    /// <inheritdoc />
    public override string Name => "deflate";

    /// <inheritdoc />
    public override long? WindowBytes => 32 * 1024;

    /// <inheritdoc />
    protected override IEnumerable<string> DecoderFiles() =>
        [DecompressorSize.AssemblyFile(typeof(DeflateStream)), DecompressorSize.RuntimeNativeFile("System.IO.Compression.Native")];

    /// <summary>A final fixed-Huffman block holding only end-of-block: 03 00.</summary>
    protected override byte[]? EmptyEncoding => [0x03, 0x00];

    /// <inheritdoc />
    protected override Stream CreateCompressor(Stream output) => new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = 9 }, leaveOpen: true);

    /// <inheritdoc />
    protected override Stream CreateDecompressor(Stream input) => new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>
    /// Reads the compressed input into memory, checks with <see cref="DeflateScanner"/> that it holds a complete
    /// deflate stream (raw deflate has no trailer, and zlib accepts input that just stops), then inflates it.
    /// </summary>
    public override void Decompress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new MemoryStream();
        input.CopyTo(buffer);
        if (buffer.Length == 0)
        {
            throw new InvalidDataException("deflate: the compressed input is empty");
        }
        DeflateScanner.FindEnd(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Position = 0;
        base.Decompress(buffer, output);
    }
}

/// <summary>gzip (RFC 1952) at level 9: deflate plus an 18-byte header and trailer. Window 32 KiB.</summary>
public sealed class GzipCodec : StreamCodec
{
    /// <inheritdoc />
    public override string Name => "gzip";

    /// <inheritdoc />
    public override long? WindowBytes => 32 * 1024;

    /// <inheritdoc />
    protected override IEnumerable<string> DecoderFiles() =>
        [DecompressorSize.AssemblyFile(typeof(GZipStream)), DecompressorSize.RuntimeNativeFile("System.IO.Compression.Native")];

    /// <summary>An RFC 1952 member of an empty input: header (deflate, no flags, mtime 0, XFL 2, OS 3), 03 00, CRC32 0, ISIZE 0.</summary>
    protected override byte[]? EmptyEncoding => [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0x03, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <inheritdoc />
    protected override Stream CreateCompressor(Stream output) => new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = 9 }, leaveOpen: true);

    /// <inheritdoc />
    protected override Stream CreateDecompressor(Stream input) => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>
    /// Decompresses one gzip member and checks its trailer itself: the last 8 input bytes must be the CRC-32 and
    /// length of the output (GZipStream accepts a stream that simply stops, so truncation is caught here).
    /// </summary>
    public override void Decompress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var tail = new TailStream(input);
        var check = new CrcStream(output);
        base.Decompress(tail, check);
        Span<byte> expected = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(expected, check.Crc.GetCurrentHashAsUInt32());
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], (uint)check.Length);
        if (tail.Count < 18 || !tail.Last8.SequenceEqual(expected))
        {
            throw new InvalidDataException("gzip: compressed data is truncated or corrupt (trailer does not match the output)");
        }
    }

    /// <summary>Passes reads through, remembering the last 8 bytes and the count.</summary>
    private sealed class TailStream(Stream inner) : Stream
    {
        private readonly byte[] _last = new byte[8];

        public long Count { get; private set; }

        public ReadOnlySpan<byte> Last8 => _last;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            for (int i = Math.Max(0, n - 8); i < n; i++)
            {
                Array.Copy(_last, 1, _last, 0, 7);
                _last[7] = buffer[offset + i];
            }
            Count += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Passes writes through, computing CRC-32 and length.</summary>
    private sealed class CrcStream(Stream inner) : Stream
    {
        public System.IO.Hashing.Crc32 Crc { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        private long _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Crc.Append(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
            _length += count;
        }
    }
}

/// <summary>Brotli at quality 11 with a 2^24-byte window (its maximum in the standard format).</summary>
public sealed class BrotliCodec : StreamCodec
{
    /// <inheritdoc />
    public override string Name => "brotli";

    /// <inheritdoc />
    public override long? WindowBytes => (1L << 24) - 16;

    /// <inheritdoc />
    protected override IEnumerable<string> DecoderFiles() =>
        [DecompressorSize.AssemblyFile(typeof(BrotliStream)), DecompressorSize.RuntimeNativeFile("System.IO.Compression.Native")];

    /// <inheritdoc />
    protected override Stream CreateCompressor(Stream output) => new BrotliStream(output, new BrotliCompressionOptions { Quality = 11 }, leaveOpen: true);

    /// <inheritdoc />
    public override void Compress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        // BrotliStream does not expose the window; the encoder type does. Quality 11, window 24.
        using var encoder = new BrotliEncoder(11, 24);
        var inBuf = new byte[1 << 16];
        var outBuf = new byte[1 << 17];
        int n;
        while ((n = input.Read(inBuf, 0, inBuf.Length)) > 0)
        {
            Pump(encoder, inBuf.AsSpan(0, n), outBuf, output, final: false);
        }
        Pump(encoder, ReadOnlySpan<byte>.Empty, outBuf, output, final: true);
        output.Flush();
    }

    private static void Pump(BrotliEncoder encoder, ReadOnlySpan<byte> src, byte[] outBuf, Stream output, bool final)
    {
        while (true)
        {
            var status = encoder.Compress(src, outBuf, out int consumed, out int written, final);
            output.Write(outBuf, 0, written);
            src = src[consumed..];
            if (status == System.Buffers.OperationStatus.Done && src.IsEmpty)
            {
                return;
            }
            if (status == System.Buffers.OperationStatus.NeedMoreData && src.IsEmpty && !final)
            {
                return;
            }
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                throw new InvalidOperationException("Brotli encoder failed.");
            }
        }
    }

    /// <inheritdoc />
    protected override bool DecoderStopsAtEnd => true;

    /// <inheritdoc />
    protected override Stream CreateDecompressor(Stream input) => new BrotliStream(input, CompressionMode.Decompress, leaveOpen: true);
}

/// <summary>Zstandard via ZstdSharp (a managed port of the reference library). Level 19, or level 22 with a 2^27 long window.</summary>
public sealed class ZstdCodec : StreamCodec
{
    private readonly int _level;
    private readonly bool _long;

    /// <summary>Creates a zstd codec at <paramref name="level"/> (1–22); <paramref name="longWindow"/> enables long-distance matching with a 2^27 window.</summary>
    public ZstdCodec(int level = 19, bool longWindow = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 22);
        _level = level;
        _long = longWindow;
    }

    /// <inheritdoc />
    public override string Name => _long ? $"zstd-{_level}-long" : $"zstd-{_level}";

    /// <inheritdoc />
    public override long? WindowBytes => _long ? 1L << 27 : _level >= 19 ? 1L << 23 : 1L << 21;

    /// <inheritdoc />
    protected override IEnumerable<string> DecoderFiles() => [DecompressorSize.AssemblyFile(typeof(Decompressor))];

    /// <inheritdoc />
    protected override Stream CreateCompressor(Stream output) => CreateCompressor(output, null);

    /// <summary>
    /// With a known input length the size is pledged, so zstd sizes its tables (and window) to the input instead of
    /// allocating for 2^27 bytes (level 22 would otherwise cost about a second per call, even for a few bytes).
    /// </summary>
    protected override Stream CreateCompressor(Stream output, long? inputLength)
    {
        var s = new CompressionStream(output, _level, 1 << 17, leaveOpen: true);
        if (_long)
        {
            s.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_enableLongDistanceMatching, 1);
            s.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, 27);
        }
        if (inputLength is long n)
        {
            s.SetPledgedSrcSize((ulong)n);
        }
        return s;
    }

    /// <inheritdoc />
    protected override Stream CreateDecompressor(Stream input)
    {
        var s = new DecompressionStream(input, 1 << 17, checkEndOfStream: true, leaveOpen: true);
        s.SetParameter(ZstdSharp.Unsafe.ZSTD_dParameter.ZSTD_d_windowLogMax, 27);
        return s;
    }
}

/// <summary>
/// LZMA (the algorithm of xz and 7-Zip) via SharpCompress: 64 MiB dictionary, 273 fast bytes (as xz -9e).
/// Stream layout: 5 property bytes, then the LZMA stream with an end marker.
/// </summary>
public sealed class LzmaCodec : StreamCodec
{
    private const int Dictionary = 64 << 20;

    /// <inheritdoc />
    public override string Name => "lzma";

    /// <inheritdoc />
    public override long? WindowBytes => Dictionary;

    /// <inheritdoc />
    protected override IEnumerable<string> DecoderFiles() => [DecompressorSize.AssemblyFile(typeof(LzmaStream))];

    /// <inheritdoc />
    protected override Stream CreateCompressor(Stream output)
    {
        var z = LzmaStream.Create(new LzmaEncoderProperties(eos: true, Dictionary, 273), false, output);
        output.Write(z.Properties);
        return new NonClosingWrapper(z);
    }

    /// <inheritdoc />
    protected override bool DecoderStopsAtEnd => true;

    /// <inheritdoc />
    protected override Stream CreateDecompressor(Stream input)
    {
        var props = new byte[5];
        input.ReadExactly(props);
        return LzmaStream.Create(props, input, -1, -1, leaveOpen: true);
    }

    /// <summary>LzmaStream writes its end marker on Dispose; this wrapper just forwards.</summary>
    private sealed class NonClosingWrapper(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>bzip2 at block size 900 kB via SharpCompress (blocks are independent: the window is one block).</summary>
public sealed class Bzip2Codec : StreamCodec
{
    /// <inheritdoc />
    public override string Name => "bzip2";

    /// <inheritdoc />
    public override long? WindowBytes => 900_000;

    /// <inheritdoc />
    protected override IEnumerable<string> DecoderFiles() => [DecompressorSize.AssemblyFile(typeof(BZip2Stream))];

    /// <inheritdoc />
    protected override Stream CreateCompressor(Stream output) =>
        BZip2Stream.Create(output, SharpCompress.Compressors.CompressionMode.Compress, false, leaveOpen: true, false);

    /// <inheritdoc />
    protected override Stream CreateDecompressor(Stream input) =>
        BZip2Stream.Create(input, SharpCompress.Compressors.CompressionMode.Decompress, true, leaveOpen: true, false);
}

/// <summary>The standard panel: every classical compressor Kolmo compares against, in-process.</summary>
public static class StandardPanel
{
    /// <summary>Creates all panel members: deflate, gzip, brotli, zstd-19, zstd-22-long, lzma, bzip2.</summary>
    public static IReadOnlyList<ICompressor> Create() =>
    [
        new DeflateCodec(),
        new GzipCodec(),
        new BrotliCodec(),
        new ZstdCodec(19),
        new ZstdCodec(22, longWindow: true),
        new LzmaCodec(),
        new Bzip2Codec(),
    ];
}
