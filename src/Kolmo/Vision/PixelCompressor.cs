using Kolmo.Coding;

namespace Kolmo.Vision;

/// <summary>
/// Lossless image coding with a next-pixel model: each pixel token is range-coded under the AR model's softmax
/// over the K palette tokens, quantised with <see cref="FrequencyTable.FromProbabilities"/>.
/// <para>Stream: the range coder's bytes only; the caller knows the image count and size.</para>
/// <para>Encoder and decoder run the model on the same [1, T] input buffer: the encoder once on the whole image,
/// the decoder once per pixel with the not-yet-decoded positions set to 0. With causal attention, position t's
/// logits depend only on inputs ≤ t, and the engine's kernels compute each row in a fixed order independent of
/// the other rows, so both sides see bit-identical probabilities. The decoder costs T forward passes per image.</para>
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
        var input = new int[t];
        double bits = 0;
        for (int n = 0; n < images; n++)
        {
            var seq = tokens.Slice(n * t, t);
            input[0] = _objective.SpecialToken;
            for (int i = 1; i < t; i++)
            {
                input[i] = seq[i - 1];
            }
            var logits = _model.Forward(input, 1);
            for (int i = 0; i < t; i++)
            {
                Distribution(logits, i);
                bits -= Math.Log2(_probabilities[seq[i]]);
                encoder.Code(seq[i], _frequencies, RangeEncoder.MaxTotal);
            }
        }
        encoder.Flush();
        return (output.ToArray(), bits);
    }

    /// <summary>Decodes the first <paramref name="decode"/> of the <paramref name="images"/> images in <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The data is truncated.</exception>
    public byte[] Decompress(byte[] bytes, int images, int decode)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decode, images);
        int t = _model.Context;
        var decoder = new RangeDecoder(new MemoryStream(bytes), bytes.Length);
        var result = new byte[decode * t];
        var input = new int[t];
        for (int n = 0; n < decode; n++)
        {
            Array.Clear(input);
            input[0] = _objective.SpecialToken;
            for (int i = 0; i < t; i++)
            {
                var logits = _model.Forward(input, 1);
                Distribution(logits, i);
                int s = decoder.Code(0, _frequencies, RangeEncoder.MaxTotal);
                result[n * t + i] = (byte)s;
                if (i + 1 < t)
                {
                    input[i + 1] = s;
                }
            }
        }
        return result;
    }

    /// <summary>Softmax over the K palette logits at position <paramref name="position"/> (float, fixed order) and its frequency table.</summary>
    private void Distribution(ReadOnlySpan<float> logits, int position)
    {
        int k = _objective.PaletteSize;
        var row = logits.Slice(position * _objective.Vocabulary, k);
        float max = float.NegativeInfinity;
        for (int i = 0; i < k; i++)
        {
            max = Math.Max(max, row[i]);
        }
        float sum = 0;
        for (int i = 0; i < k; i++)
        {
            _probabilities[i] = MathF.Exp(row[i] - max);
            sum += _probabilities[i];
        }
        for (int i = 0; i < k; i++)
        {
            _probabilities[i] /= sum;
        }
        FrequencyTable.FromProbabilities(_probabilities, _frequencies);
    }
}

/// <summary>
/// Classic coders on the same pixel tokens (one byte per pixel), for the compression comparison:
/// deflate (panel), and an adaptive context model — counts of the next token given (left, above) neighbours,
/// range-coded — which is the strongest simple adaptive model on images available here.
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
