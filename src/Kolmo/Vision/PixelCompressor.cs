using Kolmo.Coding;

namespace Kolmo.Vision;

/// <summary>
/// Lossless image coding with a next-pixel model: each pixel token is range-coded under the AR model's distribution
/// over the K palette tokens (the special token's probability renormalised away), quantised with
/// <see cref="FrequencyTable.FromProbabilities"/>.
/// <para>Stream: the range coder's bytes only; the caller knows the image count and size.</para>
/// <para>Encoder and decoder drive the same <see cref="INextTokenPredictor"/> through one code path
/// (<see cref="Run"/>): reset, feed the start token, then for each pixel: distribution → code → feed the pixel.
/// The predictor is deterministic, so both sides see bit-identical frequencies.</para>
/// </summary>
public sealed class PixelCompressor
{
    private readonly ITokenTransformer _model;
    private readonly PixelObjective _objective;
    private readonly float[] _probabilities;
    private readonly uint[] _frequencies;

    /// <summary>Wraps a causal (AR) model.</summary>
    /// <exception cref="ArgumentException">The objective is not autoregressive or the model is not causal.</exception>
    public PixelCompressor(ITokenTransformer model, PixelObjective objective)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        if (objective.Kind != Objective.Autoregressive || !model.Causal)
        {
            throw new ArgumentException("only a causal next-pixel model can drive the coder.", nameof(model));
        }
        _model = model;
        _objective = objective;
        _probabilities = new float[objective.PaletteSize];
        _frequencies = new uint[objective.PaletteSize];
    }

    /// <summary>Compresses <paramref name="images"/> images of T tokens each; returns the bytes and the model's ideal bits (−Σ log2 p, before quantisation).</summary>
    public (byte[] Bytes, double ModelBits) Compress(ReadOnlySpan<byte> tokens, int images)
    {
        int t = _model.Context;
        if (tokens.Length != images * t)
        {
            throw new ArgumentException($"{tokens.Length} tokens are not {images} images of {t}.", nameof(tokens));
        }
        var output = new MemoryStream();
        var encoder = new RangeEncoder(output);
        var copy = tokens.ToArray();
        double bits = Run(encoder, copy, images);
        encoder.Flush();
        return (output.ToArray(), bits);
    }

    /// <summary>Decodes <paramref name="images"/> images from <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The data is truncated.</exception>
    public byte[] Decompress(byte[] bytes, int images)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var decoder = new RangeDecoder(new MemoryStream(bytes), bytes.Length);
        var result = new byte[images * _model.Context];
        Run(decoder, result, images);
        return result;
    }

    /// <summary>The shared encode/decode path: codes (or fills in) every token of <paramref name="tokens"/>.</summary>
    private double Run(ISymbolCoder coder, byte[] tokens, int images)
    {
        int t = _model.Context, k = _objective.PaletteSize;
        var predictor = _model.CreatePredictor();
        double bits = 0;
        for (int n = 0; n < images; n++)
        {
            predictor.Reset();
            predictor.Update(_objective.SpecialToken);
            for (int i = 0; i < t; i++)
            {
                var p = predictor.Probabilities;
                float z = 0;
                for (int v = 0; v < k; v++)
                {
                    z += p[v];
                }
                for (int v = 0; v < k; v++)
                {
                    _probabilities[v] = p[v] / z;
                }
                FrequencyTable.FromProbabilities(_probabilities, _frequencies);
                int s = coder.Code(tokens[n * t + i], _frequencies, RangeEncoder.MaxTotal);
                tokens[n * t + i] = (byte)s;
                bits -= Math.Log2(Math.Max(_probabilities[s], 1e-30f));
                if (i + 1 < t)
                {
                    predictor.Update(s);
                }
            }
        }
        return bits;
    }
}

