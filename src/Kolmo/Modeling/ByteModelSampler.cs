using Kolmo.Coding;

namespace Kolmo.Modeling;

/// <summary>
/// A byte model used as a generator: the model's own distribution, sampled bit by bit (MSB first), each bit 1 with the
/// probability the model gives it. This is decoding with random input: an arithmetic decoder fed uniformly random
/// bits returns a sample of the model, so the same loop that decodes a <c>.kolmo</c> file here writes new text. The
/// model learns every byte it emits, as a decoder would. Deterministic for a given seed, model state and temperature.
/// </summary>
public static class ByteModelSampler
{
    /// <summary>
    /// Samples <paramref name="count"/> bytes from <paramref name="model"/> in its current state (prime it first to
    /// condition on a text or a prompt).
    /// </summary>
    /// <param name="model">The model; it is updated with the sampled bytes.</param>
    /// <param name="count">Bytes to draw.</param>
    /// <param name="rng">The random source (advanced).</param>
    /// <param name="temperature">Per-bit temperature: P(1) ∝ p^(1/T); 1 samples the model itself, below 1 sharpens.</param>
    /// <returns>The bytes and their code length under the model, −Σ log2 p of the sampled bits (with T = 1 its
    /// expectation is the model's entropy rate on its own output).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or the temperature is not positive.</exception>
    public static (byte[] Bytes, double Bits) Sample(IByteModel model, int count, ref Xoshiro256 rng, double temperature = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a positive number");
        }
        var coder = new SamplingBitCoder(rng, temperature);
        var bytes = new byte[count];
        for (int k = 0; k < count; k++)
        {
            int v = 0;
            for (int i = 7; i >= 0; i--)
            {
                int bit = coder.Code(0, model.P());
                model.Update(bit);
                v = (v << 1) | bit;
            }
            bytes[k] = (byte)v;
        }
        rng = coder.Rng;
        return (bytes, coder.Bits);
    }

    /// <summary>A "decoder" whose input is random: it returns 1 with probability P(1) (tempered) and meters −log2 p.</summary>
    private sealed class SamplingBitCoder(Xoshiro256 rng, double temperature) : IBitCoder
    {
        public Xoshiro256 Rng = rng;

        public double Bits { get; private set; }

        public int Code(int bit, int p1)
        {
            double p = p1 / (double)Probability.One;
            if (temperature != 1)
            {
                double a = Math.Pow(p, 1 / temperature), b = Math.Pow(1 - p, 1 / temperature);
                p = a / (a + b);
            }
            int y = Rng.NextDouble() < p ? 1 : 0;
            Bits += Probability.CostBits(y, p1);
            return y;
        }
    }
}
