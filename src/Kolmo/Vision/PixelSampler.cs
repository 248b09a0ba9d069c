namespace Kolmo.Vision;

/// <summary>
/// Draws images from a next-pixel (AR) model: feed the start token and any given pixels, then repeatedly take the
/// model's distribution over the K palette tokens (the special token renormalised away, as the coder does), draw a
/// token by inverse CDF with a seeded <see cref="Xoshiro256"/>, and feed it back. Same model, seed and prefix give
/// the same image on every machine (the predictor is deterministic).
/// </summary>
public static class PixelSampler
{
    /// <summary>
    /// Returns <paramref name="length"/> tokens: <paramref name="given"/> copied, the rest sampled.
    /// <paramref name="temperature"/> divides the log-probabilities (1 = the model's own distribution).
    /// </summary>
    /// <exception cref="ArgumentException">The model is not causal, or the prefix is longer than the image.</exception>
    public static byte[] Complete(ITokenTransformer model, PixelObjective objective, ReadOnlySpan<byte> given, int length, ref Xoshiro256 rng, double temperature = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        if (!model.Causal || objective.Kind != Objective.Autoregressive)
        {
            throw new ArgumentException("only a causal next-pixel model can sample images.", nameof(model));
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, model.Context);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(given.Length, length, nameof(given));
        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), "temperature must be positive.");
        }
        int k = objective.PaletteSize;
        var result = new byte[length];
        given.CopyTo(result);
        var predictor = model.CreatePredictor();
        predictor.Reset();
        predictor.Update(objective.SpecialToken);
        for (int i = 0; i < given.Length && i + 1 < length; i++)
        {
            predictor.Update(given[i]);
        }
        var weights = new double[k];
        for (int i = given.Length; i < length; i++)
        {
            var p = predictor.Probabilities;
            double z = 0;
            for (int v = 0; v < k; v++)
            {
                weights[v] = temperature == 1 ? p[v] : Math.Pow(Math.Max(p[v], 1e-30), 1 / temperature);
                z += weights[v];
            }
            double u = rng.NextDouble() * z;
            int token = k - 1;
            for (int v = 0; v < k; v++)
            {
                u -= weights[v];
                if (u < 0)
                {
                    token = v;
                    break;
                }
            }
            result[i] = (byte)token;
            if (i + 1 < length)
            {
                predictor.Update(token);
            }
        }
        return result;
    }
}
