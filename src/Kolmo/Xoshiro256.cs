namespace Kolmo;

/// <summary>
/// Kolmo's one random generator: xoshiro256** (Blackman &amp; Vigna 2018) seeded through SplitMix64 (Steele, Lea &amp;
/// Flood 2014). Its sequence is fixed by the seed on every machine and .NET version (unlike <see cref="Random"/>, whose
/// algorithm may change), so everything drawn from it — search restarts, weight initialisation, batches, masks,
/// sampled text — is reproducible. A mutable struct: keep it in a local or a non-readonly field and pass it by
/// <c>ref</c>; a copy continues the same sequence independently.
/// </summary>
public struct Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    /// <summary>Seeds the generator from a 64-bit seed and a stream number (e.g. the restart index).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="stream">Independent streams of one seed (different sequences).</param>
    public Xoshiro256(ulong seed, ulong stream = 0)
    {
        ulong x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>A generator with the given raw state (for known-answer tests of the algorithm).</summary>
    internal static Xoshiro256 FromState(ulong s0, ulong s1, ulong s2, ulong s3) => new() { _s0 = s0, _s1 = s1, _s2 = s2, _s3 = s3 };

    /// <summary>One step of SplitMix64: advances <paramref name="x"/> and returns its next output.</summary>
    internal static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, n) (multiply-shift of the top 32 bits; bias below 2^−32·n).</summary>
    /// <param name="n">Exclusive upper bound, at least 1.</param>
    /// <returns>The integer.</returns>
    public int Next(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return (int)((NextUInt64() >> 32) * (ulong)(uint)n >> 32);
    }

    /// <summary>Fills <paramref name="buffer"/> with random bytes (each 64-bit output little-endian, 8 bytes at a time).</summary>
    public void NextBytes(Span<byte> buffer)
    {
        Span<byte> tail = stackalloc byte[8];
        int i = 0;
        for (; i + 8 <= buffer.Length; i += 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer[i..], NextUInt64());
        }
        if (i < buffer.Length)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(tail, NextUInt64());
            tail[..(buffer.Length - i)].CopyTo(buffer[i..]);
        }
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Standard normal N(0, 1) by the Marsaglia polar method, with Kolmo's own logarithm
    /// (<see cref="Neural.NMath.Log"/>) so the values are the same on every machine.
    /// </summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Neural.NMath.Log(s) / s);
        _spareNormal = v * f;
        _hasSpareNormal = true;
        return u * f;
    }
}
