namespace Kolmo.Coding;

/// <summary>
/// Probability conventions shared by every model and coder.
/// A bit probability is P(bit = 1) on a 16-bit scale: an int in [<see cref="Min"/>, <see cref="Max"/>],
/// meaning p / 65536. Models must clamp into that range so that no bit ever costs infinitely many bits.
/// </summary>
public static class Probability
{
    /// <summary>Number of bits of the probability scale.</summary>
    public const int Bits = 16;

    /// <summary>The scale: probability 1.0 is <c>One</c> (never produced).</summary>
    public const int One = 1 << Bits;

    /// <summary>Smallest probability a predictor may return.</summary>
    public const int Min = 1;

    /// <summary>Largest probability a predictor may return.</summary>
    public const int Max = One - 1;

    /// <summary>Even odds.</summary>
    public const int Half = One / 2;

    /// <summary>Clamps a 16-bit probability into [<see cref="Min"/>, <see cref="Max"/>].</summary>
    public static int Clamp(int p) => p < Min ? Min : p > Max ? Max : p;

    /// <summary>Ideal code length in bits of <paramref name="bit"/> under P(1) = <paramref name="p1"/> / 65536.</summary>
    public static double CostBits(int bit, int p1) => CostTable[bit != 0 ? p1 : One - p1];

    /// <summary>−log2(p / 65536) for p in [0, 65536] (entry 0 is +∞).</summary>
    private static readonly double[] CostTable = BuildCostTable();

    private static double[] BuildCostTable()
    {
        var t = new double[One + 1];
        for (int p = 0; p <= One; p++)
        {
            t[p] = -Math.Log2(p / (double)One);
        }
        return t;
    }
}
