namespace Kolmo.Compression;

/// <summary>
/// One-shot (in-memory) call shapes for every <see cref="ICompressor"/>, after System.IO.Compression's
/// <c>TryCompress(source, destination, out written)</c>: they return false and write nothing when the destination
/// is too small.
/// </summary>
public static class CompressorExtensions
{
    /// <summary>Compresses <paramref name="source"/> into a new array.</summary>
    public static byte[] CompressBytes(this ICompressor compressor, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        var output = new MemoryStream();
        compressor.Compress(new MemoryStream(source.ToArray(), writable: false), output);
        return output.ToArray();
    }

    /// <summary>Decompresses <paramref name="source"/> into a new array.</summary>
    /// <exception cref="InvalidDataException">The input is corrupt or truncated.</exception>
    public static byte[] DecompressBytes(this ICompressor compressor, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        var output = new MemoryStream();
        compressor.Decompress(new MemoryStream(source.ToArray(), writable: false), output);
        return output.ToArray();
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/>. Returns false (and
    /// <paramref name="written"/> = 0, destination untouched) when it does not fit.
    /// </summary>
    public static bool TryCompress(this ICompressor compressor, ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        TryCopy(compressor.CompressBytes(source), destination, out written);

    /// <summary>
    /// Decompresses <paramref name="source"/> into <paramref name="destination"/>. Returns false (and
    /// <paramref name="written"/> = 0, destination untouched) when it does not fit.
    /// </summary>
    /// <exception cref="InvalidDataException">The input is corrupt or truncated.</exception>
    public static bool TryDecompress(this ICompressor compressor, ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        TryCopy(compressor.DecompressBytes(source), destination, out written);

    private static bool TryCopy(byte[] result, Span<byte> destination, out int written)
    {
        if (result.Length > destination.Length)
        {
            written = 0;
            return false;
        }
        result.CopyTo(destination);
        written = result.Length;
        return true;
    }
}
