using System.Runtime.CompilerServices;

namespace Kolmo.Neural;

/// <summary>
/// Deterministic scalar math for the neural engine: exp, tanh, sigmoid, log and cos built only from IEEE
/// add/mul/div (never the C runtime's <c>expf</c>/<c>log</c>, whose last bit differs between libm builds and
/// CPU dispatch paths). Every kernel path (scalar, Vector128, Vector256, hardware intrinsics off) calls these,
/// so transcendental results are identical everywhere. RyuJIT never contracts <c>a * b + c</c> into an FMA,
/// so the polynomials below evaluate exactly as written.
/// </summary>
internal static class NMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693145751953125f;        // 16 significant bits: n * Ln2Hi is exact for |n| <= 255
    private const float Ln2Lo = 1.42860682030941723212e-6f;

    /// <summary>e^x, about 2 ulp; 0 below −87, clamped at 88.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        if (x < -87f)
        {
            return 0f;
        }
        if (x > 88f)
        {
            x = 88f;
        }
        float fn = MathF.Round(x * Log2E);            // round half to even: IEEE, identical on every path
        float r = x - fn * Ln2Hi;
        r = r - fn * Ln2Lo;                           // |r| <= ln2/2
        // Taylor/Horner to degree 7 on |r| <= 0.347: truncation error < 2e-8 relative.
        float p = 1.0f / 5040f;
        p = p * r + 1.0f / 720f;
        p = p * r + 1.0f / 120f;
        p = p * r + 1.0f / 24f;
        p = p * r + 1.0f / 6f;
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;
        int n = (int)fn;
        return p * BitConverter.Int32BitsToSingle((n + 127) << 23);
    }

    /// <summary>tanh(x) from <see cref="Exp"/>; ±1 beyond |x| = 9.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        if (x > 9f)
        {
            return 1f;
        }
        if (x < -9f)
        {
            return -1f;
        }
        float e = Exp(2f * x);
        return (e - 1f) / (e + 1f);
    }

    /// <summary>Logistic 1 / (1 + e^−x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    /// <summary>Natural log in double for x &gt; 0 (atanh series, error ~1e-16); −inf for 0.</summary>
    public static double Log(double x)
    {
        if (!(x > 0))
        {
            return x == 0 ? double.NegativeInfinity : double.NaN;
        }
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)((bits >> 52) & 0x7FF);
        if (e == 0)
        {
            // subnormal: scale up by 2^64 first
            return Log(x * 18446744073709551616.0) - 64 * 0.69314718055994530942;
        }
        e -= 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L); // [1,2)
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            e++;
        }
        double s = (m - 1) / (m + 1);                 // |s| <= 0.1716
        double s2 = s * s;
        double term = s;
        double sum = 0;
        for (int k = 1; k <= 25; k += 2)
        {
            sum += term / k;
            term *= s2;
        }
        return e * 0.69314718055994530942 + 2 * sum;
    }

    /// <summary>cos(x) for |x| &lt;= 4 by its Taylor series in double (used by the cosine learning-rate schedule).</summary>
    public static double Cos(double x)
    {
        double x2 = x * x;
        double term = 1;
        double sum = 1;
        for (int k = 1; k <= 20; k++)
        {
            term *= -x2 / ((2 * k - 1) * (2 * k));
            sum += term;
        }
        return sum;
    }
}
