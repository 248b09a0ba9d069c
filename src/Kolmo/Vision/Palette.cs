namespace Kolmo.Vision;

/// <summary>
/// An intensity palette: maps a grey level 0..255 to a token 0..<see cref="Size"/>−1 (nearest palette level)
/// and a token back to its level. iGPT (Chen et al. 2020) clusters RGB pixels with k-means into a 9-bit palette;
/// for greyscale the same idea is a 1-D k-means over intensities (<see cref="KMeans"/>), beside plain uniform
/// levels (<see cref="Uniform"/>). Levels are strictly increasing; ties between two levels go to the lower one.
/// Everything is integer or fixed-order double arithmetic, so a palette is identical on every machine.
/// </summary>
public sealed class Palette
{
    private readonly byte[] _levels;
    private readonly byte[] _lookup = new byte[256];

    private Palette(byte[] levels)
    {
        _levels = levels;
        int t = 0;
        for (int v = 0; v < 256; v++)
        {
            while (t + 1 < levels.Length && Math.Abs(levels[t + 1] - v) < Math.Abs(levels[t] - v))
            {
                t++;
            }
            _lookup[v] = (byte)t;
        }
    }

    /// <summary>Number of tokens (palette entries).</summary>
    public int Size => _levels.Length;

    /// <summary>The grey level of each token, strictly increasing.</summary>
    public ReadOnlySpan<byte> Levels => _levels;

    /// <summary>Creates a palette from explicit levels (sorted and de-duplicated).</summary>
    /// <exception cref="ArgumentException">No levels, or more than 256.</exception>
    public static Palette FromLevels(IEnumerable<byte> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var sorted = levels.Distinct().Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A palette needs at least one level.", nameof(levels));
        }
        return new Palette(sorted);
    }

    /// <summary><paramref name="k"/> evenly spaced levels round(i·255/(k−1)), i = 0..k−1 (2 ≤ k ≤ 256).</summary>
    public static Palette Uniform(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, 256);
        var levels = new byte[k];
        for (int i = 0; i < k; i++)
        {
            levels[i] = (byte)((i * 255 + (k - 1) / 2) / (k - 1));
        }
        return new Palette(levels);
    }

    /// <summary>
    /// 1-D k-means (Lloyd) over the intensity histogram of <paramref name="pixels"/>, <paramref name="k"/> clusters,
    /// initialised at the histogram's quantiles (i + ½)/k, at most <paramref name="iterations"/> rounds.
    /// Centroids are rounded to grey levels; coinciding levels merge, so <see cref="Size"/> can be below k.
    /// </summary>
    public static Palette KMeans(ReadOnlySpan<byte> pixels, int k, int iterations = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, 256);
        if (pixels.IsEmpty)
        {
            throw new ArgumentException("k-means needs pixels.", nameof(pixels));
        }
        var hist = new long[256];
        foreach (byte p in pixels)
        {
            hist[p]++;
        }
        int distinct = hist.Count(h => h > 0);
        if (distinct <= k)
        {
            // Every grey level that occurs gets its own token: the palette is lossless on this data.
            return new Palette(Enumerable.Range(0, 256).Where(v => hist[v] > 0).Select(v => (byte)v).ToArray());
        }
        long total = pixels.Length;
        var centroids = new double[k];
        long cum = 0;
        int level = 0;
        for (int i = 0; i < k; i++)
        {
            long target = (long)((i + 0.5) / k * total);
            while (level < 255 && cum + hist[level] <= target)
            {
                cum += hist[level];
                level++;
            }
            centroids[i] = level;
        }
        // Spread coinciding initial centroids (a mass at 0 puts several quantiles on the same level).
        for (int i = 1; i < k; i++)
        {
            if (centroids[i] <= centroids[i - 1])
            {
                centroids[i] = centroids[i - 1] + 1;
            }
        }
        for (int i = k - 1; i >= 0 && centroids[i] > 255 - (k - 1 - i); i--)
        {
            centroids[i] = 255 - (k - 1 - i);
        }
        var sum = new double[k];
        var count = new long[k];
        for (int it = 0; it < iterations; it++)
        {
            Array.Clear(sum);
            Array.Clear(count);
            int c = 0;
            for (int v = 0; v < 256; v++)
            {
                // centroids stay sorted, so the nearest one moves monotonically with v
                while (c + 1 < k && Math.Abs(centroids[c + 1] - v) < Math.Abs(centroids[c] - v))
                {
                    c++;
                }
                sum[c] += (double)hist[v] * v;
                count[c] += hist[v];
            }
            bool changed = false;
            for (int i = 0; i < k; i++)
            {
                if (count[i] > 0)
                {
                    double next = sum[i] / count[i];
                    changed |= next != centroids[i];
                    centroids[i] = next;
                }
            }
            if (!changed)
            {
                break;
            }
        }
        return FromLevels(centroids.Select(x => (byte)Math.Clamp((int)Math.Round(x, MidpointRounding.AwayFromZero), 0, 255)));
    }

    /// <summary>The token of grey level <paramref name="value"/> (nearest level).</summary>
    public int Encode(byte value) => _lookup[value];

    /// <summary>The grey level of <paramref name="token"/>.</summary>
    public byte Decode(int token) => _levels[token];

    /// <summary>Tokenises every pixel of <paramref name="images"/> in raster order: result [N·H·W].</summary>
    public byte[] Tokenize(ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var tokens = new byte[images.Pixels.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = _lookup[images.Pixels[i]];
        }
        return tokens;
    }

    /// <summary>Maps tokens [N·H·W] back to grey levels as an image set of <paramref name="count"/> images of <paramref name="rows"/>×<paramref name="cols"/>.</summary>
    public ImageSet Detokenize(ReadOnlySpan<byte> tokens, int count, int rows, int cols)
    {
        var pixels = new byte[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            pixels[i] = _levels[tokens[i]];
        }
        return new ImageSet(count, rows, cols, pixels);
    }
}
