using Kolmo.Coding;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Prequential (online) coding of a byte string with an <see cref="ISequenceModel"/>, NNCP-style
/// (Bellard 2019; the prequential code of Dawid 1984, Blier &amp; Ollivier 2018):
/// <code>
/// for t = 0 … n−1:
///     p   = model.Predict()                      // distribution over the 256 bytes
///     f   = FrequencyTable.FromProbabilities(p)  // deterministic quantisation, total 2^16
///     x_t = coder.Code(x_t, f)                   // encoder writes, decoder reads
///     model.Observe(x_t)
///     if (t + 1) % block == 0: model.Learn(x[0..t+1], t + 1 − block)
/// </code>
/// Encoder, decoder and the code-length meter run the one loop (<see cref="Run"/>), so the decoder repeats the
/// encoder's training exactly and needs no weights. The cost of byte t is log2(2^16 / f[x_t]) bits, exactly what
/// the range coder pays up to its rounding (&lt; 2^−16 relative per symbol).
/// </summary>
public static class PrequentialCoder
{
    /// <summary>Default number of coded bytes between two calls of <see cref="ISequenceModel.Learn"/>.</summary>
    public const int DefaultBlock = 64;

    private sealed class NullSymbolCoder : ISymbolCoder
    {
        public int Code(int symbol, ReadOnlySpan<uint> frequencies, uint total) => symbol;
    }

    /// <summary>
    /// The shared coding loop. When encoding or metering, <paramref name="data"/> holds the bytes; when decoding it
    /// is filled. <paramref name="perSymbolBits"/>, if not empty, receives the cost of each byte.
    /// </summary>
    /// <returns>Total code length in bits (sum of the per-symbol costs).</returns>
    public static double Run(ISymbolCoder coder, ISequenceModel model, Span<byte> data, int block, Span<double> perSymbolBits = default)
    {
        ArgumentNullException.ThrowIfNull(coder);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        if (!perSymbolBits.IsEmpty)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(perSymbolBits.Length, data.Length, nameof(perSymbolBits));
        }
        Span<float> probs = stackalloc float[256];
        Span<uint> freqs = stackalloc uint[256];
        const uint total = RangeEncoder.MaxTotal;
        double bits = 0;
        for (int t = 0; t < data.Length; t++)
        {
            model.Predict(probs);
            FrequencyTable.FromProbabilities(probs, freqs, total);
            int s = coder.Code(data[t], freqs, total);
            data[t] = (byte)s;
            double cost = Math.Log2((double)total / freqs[s]);
            bits += cost;
            if (!perSymbolBits.IsEmpty)
            {
                perSymbolBits[t] = cost;
            }
            model.Observe((byte)s);
            if ((t + 1) % block == 0)
            {
                model.Learn(data[..(t + 1)], t + 1 - block);
            }
        }
        return bits;
    }

    /// <summary>Range-codes <paramref name="data"/> to <paramref name="output"/> (no header); returns the ideal bits.</summary>
    public static double Encode(ISequenceModel model, ReadOnlySpan<byte> data, Stream output, int block)
    {
        var enc = new RangeEncoder(output);
        double bits = Run(enc, model, data.ToArray(), block);
        enc.Flush();
        return bits;
    }

    /// <summary>Decodes <paramref name="count"/> bytes from the next <paramref name="length"/> bytes of <paramref name="input"/>.</summary>
    /// <exception cref="InvalidDataException">The input is truncated.</exception>
    public static byte[] Decode(ISequenceModel model, Stream input, long length, int count, int block)
    {
        var dec = new RangeDecoder(input, length);
        var data = new byte[count];
        Run(dec, model, data, block);
        return data;
    }

    /// <summary>Prequential code length of <paramref name="data"/> in bits, without producing bytes (trains the model as coding would).</summary>
    public static double Measure(ISequenceModel model, ReadOnlySpan<byte> data, int block, Span<double> perSymbolBits = default)
        => Run(new NullSymbolCoder(), model, data.ToArray(), block, perSymbolBits);

    /// <summary>
    /// Code length of <paramref name="data"/> with the weights frozen (no <see cref="ISequenceModel.Learn"/>), from a
    /// fresh context: the "data given weights" part of a two-part code.
    /// </summary>
    public static double MeasureFrozen(ISequenceModel model, ReadOnlySpan<byte> data)
    {
        bool frozen = model.Frozen;
        model.Frozen = true;
        try
        {
            model.ResetContext();
            double bits = Run(new NullSymbolCoder(), model, data.ToArray(), int.MaxValue);
            model.ResetContext();
            return bits;
        }
        finally
        {
            model.Frozen = frozen;
        }
    }

    /// <summary>
    /// Trains on <paramref name="data"/> the way coding would (observe, learn every <paramref name="block"/> bytes,
    /// including a final partial block), <paramref name="epochs"/> times, each pass from a fresh context. Used to
    /// pretrain on a prior X before coding Y, and to fit the model of a two-part code. Leaves the context reset.
    /// </summary>
    public static void Train(ISequenceModel model, ReadOnlySpan<byte> data, int block, int epochs = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        for (int e = 0; e < epochs; e++)
        {
            model.ResetContext();
            int start = 0;
            for (int t = 0; t < data.Length; t++)
            {
                model.Observe(data[t]);
                if (t + 1 - start == block || t + 1 == data.Length)
                {
                    model.Learn(data[..(t + 1)], start);
                    start = t + 1;
                }
            }
        }
        model.ResetContext();
    }
}
