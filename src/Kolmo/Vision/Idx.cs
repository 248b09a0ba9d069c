using System.Buffers.Binary;
using System.IO.Compression;

namespace Kolmo.Vision;

/// <summary>
/// Reader and writer for the IDX format of MNIST and Fashion-MNIST (LeCun et al.), raw or gzip-compressed.
/// <para>Layout (all integers big-endian):</para>
/// <code>
/// offset  size  field
/// 0       2     zero (must be 0x0000)
/// 2       1     element type: 0x08 = unsigned byte (the only type accepted here)
/// 3       1     number of dimensions D (1 for labels, 3 for images)
/// 4       4·D   size of each dimension (int32, ≥ 0; images: N, rows, cols)
/// 4+4·D   …     the data, row-major, one byte per element; nothing may follow it
/// </code>
/// A file is treated as gzip when it starts with the gzip magic 0x1F 0x8B, otherwise as raw IDX.
/// </summary>
public static class Idx
{
    /// <summary>Magic of an IDX3 unsigned-byte image file (0x00000803).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic of an IDX1 unsigned-byte label file (0x00000801).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Largest accepted data size (1 GiB): guards against absurd sizes in corrupt headers.</summary>
    public const long MaxDataBytes = 1L << 30;

    /// <summary>Reads an image file (IDX3, unsigned bytes) from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid IDX3 image file.</exception>
    public static ImageSet ReadImages(string path)
    {
        using var s = File.OpenRead(path);
        return ReadImages(s, path);
    }

    /// <summary>Reads a label file (IDX1, unsigned bytes) from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid IDX1 label file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var s = File.OpenRead(path);
        return ReadLabels(s, path);
    }

    /// <summary>Reads an image file (IDX3, unsigned bytes) from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">The data is not a valid IDX3 image file.</exception>
    public static ImageSet ReadImages(Stream stream, string name = "input")
    {
        var (dims, data) = Read(stream, name, 3);
        if (dims[1] == 0 || dims[2] == 0)
        {
            throw new InvalidDataException($"{name}: image size {dims[1]}x{dims[2]} is empty.");
        }
        return new ImageSet(dims[0], dims[1], dims[2], data);
    }

    /// <summary>Reads a label file (IDX1, unsigned bytes) from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">The data is not a valid IDX1 label file.</exception>
    public static byte[] ReadLabels(Stream stream, string name = "input") => Read(stream, name, 1).Data;

    /// <summary>Reads images and labels and checks that their counts match.</summary>
    /// <exception cref="InvalidDataException">A file is invalid, or the counts differ.</exception>
    public static ImageSet ReadLabelled(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
        {
            throw new InvalidDataException($"{labelsPath} has {labels.Length} labels but {imagesPath} has {images.Count} images.");
        }
        return images.WithLabels(labels);
    }

    /// <summary>Writes <paramref name="images"/> as a raw (uncompressed) IDX3 file.</summary>
    public static void WriteImages(Stream output, ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(images);
        WriteHeader(output, ImagesMagic, [images.Count, images.Rows, images.Cols]);
        output.Write(images.Pixels);
    }

    /// <summary>Writes <paramref name="labels"/> as a raw (uncompressed) IDX1 file.</summary>
    public static void WriteLabels(Stream output, ReadOnlySpan<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(output, LabelsMagic, [labels.Length]);
        output.Write(labels);
    }

    private static void WriteHeader(Stream output, int magic, int[] dims)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        output.Write(b);
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            output.Write(b);
        }
    }

    private static (int[] Dims, byte[] Data) Read(Stream stream, string name, int expectedDims)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffered = new BufferedStream(stream, 1 << 16);
        int b0 = buffered.ReadByte();
        int b1 = buffered.ReadByte();
        if (b0 < 0 || b1 < 0)
        {
            throw new InvalidDataException($"{name}: empty or truncated IDX header (need at least 4 bytes).");
        }
        Stream body;
        var prefix = new byte[] { (byte)b0, (byte)b1 };
        if (b0 == 0x1F && b1 == 0x8B)
        {
            body = new GZipStream(new PrefixedStream(prefix, buffered), CompressionMode.Decompress);
        }
        else
        {
            body = new PrefixedStream(prefix, buffered);
        }
        try
        {
            return ReadBody(body, name, expectedDims);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: corrupt gzip data ({e.Message})", e);
        }
        finally
        {
            body.Dispose();
        }
    }

    private static (int[] Dims, byte[] Data) ReadBody(Stream s, string name, int expectedDims)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(s, magic, name, 0, "header");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException($"{name}: not an IDX file (magic 0x{BinaryPrimitives.ReadInt32BigEndian(magic):X8} at offset 0; expected 0x{(expectedDims == 3 ? ImagesMagic : LabelsMagic):X8}).");
        }
        if (magic[2] != 0x08)
        {
            throw new InvalidDataException($"{name}: IDX element type 0x{magic[2]:X2} at offset 2 is not supported (only 0x08, unsigned byte).");
        }
        if (magic[3] != expectedDims)
        {
            string what = expectedDims == 3 ? "an image file (3 dimensions)" : "a label file (1 dimension)";
            throw new InvalidDataException($"{name}: IDX file has {magic[3]} dimensions at offset 3; expected {what}.");
        }
        var dims = new int[expectedDims];
        Span<byte> b = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < expectedDims; i++)
        {
            ReadExactly(s, b, name, 4 + 4 * i, "header");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(b);
            if (dims[i] < 0)
            {
                throw new InvalidDataException($"{name}: negative dimension {dims[i]} at offset {4 + 4 * i}.");
            }
            total *= dims[i];
            if (total > MaxDataBytes)
            {
                throw new InvalidDataException($"{name}: dimensions {string.Join('x', dims[..(i + 1)])} exceed {MaxDataBytes} bytes (corrupt header?).");
            }
        }
        long headerBytes = 4 + 4 * expectedDims;
        var (data, read) = ReadUpTo(s, (int)total);
        if (read < total)
        {
            throw new InvalidDataException($"{name}: truncated: header announces {total} data bytes but the data ends at offset {headerBytes + read}.");
        }
        if (s.ReadByte() >= 0)
        {
            throw new InvalidDataException($"{name}: unexpected bytes after the {total} data bytes announced by the header (offset {headerBytes + total}).");
        }
        return (dims, data);
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes into a buffer that grows (doubling) as bytes arrive, so a header
    /// announcing a gigabyte costs memory in proportion to the bytes actually present, not to the claim.
    /// </summary>
    private static (byte[] Data, int Read) ReadUpTo(Stream s, int count)
    {
        var buf = new byte[Math.Min(count, 1 << 16)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buf.Length)
            {
                Array.Resize(ref buf, (int)Math.Min(count, 2L * buf.Length));
            }
            int n = s.Read(buf, filled, buf.Length - filled);
            if (n <= 0)
            {
                return (buf, filled);   // short: the caller refuses it
            }
            filled += n;
        }
        return (buf, filled);
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string name, long offset, string what)
    {
        int read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"{name}: truncated IDX {what} at offset {offset + read}.");
        }
    }

    /// <summary>A read-only stream that yields a few already-consumed bytes before the rest of the inner stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length && buffer.Length > 0)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
