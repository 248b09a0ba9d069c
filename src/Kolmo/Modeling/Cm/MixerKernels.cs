using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kolmo.Modeling;

/// <summary>
/// The mixer's two inner loops on 16-bit inputs and weights: a scalar reference and x86 SIMD paths of 128, 256
/// and 512 bits (<c>pmaddwd</c>, <c>pmulhrsw</c>, saturating adds). Every path computes exactly the same integers,
/// so the model's output does not depend on the machine:
/// <list type="bullet">
/// <item><see cref="Dot"/>: Σ over pairs ((x[2i]·w[2i] + x[2i+1]·w[2i+1]) >> 8). Each pair sum is what one
/// <c>pmaddwd</c> lane holds; the shift is per pair and integer addition is associative, so lane width and
/// order cannot change the sum. |x| ≤ 2047, so a pair sum fits in 28 bits.</item>
/// <item><see cref="Train"/>: w[i] = saturate16(w[i] + ((x[i]·e + 2^14) >> 15)) — exactly <c>pmulhrsw</c>
/// followed by <c>paddsw</c>; |e| ≤ 32767.</item>
/// </list>
/// n (the padded input count) is a multiple of <see cref="Lanes"/>. Other CPUs take the scalar path.
/// </summary>
internal static unsafe class MixerKernels
{
    /// <summary>Inputs are padded to a multiple of this (one 512-bit vector of 16-bit lanes).</summary>
    public const int Lanes = 32;

    /// <summary>Which path the kernels take (tests force each one; <see cref="Auto"/> takes the widest available).</summary>
    public enum Path
    {
        /// <summary>Widest available SIMD.</summary>
        Auto,

        /// <summary>Plain loop, the reference.</summary>
        Scalar,

        /// <summary>128-bit vectors (SSSE3), else scalar.</summary>
        V128,

        /// <summary>256-bit vectors (AVX2), else narrower.</summary>
        V256,

        /// <summary>512-bit vectors (AVX-512BW), else narrower.</summary>
        V512,
    }

    /// <summary>The path <see cref="Path.Auto"/> resolves to on this machine and runtime settings.</summary>
    public static Path Widest { get; } =
        Avx512BW.IsSupported ? Path.V512 : Avx2.IsSupported ? Path.V256 : Ssse3.IsSupported ? Path.V128 : Path.Scalar;

    /// <summary>Resolves <paramref name="p"/> to a path this machine runs (a forced path narrows when unsupported).</summary>
    public static Path Resolve(Path p) => p == Path.Auto || p > Widest ? Widest : p;

    /// <summary>Σ pairs (x·w) >> 8 over <paramref name="n"/> inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dot(short* x, short* w, int n, Path path)
    {
        if (path == Path.V512 && Avx512BW.IsSupported)
        {
            var acc = Vector512<int>.Zero;
            for (int i = 0; i < n; i += 32)
            {
                acc += Avx512BW.ShiftRightArithmetic(Avx512BW.MultiplyAddAdjacent(Avx512BW.LoadVector512(x + i), Avx512BW.LoadVector512(w + i)), 8);
            }
            return Vector512.Sum(acc);
        }
        if (path == Path.V256 && Avx2.IsSupported)
        {
            var acc = Vector256<int>.Zero;
            for (int i = 0; i < n; i += 16)
            {
                acc += Avx2.ShiftRightArithmetic(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(x + i), Avx.LoadVector256(w + i)), 8);
            }
            return Vector256.Sum(acc);
        }
        if (path == Path.V128 && Sse2.IsSupported)
        {
            var acc = Vector128<int>.Zero;
            for (int i = 0; i < n; i += 8)
            {
                acc += Sse2.ShiftRightArithmetic(Sse2.MultiplyAddAdjacent(Sse2.LoadVector128(x + i), Sse2.LoadVector128(w + i)), 8);
            }
            return Vector128.Sum(acc);
        }
        return DotScalar(x, w, n);
    }

    /// <summary>w += round(x·e / 2^15), saturated to 16 bits, over <paramref name="n"/> inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Train(short* x, short* w, int n, int e, Path path)
    {
        if (path == Path.V512 && Avx512BW.IsSupported)
        {
            var ev = Vector512.Create((short)e);
            for (int i = 0; i < n; i += 32)
            {
                var d = Avx512BW.MultiplyHighRoundScale(Avx512BW.LoadVector512(x + i), ev);
                Avx512BW.AddSaturate(Avx512BW.LoadVector512(w + i), d).Store(w + i);
            }
            return;
        }
        if (path == Path.V256 && Avx2.IsSupported)
        {
            var ev = Vector256.Create((short)e);
            for (int i = 0; i < n; i += 16)
            {
                var d = Avx2.MultiplyHighRoundScale(Avx.LoadVector256(x + i), ev);
                Avx2.AddSaturate(Avx.LoadVector256(w + i), d).Store(w + i);
            }
            return;
        }
        if (path == Path.V128 && Ssse3.IsSupported)
        {
            var ev = Vector128.Create((short)e);
            for (int i = 0; i < n; i += 8)
            {
                var d = Ssse3.MultiplyHighRoundScale(Sse2.LoadVector128(x + i), ev);
                Sse2.AddSaturate(Sse2.LoadVector128(w + i), d).Store(w + i);
            }
            return;
        }
        TrainScalar(x, w, n, e);
    }

    /// <summary>Scalar reference of <see cref="Dot"/>.</summary>
    public static int DotScalar(short* x, short* w, int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i += 2)
        {
            sum += (x[i] * w[i] + x[i + 1] * w[i + 1]) >> 8;
        }
        return sum;
    }

    /// <summary>Scalar reference of <see cref="Train"/>.</summary>
    public static void TrainScalar(short* x, short* w, int n, int e)
    {
        for (int i = 0; i < n; i++)
        {
            int v = w[i] + ((x[i] * e + 0x4000) >> 15);
            w[i] = (short)(v < short.MinValue ? short.MinValue : v > short.MaxValue ? short.MaxValue : v);
        }
    }
}
