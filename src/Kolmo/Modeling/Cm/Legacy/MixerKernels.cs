using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// The two inner loops of the mixer, in a scalar reference form and SIMD forms (Vector256 / Vector128 on
/// int32 lanes). All are integer-only and compute exactly the same numbers: per-term products are shifted
/// before summing and integer addition is associative, so lane width and order cannot change a result.
/// <list type="bullet">
/// <item><see cref="Dot"/>: Σ (x_i · w_i) >> 8 over n inputs (n a multiple of 8). x: stretched inputs
/// |x| ≤ 2047; w: weights, 16 fractional bits, |w| ≤ 2^19, so each product fits in 31 bits.</item>
/// <item><see cref="Train"/>: w_i += (x_i · err + 8192) >> 14, then clamped to ±2^19 (err already holds
/// the learning rate: |err| ≤ 4095 · 256, so x · err fits in 31 bits).</item>
/// </list>
/// </summary>
internal static class MixerKernels
{
    /// <summary>Largest weight magnitude (8.0 at 16 fractional bits).</summary>
    public const int WeightLimit = 1 << 19;

    /// <summary>Which path <see cref="Dot"/> and <see cref="Train"/> take (tests force each one).</summary>
    public enum Path
    {
        /// <summary>Widest available SIMD.</summary>
        Auto,

        /// <summary>Plain loop, the reference.</summary>
        Scalar,

        /// <summary>Vector128 lanes (if accelerated, else scalar).</summary>
        Vector128,
    }

    /// <summary>Dot product Σ (x·w) >> 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dot(ReadOnlySpan<int> x, ReadOnlySpan<int> w, int n, Path path = Path.Auto)
    {
        if (path == Path.Auto && Vector256.IsHardwareAccelerated)
        {
            return Dot256(x, w, n);
        }
        if (path != Path.Scalar && Vector128.IsHardwareAccelerated)
        {
            return Dot128(x, w, n);
        }
        return DotScalar(x, w, n);
    }

    /// <summary>Weight update w += (x·err + 512) >> 10, clamped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Train(ReadOnlySpan<int> x, Span<int> w, int n, int err, Path path = Path.Auto)
    {
        if (path == Path.Auto && Vector256.IsHardwareAccelerated)
        {
            Train256(x, w, n, err);
        }
        else if (path != Path.Scalar && Vector128.IsHardwareAccelerated)
        {
            Train128(x, w, n, err);
        }
        else
        {
            TrainScalar(x, w, n, err);
        }
    }

    /// <summary>Scalar reference dot product.</summary>
    public static int DotScalar(ReadOnlySpan<int> x, ReadOnlySpan<int> w, int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += (x[i] * w[i]) >> 8;
        }
        return sum;
    }

    /// <summary>Scalar reference training step.</summary>
    public static void TrainScalar(ReadOnlySpan<int> x, Span<int> w, int n, int err)
    {
        for (int i = 0; i < n; i++)
        {
            int v = w[i] + ((x[i] * err + 8192) >> 14);
            w[i] = v < -WeightLimit ? -WeightLimit : v > WeightLimit ? WeightLimit : v;
        }
    }

    private static int Dot256(ReadOnlySpan<int> x, ReadOnlySpan<int> w, int n)
    {
        ref int xr = ref MemoryMarshal.GetReference(x);
        ref int wr = ref MemoryMarshal.GetReference(w);
        var acc = Vector256<int>.Zero;
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var p = Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref wr, (nuint)i);
            acc += Vector256.ShiftRightArithmetic(p, 8);
        }
        int sum = Vector256.Sum(acc);
        for (; i < n; i++)
        {
            sum += (x[i] * w[i]) >> 8;
        }
        return sum;
    }

    private static int Dot128(ReadOnlySpan<int> x, ReadOnlySpan<int> w, int n)
    {
        ref int xr = ref MemoryMarshal.GetReference(x);
        ref int wr = ref MemoryMarshal.GetReference(w);
        var acc = Vector128<int>.Zero;
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var p = Vector128.LoadUnsafe(ref xr, (nuint)i) * Vector128.LoadUnsafe(ref wr, (nuint)i);
            acc += Vector128.ShiftRightArithmetic(p, 8);
        }
        int sum = Vector128.Sum(acc);
        for (; i < n; i++)
        {
            sum += (x[i] * w[i]) >> 8;
        }
        return sum;
    }

    private static void Train256(ReadOnlySpan<int> x, Span<int> w, int n, int err)
    {
        ref int xr = ref MemoryMarshal.GetReference(x);
        ref int wr = ref MemoryMarshal.GetReference(w);
        var e = Vector256.Create(err);
        var half = Vector256.Create(8192);
        var lo = Vector256.Create(-WeightLimit);
        var hi = Vector256.Create(WeightLimit);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var d = Vector256.ShiftRightArithmetic(Vector256.LoadUnsafe(ref xr, (nuint)i) * e + half, 14);
            var v = Vector256.LoadUnsafe(ref wr, (nuint)i) + d;
            Vector256.Min(Vector256.Max(v, lo), hi).StoreUnsafe(ref wr, (nuint)i);
        }
        if (i < n)
        {
            TrainScalar(x[i..], w[i..], n - i, err);
        }
    }

    private static void Train128(ReadOnlySpan<int> x, Span<int> w, int n, int err)
    {
        ref int xr = ref MemoryMarshal.GetReference(x);
        ref int wr = ref MemoryMarshal.GetReference(w);
        var e = Vector128.Create(err);
        var half = Vector128.Create(8192);
        var lo = Vector128.Create(-WeightLimit);
        var hi = Vector128.Create(WeightLimit);
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var d = Vector128.ShiftRightArithmetic(Vector128.LoadUnsafe(ref xr, (nuint)i) * e + half, 14);
            var v = Vector128.LoadUnsafe(ref wr, (nuint)i) + d;
            Vector128.Min(Vector128.Max(v, lo), hi).StoreUnsafe(ref wr, (nuint)i);
        }
        if (i < n)
        {
            TrainScalar(x[i..], w[i..], n - i, err);
        }
    }
}
