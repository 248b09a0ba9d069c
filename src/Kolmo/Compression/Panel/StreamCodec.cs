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

    /// <summary>Wraps <paramref name="input"/> in a decompressing stream that leaves it open.</summary>
    protected abstract Stream CreateDecompressor(Stream input);

    /// <inheritdoc />
    public virtual void Compress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        using (var z = CreateCompressor(output))
        {
            input.CopyTo(z, 1 << 16);
        }
        output.Flush();
    }

    /// <inheritdoc />
    public virtual void Decompress(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            using var z = CreateDecompressor(input);
            z.CopyTo(output, 1 << 16);
        }
        catch (Exception e) when (e is not InvalidDataException and not IOException and not OutOfMemoryException)
        {
            // Third-party decoders signal corrupt input with assorted exception types; normalise them.
            throw new InvalidDataException($"{Name}: corrupt compressed data ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <inheritdoc />
    public double CompressedBits(ReadOnlySpan<byte> data)
    {
        var sink = new CountingStream();
        using (var z = CreateCompressor(sink))
        {
            z.Write(data);
        }
        return 8.0 * sink.Length;
    }
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
