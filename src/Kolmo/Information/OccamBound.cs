namespace Kolmo.Information;

/// <summary>
/// The Occam (finite-hypothesis PAC) bound for a model described in b bits: with probability at least 1 − δ over
/// m i.i.d. samples, test error ≤ train error + sqrt((b·ln 2 + ln(1/δ)) / (2m)).
/// Derivation (docs/THEORY.md): Hoeffding's inequality for one fixed hypothesis, P(test − train &gt; ε) ≤ e^(−2mε²),
/// and a union bound over the at most 2^b hypotheses expressible in b bits.
/// </summary>
public static class OccamBound
{
    /// <summary>The complexity term sqrt((b·ln 2 + ln(1/δ)) / (2m)).</summary>
    /// <param name="bits">b: bits needed to write the model down (parameters × bits per parameter), ≥ 0.</param>
    /// <param name="samples">m: number of training samples, ≥ 1.</param>
    /// <param name="delta">δ: failure probability, in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static double Gap(double bits, long samples, double delta)
    {
        if (!(bits >= 0) || double.IsInfinity(bits))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "bits must be finite and ≥ 0");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1)");
        }
        return Math.Sqrt((bits * Math.Log(2) + Math.Log(1 / delta)) / (2.0 * samples));
    }

    /// <summary>The bound on test error: train error + <see cref="Gap"/> (not clipped, so it may exceed 1).</summary>
    /// <param name="trainError">Training error rate in [0, 1].</param>
    /// <param name="bits">b: bits of the model.</param>
    /// <param name="samples">m: training samples.</param>
    /// <param name="delta">δ: failure probability.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static double TestErrorBound(double trainError, double bits, long samples, double delta)
    {
        if (!(trainError >= 0 && trainError <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trainError), trainError, "train error must be in [0, 1]");
        }
        return trainError + Gap(bits, samples, delta);
    }

    /// <summary>Smallest m for which the gap is at most <paramref name="epsilon"/>: ⌈(b·ln 2 + ln(1/δ)) / (2ε²)⌉.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static long SamplesFor(double bits, double delta, double epsilon)
    {
        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be > 0");
        }
        _ = Gap(bits, 1, delta);
        return (long)Math.Ceiling((bits * Math.Log(2) + Math.Log(1 / delta)) / (2 * epsilon * epsilon));
    }
}
