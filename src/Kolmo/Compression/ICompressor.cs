namespace Kolmo.Compression;

/// <summary>
/// A lossless compressor. Every compressor in Kolmo — model-based or from the standard panel — sits behind this
/// interface, so every information measure works with any of them.
/// </summary>
public interface ICompressor
{
    /// <summary>Short name used on the command line and in tables, e.g. <c>cm</c>, <c>zstd-19</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Largest distance (bytes) over which the compressor can exploit repetition: gzip/deflate 32 KiB, bzip2
    /// 900 kB blocks, brotli 16 MiB window; <c>null</c> when unbounded (adaptive models see the whole input).
    /// Past it, C(xx) ≈ 2·C(x) and NCD(x, x) drifts away from 0.
    /// </summary>
    long? WindowBytes { get; }

    /// <summary>
    /// Size in bytes of this compressor's decompressor, for Kolmogorov upper bounds K(x) ≤ |C(x)| + |D|.
    /// How it is measured is documented by each implementation (and in docs/THEORY.md).
    /// </summary>
    long DecompressorBytes { get; }

    /// <summary>Compresses all of <paramref name="input"/> to <paramref name="output"/> (both left open).</summary>
    void Compress(Stream input, Stream output);

    /// <summary>Decompresses all of <paramref name="input"/> to <paramref name="output"/> (both left open).</summary>
    /// <exception cref="InvalidDataException">The input is corrupt or truncated.</exception>
    void Decompress(Stream input, Stream output);

    /// <summary>Compressed size of <paramref name="data"/> in bits (actual output, 8 × bytes, for byte-producing codecs).</summary>
    double CompressedBits(ReadOnlySpan<byte> data);
}
