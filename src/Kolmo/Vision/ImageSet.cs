namespace Kolmo.Vision;

/// <summary>
/// A set of equally sized greyscale images, stored row-major, one byte per pixel (0 = background, 255 = ink),
/// optionally with one class label per image.
/// Shapes: <see cref="Pixels"/> is [N, H, W] flattened.
/// </summary>
public sealed class ImageSet
{
    /// <summary>Creates an image set over <paramref name="pixels"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The pixel or label count does not match the shape.</exception>
    public ImageSet(int count, int rows, int cols, byte[] pixels, byte[]? labels = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if ((long)count * rows * cols != pixels.Length)
        {
            throw new ArgumentException($"{pixels.Length} pixels do not make {count} images of {rows}x{cols}.", nameof(pixels));
        }
        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"{labels.Length} labels for {count} images.", nameof(labels));
        }
        Count = count;
        Rows = rows;
        Cols = cols;
        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>Number of images (N).</summary>
    public int Count { get; }

    /// <summary>Image height (H).</summary>
    public int Rows { get; }

    /// <summary>Image width (W).</summary>
    public int Cols { get; }

    /// <summary>Pixels per image (H·W).</summary>
    public int PixelsPerImage => Rows * Cols;

    /// <summary>All pixels, [N, H, W] row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>Class labels [N], or null when the set is unlabelled.</summary>
    public byte[]? Labels { get; }

    /// <summary>The pixels of image <paramref name="index"/> in raster order.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>Returns a copy of images [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public ImageSet Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count, nameof(count));
        int p = PixelsPerImage;
        return new ImageSet(count, Rows, Cols, Pixels.AsSpan(start * p, count * p).ToArray(), Labels?.AsSpan(start, count).ToArray());
    }

    /// <summary>Attaches <paramref name="labels"/> (one per image) and returns the labelled set.</summary>
    public ImageSet WithLabels(byte[] labels) => new(Count, Rows, Cols, Pixels, labels);

    /// <summary>
    /// Downsamples by averaging non-overlapping <paramref name="factor"/>×<paramref name="factor"/> blocks
    /// (integer mean, rounded half up), e.g. 28×28 → 14×14 with factor 2. Exact integer arithmetic.
    /// </summary>
    /// <exception cref="ArgumentException">The size is not a multiple of <paramref name="factor"/>.</exception>
    public ImageSet Downsample(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        if (factor == 1)
        {
            return this;
        }
        if (Rows % factor != 0 || Cols % factor != 0)
        {
            throw new ArgumentException($"{Rows}x{Cols} images cannot be downsampled by {factor}.", nameof(factor));
        }
        int h = Rows / factor, w = Cols / factor, area = factor * factor;
        var output = new byte[Count * h * w];
        for (int n = 0; n < Count; n++)
        {
            int src = n * PixelsPerImage, dst = n * h * w;
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int sum = 0;
                    for (int dy = 0; dy < factor; dy++)
                    {
                        int row = src + (y * factor + dy) * Cols + x * factor;
                        for (int dx = 0; dx < factor; dx++)
                        {
                            sum += Pixels[row + dx];
                        }
                    }
                    output[dst + y * w + x] = (byte)((sum + area / 2) / area);
                }
            }
        }
        return new ImageSet(Count, h, w, output, Labels);
    }
}