/// <summary>
/// Classic coders on the same pixel tokens (one byte per pixel), for the compression comparison:
/// deflate and lzma (panel), Kolmo's context-mixing byte model <c>cm</c> (ideal code length, no container), and an
/// adaptive image context model — counts of the next token given its (left, above) neighbours, range-coded.
/// </summary>
public static class PixelBaselines
{
    /// <summary>Bits per pixel of each baseline on <paramref name="tokens"/> (images of <paramref name="rows"/>×<paramref name="cols"/>).</summary>
    public static IReadOnlyDictionary<string, double> Measure(byte[] tokens, int rows, int cols, int paletteSize)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        double n = tokens.Length;
        var result = new Dictionary<string, double>
        {
            ["deflate"] = new Kolmo.Compression.Panel.DeflateCodec().CompressedBits(tokens) / n,
            ["lzma"] = new Kolmo.Compression.Panel.LzmaCodec().CompressedBits(tokens) / n,
            ["cm (ideal code length)"] = new Kolmo.Compression.ModelCompressor("cm").CompressedBits(tokens) / n,
        };
        var coded = ContextPixelCoder.Encode(tokens, rows, cols, paletteSize);
        var back = ContextPixelCoder.Decode(coded, tokens.Length / (rows * cols), rows, cols, paletteSize);
        if (!back.AsSpan().SequenceEqual(tokens))
        {
            throw new InvalidOperationException("context coder round trip failed.");
        }
        result["adaptive (left, above) context model"] = coded.Length * 8.0 / n;
        return result;
    }
}

/// <summary>
/// Adaptive context model for pixel tokens: context = (left token, above token) (out-of-image neighbours are 0),
/// K² contexts × K counts, each count starting at 1 and incremented by 32 per occurrence; all counts of a context
/// are halved (rounding up) when its total would exceed <see cref="RangeEncoder.MaxTotal"/>. Integer arithmetic only,
/// so it is deterministic. Memory: 4·K³ bytes. Images are coded one after the other; the counts carry over (the model keeps learning).
/// </summary>
public static class ContextPixelCoder
{
    private const uint Increment = 32;

    /// <summary>Encodes the tokens; returns the range-coder bytes.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> tokens, int rows, int cols, int k)
    {
        var output = new MemoryStream();
        var enc = new RangeEncoder(output);
        Run(enc, tokens.ToArray(), rows, cols, k, tokens.Length / (rows * cols));
        enc.Flush();
        return output.ToArray();
    }

    /// <summary>Decodes <paramref name="images"/> images.</summary>
    public static byte[] Decode(byte[] bytes, int images, int rows, int cols, int k)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var tokens = new byte[images * rows * cols];
        var dec = new RangeDecoder(new MemoryStream(bytes), bytes.Length);
        Run(dec, tokens, rows, cols, k, images);
        return tokens;
    }

    private static void Run(ISymbolCoder coder, byte[] tokens, int rows, int cols, int k, int images)
    {
        var counts = new uint[k * k * k];
        var totals = new uint[k * k];
        Array.Fill(counts, 1u);
        Array.Fill(totals, (uint)k);
        for (int n = 0; n < images; n++)
        {
            int b = n * rows * cols;
            for (int y = 0; y < rows; y++)
            {
                for (int x = 0; x < cols; x++)
                {
                    int left = x > 0 ? tokens[b + y * cols + x - 1] : 0;
                    int above = y > 0 ? tokens[b + (y - 1) * cols + x] : 0;
                    int ctx = left * k + above;
                    var f = counts.AsSpan(ctx * k, k);
                    int s = coder.Code(tokens[b + y * cols + x], f, totals[ctx]);
                    tokens[b + y * cols + x] = (byte)s;
                    f[s] += Increment;
                    totals[ctx] += Increment;
                    if (totals[ctx] > RangeEncoder.MaxTotal - Increment)
                    {
                        uint total = 0;
                        for (int i = 0; i < k; i++)
                        {
                            f[i] = (f[i] + 1) / 2;
                            total += f[i];
                        }
                        totals[ctx] = total;
                    }
                }
            }
        }
    }
}
