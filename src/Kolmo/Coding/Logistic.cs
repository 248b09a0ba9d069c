namespace Kolmo.Coding;

/// <summary>
/// Fixed-point logistic functions, the currency of context mixing.
/// <list type="bullet">
/// <item><see cref="Stretch"/>: 12-bit probability p in [0, 4095] → ln(p / (1 − p)) scaled by 256, in [−2047, 2047].</item>
/// <item><see cref="Squash"/>: the inverse, a stretched value in any int range → 12-bit probability in [1, 4095].</item>
/// </list>
/// Both are integer-only and table-driven, so they give identical results on every machine.
/// The squash table is built by interpolating 33 integer knots (values of 4096/(1+e^−x) at x = −8…8 in steps
/// of 0.5, precomputed and written here as integers); the stretch table is its exact inverse.
/// </summary>
public static class Logistic
{
    // 4096 / (1 + exp(-(i - 16) / 2)) for i = 0..32, rounded; integers so no floating point is involved.
    private static readonly int[] Knots =
    [
        1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546,
        2048, 2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079,
        4086, 4090, 4092, 4094, 4095,
    ];

    private static readonly short[] SquashTable = BuildSquash();
    private static readonly short[] StretchTable = BuildStretch();

    private static short[] BuildSquash()
    {
        var t = new short[4096];
        for (int i = 0; i < 4096; i++)
        {
            int d = i - 2048;               // stretched value, −2048..2047
            int w = d & 127;                // position between knots (knots are 128 apart)
            int k = (d >> 7) + 16;          // knot index
            t[i] = (short)((Knots[k] * (128 - w) + Knots[k + 1] * w + 64) >> 7);
        }
        return t;
    }

    private static short[] BuildStretch()
    {
        // Inverse of squash: for each p, the smallest d with squash(d) >= p (monotone, so exact).
        var t = new short[4096];
        int pi = 0;
        for (int x = -2047; x <= 2047; x++)
        {
            int v = Squash(x);
            for (int j = pi; j <= v; j++)
            {
                t[j] = (short)x;
            }
            pi = v + 1;
        }
        for (int j = pi; j < 4096; j++)
        {
            t[j] = 2047;
        }
        return t;
    }

    /// <summary>Logistic function: stretched value (clamped to ±2047) → 12-bit probability.</summary>
    public static int Squash(int d)
    {
        if (d > 2047)
        {
            d = 2047;
        }
        if (d < -2047)
        {
            d = -2047;
        }
        return SquashTable[d + 2048];
    }

    /// <summary>Inverse logistic: 12-bit probability in [0, 4095] → stretched value in [−2047, 2047].</summary>
    public static int Stretch(int p12) => StretchTable[p12];
}
