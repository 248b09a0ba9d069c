namespace Kolmo.Vision;

/// <summary>How grey levels become tokens.</summary>
public enum PaletteKind
{
    /// <summary>1-D k-means over the training pixels (iGPT's palette idea, for greyscale).</summary>
    KMeans,

    /// <summary>Evenly spaced levels.</summary>
    Uniform,
}

/// <summary>
/// Images as token sequences: each image downsampled, each pixel mapped to a palette token, raster order
/// (row by row, left to right). Shapes: <see cref="Tokens"/> is [N, T] with T = H·W; <see cref="Labels"/> [N].
/// </summary>
public sealed class PixelTokens
{
    /// <summary>Tokenises <paramref name="images"/> (downsampled by <paramref name="factor"/>) with <paramref name="palette"/>.</summary>
    public PixelTokens(ImageSet images, int factor, Palette palette)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(palette);
        var small = images.Downsample(factor);
        Palette = palette;
        Count = small.Count;
        Rows = small.Rows;
        Cols = small.Cols;
        Tokens = palette.Tokenize(small);
        Labels = small.Labels;
    }

    /// <summary>The palette (vocabulary K = <see cref="Palette"/>.Size).</summary>
    public Palette Palette { get; }

    /// <summary>Number of images (N).</summary>
    public int Count { get; }

    /// <summary>Height after downsampling.</summary>
    public int Rows { get; }

    /// <summary>Width after downsampling.</summary>
    public int Cols { get; }

    /// <summary>Sequence length T = H·W.</summary>
    public int Length => Rows * Cols;

    /// <summary>Tokens [N, T], raster order.</summary>
    public byte[] Tokens { get; }

    /// <summary>Labels [N] or null.</summary>
    public byte[]? Labels { get; }

    /// <summary>The tokens of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Sequence(int index) => Tokens.AsSpan(index * Length, Length);

    /// <summary>Fits a palette of kind <paramref name="kind"/> and size <paramref name="size"/> on <paramref name="images"/> downsampled by <paramref name="factor"/>.</summary>
    public static Palette FitPalette(ImageSet images, int factor, PaletteKind kind, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        return kind == PaletteKind.Uniform ? Palette.Uniform(size) : Palette.KMeans(images.Downsample(factor).Pixels, size);
    }

    /// <summary>Pixels of each image as features in [0, 1] ([N, T] floats), the raw-pixel probe's input (palette levels).</summary>
    public float[] PixelFeatures()
    {
        var x = new float[Tokens.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = Palette.Decode(Tokens[i]) / 255f;
        }
        return x;
    }
}
