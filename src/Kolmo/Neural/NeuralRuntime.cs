using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kolmo.Neural;

/// <summary>
/// Process-wide settings of the neural engine. None of them changes any result: every kernel gives the
/// same bits for every thread count and SIMD width (see docs/NEURAL.md, "Determinism").
/// </summary>
public static class NeuralRuntime
{
    private static int _threads = Math.Max(1, Math.Min(Environment.ProcessorCount, 2));

    /// <summary>Worker threads the kernels may use (default: min(cores, 2)). Only speed depends on it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Value below 1 or above 256.</exception>
    public static int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 256);
            _threads = value;
        }
    }

    /// <summary>The SIMD path the kernels take on this machine: <c>avx2+fma (256)</c>, <c>128</c> or <c>scalar</c>.</summary>
    public static string SimdPath => Kernels.Width switch
    {
        256 => "vector256+fma",
        128 => "vector128",
        _ => "scalar",
    };
}

/// <summary>Fixed partition of independent work items over <see cref="NeuralRuntime.Threads"/> threads.</summary>
internal static class Par
{
    /// <summary>
    /// Runs <paramref name="body"/>(begin, end) over [0, n) split into contiguous equal chunks, one per thread.
    /// Work items must write disjoint outputs (never a shared reduction), so the split cannot change results.
    /// Runs inline when the total work (n × <paramref name="costPerItem"/> flops) is too small to pay.
    /// </summary>
    public static void For(int n, long costPerItem, Action<int, int> body)
    {
        int t = Math.Min(NeuralRuntime.Threads, n);
        if (t <= 1 || n * costPerItem < 200_000)
        {
            body(0, n);
            return;
        }
        Parallel.For(0, t, new ParallelOptions { MaxDegreeOfParallelism = t }, p =>
        {
            int a = (int)((long)n * p / t);
            int b = (int)((long)n * (p + 1) / t);
            body(a, b);
        });
    }
}

/// <summary>Which SIMD width the kernels use; tests force each one to compare bits.</summary>
internal static partial class Kernels
{
    /// <summary>0 = best available; 1 = scalar reference; 128; 256. Changing it never changes results.</summary>
    internal static int ForcedWidth;

    internal static bool Has256 => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    internal static bool Has128 => Vector128.IsHardwareAccelerated;

    /// <summary>The width the next kernel call will use.</summary>
    internal static int Width => ForcedWidth switch
    {
        1 => 1,
        128 => Has128 ? 128 : 1,
        256 => Has256 ? 256 : (Has128 ? 128 : 1),
        _ => Has256 ? 256 : (Has128 ? 128 : 1),
    };
}
