using Kolmo.Neural;

namespace Kolmo.Tests.Neural;

internal static class NeuralTestUtil
{
    public static float[] RandomFloats(int n, ulong seed, float scale = 1f)
    {
        var r = new Xoshiro256(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)(r.NextNormal() * scale);
        }
        return a;
    }

    public static int[] RandomSymbols(int n, int v, ulong seed)
    {
        var r = new Xoshiro256(seed);
        var a = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = r.Next(v);
        }
        return a;
    }

    /// <summary>
    /// Runs <paramref name="f"/> with the kernels forced to a width (0 = best, 1 = scalar, 128, 256, 512) and a thread
    /// count; with more than one thread every parallel split runs, however small the work.
    /// </summary>
    public static T With<T>(int width, int threads, Func<T> f)
    {
        lock (Gate)
        {
            int w0 = Kernels.ForcedWidth, t0 = NeuralRuntime.Threads;
            long m0 = Par.MinWork;
            Kernels.ForcedWidth = width;
            NeuralRuntime.Threads = threads;
            Par.MinWork = threads > 1 ? 0 : m0;
            try
            {
                return f();
            }
            finally
            {
                Kernels.ForcedWidth = w0;
                NeuralRuntime.Threads = t0;
                Par.MinWork = m0;
            }
        }
    }

    /// <summary>The SIMD widths to compare with the scalar reference (those this machine lacks fall back to narrower ones).</summary>
    public static readonly int[] Widths = [128, 256, 512];

    /// <summary>The scalar reference and every SIMD width.</summary>
    public static readonly int[] AllWidths = [1, 128, 256, 512];

    public static readonly object Gate = new();

    public static void AssertBitsEqual(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
            {
                Assert.Fail($"element {i}: {a[i]:R} != {b[i]:R}");
            }
        }
    }
}
