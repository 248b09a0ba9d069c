namespace Kolmo.Neural;

/// <summary>
/// Deterministic random numbers for initialisation and batch sampling: xoshiro256** seeded by SplitMix64
/// (Blackman &amp; Vigna). Normals use the Marsaglia polar method with Kolmo's own log, so a seed gives the
/// same numbers on every machine and runtime.
/// </summary>
public sealed class Rng
{
    private Xoshiro256 _core;
    private double _spare;
    private bool _hasSpare;

    /// <summary>Seeds the generator.</summary>
    public Rng(ulong seed)
    {
        _core = new Xoshiro256(seed);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>Uniform integer in [0, n) (n &gt; 0), by 128-bit multiply (Lemire, without rejection; bias &lt; n/2^64).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return (int)Math.BigMul(NextUInt64(), (ulong)n, out _);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _core.NextDouble();

    /// <summary>Standard normal N(0, 1).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * NMath.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }
}
