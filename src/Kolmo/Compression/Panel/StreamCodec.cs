using System.Runtime.InteropServices;

namespace Kolmo.Compression.Panel;

/// <summary>
/// Base of the standard panel: a codec described by a pair of stream wrappers (compressing writer,
/// decompressing reader). <see cref="ICompressor.CompressedBits"/> compresses into a counting sink, so
/// code-length queries write no bytes anywhere.
/// </summary>
public abstract class StreamCodec : ICompressor
{
    private long _decompressorBytes = -1;

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract long? WindowBytes { get; }

    /// <summary>
    /// Size of the decompressor: the deflate-compressed size of the files that implement this codec's
    /// decoder (the managed assembly, plus the native library where the codec lives there), measured once
    /// at run time. See docs/THEORY.md, "Kolmogorov upper bounds".
    /// </summary>
    public long DecompressorBytes => _decompressorBytes >= 0 ? _decompressorBytes : _decompressorBytes = DecompressorSize.Measure(DecoderFiles());

    /// <summary>Files whose compressed size is this codec's description length.</summary>
    protected abstract IEnumerable<string> DecoderFiles();

    /// <summary>Wraps <paramref name="output"/> in a compressing stream that leaves it open.</summary>
    protected abstract Stream CreateCompressor(Stream output);

    /// <summary>
    /// As <see cref="CreateCompressor(Stream)"/>, told the exact input length when it is known (a seekable input, or
    /// <see cref="CompressedBits"/>) so codecs can size their tables to the input.
    /// </summary>
    protected virtual Stream CreateCompressor(Stream output, long? inputLength) => CreateCompressor(output);

    /// <summary>Wraps <paramref name="input"/> in a decompressing stream that leaves it open.</summary>
    protected abstract Stream CreateDecompressor(Stream input);

    /// <summary>
    /// The complete compressed stream of an empty input, for codecs whose library writes nothing at all for one
    /// (an empty file is not a valid deflate or gzip stream); null when the library's own output is valid.
    /// </summary>
    protected virtual byte[]? EmptyEncoding => null;

    /// <summary>
    /// True when this codec's decoder stops reading at the end of its format, so that a request for input after the
    /// last byte means the data was truncated (checked by <see cref="Decompress"/>). Decoders that read ahead to the
    /// end of their input (zlib, zstd, bzip2) leave it false and detect truncation in their own way, if at all.
    /// </summary>
    protected virtual bool DecoderStopsAtEnd => false;

    /// <inheritdoc />
    public virtual void Compress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new byte[1 << 16];
        int n = input.Read(buffer, 0, buffer.Length);
        if (n == 0 && EmptyEncoding is { } empty)
        {
            output.Write(empty);
            output.Flush();
            return;
        }
        long? length = input.CanSeek ? input.Length - input.Position + n : null;
        using (var z = CreateCompressor(output, length))
        {
            while (n > 0)
            {
                z.Write(buffer, 0, n);
                n = input.Read(buffer, 0, buffer.Length);
            }
        }
        output.Flush();
    }

    /// <inheritdoc />
    public virtual void Decompress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        int first = input.ReadByte();
        if (first < 0)
        {
            throw new InvalidDataException($"{Name}: the compressed input is empty");
        }
        var probe = new PrefixedStream((byte)first, input);
        try
        {
            using (var z = CreateDecompressor(probe))
            {
                z.CopyTo(output, 1 << 16);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{Name}: compressed data is truncated", e);
        }
        catch (Exception e) when (e is not InvalidDataException and not IOException and not OutOfMemoryException)
        {
            // Third-party decoders signal corrupt input with assorted exception types; normalise them.
            throw new InvalidDataException($"{Name}: corrupt compressed data ({e.GetType().Name}: {e.Message})", e);
        }
        if (probe.ReadPastEnd && DecoderStopsAtEnd)
        {
            // The decoder asked for more input after the last byte: its stream ended before the format's end
            // (decoders that stop at the format's end never read past it; see PrefixedStream).
            throw new InvalidDataException($"{Name}: compressed data is truncated");
        }
    }

    /// <inheritdoc />
    public double CompressedBits(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty && EmptyEncoding is { } empty)
        {
            return 8.0 * empty.Length;
        }
        var sink = new CountingStream();
        using (var z = CreateCompressor(sink, data.Length))
        {
            z.Write(data);
        }
        return 8.0 * sink.Length;
    }
}

/// <summary>
/// A read-only stream: one byte already read from <paramref name="rest"/>, then the rest of it. Records whether a
/// reader asked for bytes after the end (<see cref="ReadPastEnd"/>): a decoder that needs more input than there is
/// was given a truncated stream, while one that reaches its format's end stops reading.
/// </summary>
internal sealed class PrefixedStream(byte first, Stream rest) : Stream
{
    private bool _firstDone;

    public bool ReadPastEnd { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (!_firstDone)
        {
            _firstDone = true;
            buffer[0] = first;
            return 1;
        }
        int n = rest.Read(buffer);
        ReadPastEnd |= n == 0;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A write-only stream that discards bytes and counts them.</summary>
public sealed class CountingStream : Stream
{
    private long _length;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => _length += count;

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

    /// <inheritdoc />
    public override void WriteByte(byte value) => _length++;
}

/// <summary>Measures description lengths of decompressors from the files that implement them.</summary>
public static class DecompressorSize
{
    /// <summary>Sum over existing <paramref name="files"/> of their raw-deflate (level 9) compressed size.</summary>
    public static long Measure(IEnumerable<string> files)
    {
        long total = 0;
        foreach (var f in files.Distinct())
        {
            if (string.IsNullOrEmpty(f) || !File.Exists(f))
            {
                continue;
            }
            var sink = new CountingStream();
            using (var z = new System.IO.Compression.DeflateStream(sink, new System.IO.Compression.ZLibCompressionOptions { CompressionLevel = 9 }, leaveOpen: true))
            using (var src = File.OpenRead(f))
            {
                src.CopyTo(z);
            }
            total += sink.Length;
        }
        return total;
    }

    /// <summary>The file an assembly was loaded from.</summary>
    public static string AssemblyFile(Type t) => t.Assembly.Location;

    /// <summary>The path of a native library shipped with the runtime (e.g. <c>libSystem.IO.Compression.Native.so</c>).</summary>
    public static string RuntimeNativeFile(string baseName)
    {
        string dir = RuntimeEnvironment.GetRuntimeDirectory();
        string name = OperatingSystem.IsWindows() ? baseName + ".dll" : OperatingSystem.IsMacOS() ? "lib" + baseName + ".dylib" : "lib" + baseName + ".so";
        return Path.Combine(dir, name);
    }
}
