using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kolmo.Neural;

// Vector versions of NMath.Exp / Tanh / Sigmoid for the elementwise kernels (softmax, GELU, LSTM gates). They perform
// exactly the scalar operation sequence lane by lane (IEEE mul/add/sub/div, round-half-even, integer shift, no fma),
// so every width gives the same bits as NMath; tails use NMath itself. The online LSTM's lanes (FloatLanes.cs) call the
// same Exp512/256/128.
internal static unsafe partial class Kernels
{
    private static ReadOnlySpan<int> TailMaskBits => [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>A mask of the first <paramref name="r"/> (0..8) lanes, for masked loads and stores of a tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TailMask(int r)
        => Vector256.LoadUnsafe(ref Unsafe.Add(ref MemoryMarshal.GetReference(TailMaskBits), 8 - r)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp512(Vector512<float> x)
    {
        var under = Vector512.LessThan(x, Vector512.Create(-87f));
        var xc = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(88f)), Vector512.Create(88f), x);
        var fn = Vector512.Round(xc * Vector512.Create(1.44269504088896341f));
        var r = xc - fn * Vector512.Create(0.693145751953125f);
        r = r - fn * Vector512.Create(1.42860682030941723212e-6f);
        var p = Vector512.Create(1.0f / 5040f);
        p = p * r + Vector512.Create(1.0f / 720f);
        p = p * r + Vector512.Create(1.0f / 120f);
        p = p * r + Vector512.Create(1.0f / 24f);
        p = p * r + Vector512.Create(1.0f / 6f);
        p = p * r + Vector512.Create(0.5f);
        p = p * r + Vector512.Create(1.0f);
        p = p * r + Vector512.Create(1.0f);
        var n = Vector512.ConvertToInt32(fn);
        var scale = Vector512.ShiftLeft(n + Vector512.Create(127), 23).AsSingle();
        return Vector512.ConditionalSelect(under, Vector512<float>.Zero, p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp256(Vector256<float> x)
    {
        var under = Vector256.LessThan(x, Vector256.Create(-87f));
        var xc = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(88f)), Vector256.Create(88f), x);
        var fn = Vector256.Round(xc * Vector256.Create(1.44269504088896341f));
        var r = xc - fn * Vector256.Create(0.693145751953125f);
        r = r - fn * Vector256.Create(1.42860682030941723212e-6f);
        var p = Vector256.Create(1.0f / 5040f);
        p = p * r + Vector256.Create(1.0f / 720f);
        p = p * r + Vector256.Create(1.0f / 120f);
        p = p * r + Vector256.Create(1.0f / 24f);
        p = p * r + Vector256.Create(1.0f / 6f);
        p = p * r + Vector256.Create(0.5f);
        p = p * r + Vector256.Create(1.0f);
        p = p * r + Vector256.Create(1.0f);
        var n = Vector256.ConvertToInt32(fn);
        var scale = Vector256.ShiftLeft(n + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(under, Vector256<float>.Zero, p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Exp128(Vector128<float> x)
    {
        var under = Vector128.LessThan(x, Vector128.Create(-87f));
        var xc = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(88f)), Vector128.Create(88f), x);
        var fn = Vector128.Round(xc * Vector128.Create(1.44269504088896341f));
        var r = xc - fn * Vector128.Create(0.693145751953125f);
        r = r - fn * Vector128.Create(1.42860682030941723212e-6f);
        var p = Vector128.Create(1.0f / 5040f);
        p = p * r + Vector128.Create(1.0f / 720f);
        p = p * r + Vector128.Create(1.0f / 120f);
        p = p * r + Vector128.Create(1.0f / 24f);
        p = p * r + Vector128.Create(1.0f / 6f);
        p = p * r + Vector128.Create(0.5f);
        p = p * r + Vector128.Create(1.0f);
        p = p * r + Vector128.Create(1.0f);
        var n = Vector128.ConvertToInt32(fn);
        var scale = Vector128.ShiftLeft(n + Vector128.Create(127), 23).AsSingle();
        return Vector128.ConditionalSelect(under, Vector128<float>.Zero, p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh512(Vector512<float> x)
    {
        var e = Exp512(Vector512.Create(2f) * x);
        var one = Vector512.Create(1f);
        var t = (e - one) / (e + one);
        t = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(9f)), one, t);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-9f)), -one, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh256(Vector256<float> x)
    {
        var e = Exp256(Vector256.Create(2f) * x);
        var one = Vector256.Create(1f);
        var t = (e - one) / (e + one);
        t = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(9f)), one, t);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-9f)), -one, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Tanh128(Vector128<float> x)
    {
        var e = Exp128(Vector128.Create(2f) * x);
        var one = Vector128.Create(1f);
        var t = (e - one) / (e + one);
        t = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(9f)), one, t);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(-9f)), -one, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid512(Vector512<float> x) => Vector512.Create(1f) / (Vector512.Create(1f) + Exp512(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid256(Vector256<float> x) => Vector256.Create(1f) / (Vector256.Create(1f) + Exp256(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sigmoid128(Vector128<float> x) => Vector128.Create(1f) / (Vector128.Create(1f) + Exp128(-x));

    /// <summary>p[i] = exp(l[i] − max) for i in [0, n); returns Σ p[i] in the fixed 8-lane order of <see cref="Sum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ExpShiftedSum(float* p, float* l, float max, int n)
    {
        int i = 0;
        int w = Width;
        int n8 = n & ~7;
        float s;
        if (w >= 256)
        {
            var acc = Vector256<float>.Zero;
            if (w == 512)
            {
                var m5 = Vector512.Create(max);
                for (; i + 16 <= n8; i += 16)
                {
                    var e = Exp512(Vector512.Load(l + i) - m5);
                    e.Store(p + i);
                    acc += e.GetLower();
                    acc += e.GetUpper();
                }
            }
            var m = Vector256.Create(max);
            for (; i < n8; i += 8)
            {
                var e = Exp256(Vector256.Load(l + i) - m);
                e.Store(p + i);
                acc += e;
            }
            s = Tree(acc);
        }
        else if (w == 128)
        {
            var lo = Vector128<float>.Zero;
            var hi = Vector128<float>.Zero;
            var m = Vector128.Create(max);
            for (; i < n8; i += 8)
            {
                var e0 = Exp128(Vector128.Load(l + i) - m);
                var e1 = Exp128(Vector128.Load(l + i + 4) - m);
                e0.Store(p + i);
                e1.Store(p + i + 4);
                lo += e0;
                hi += e1;
            }
            var h = lo + hi;
            s = (h[0] + h[2]) + (h[1] + h[3]);
        }
        else
        {
            float l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
            for (; i < n8; i += 8)
            {
                float e0 = NMath.Exp(l[i] - max), e1 = NMath.Exp(l[i + 1] - max), e2 = NMath.Exp(l[i + 2] - max), e3 = NMath.Exp(l[i + 3] - max);
                float e4 = NMath.Exp(l[i + 4] - max), e5 = NMath.Exp(l[i + 5] - max), e6 = NMath.Exp(l[i + 6] - max), e7 = NMath.Exp(l[i + 7] - max);
                p[i] = e0; p[i + 1] = e1; p[i + 2] = e2; p[i + 3] = e3; p[i + 4] = e4; p[i + 5] = e5; p[i + 6] = e6; p[i + 7] = e7;
                l0 += e0; l1 += e1; l2 += e2; l3 += e3; l4 += e4; l5 += e5; l6 += e6; l7 += e7;
            }
            s = Tree(l0, l1, l2, l3, l4, l5, l6, l7);
        }
        if (i < n && w >= 256)
        {
            // the tail (< 8 values): exponentials in one masked vector, added one by one as Sum does
            int r = n - i;
            var mask = TailMask(r);
            var e = Exp256(Avx.MaskLoad(l + i, mask) - Vector256.Create(max));
            Avx.MaskStore(p + i, mask, e);
            ref float el = ref Unsafe.As<Vector256<float>, float>(ref e);
            for (int q = 0; q < r; q++)
            {
                s += Unsafe.Add(ref el, q);
            }
            return s;
        }
        for (; i < n; i++)
        {
            float e = NMath.Exp(l[i] - max);
            p[i] = e;
            s += e;
        }
        return s;
    }

    /// <summary>max of x[0..n) as the scalar loop <c>if (x &gt; max) max = x</c> computes it (NaN ignored); −∞ for n = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Max(float* x, int n)
    {
        int i = 0;
        float max = float.NegativeInfinity;
        int w = Width;
        if (w >= 256 && n >= 8)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            if (w == 512 && n >= 16)
            {
                var m5 = Vector512.Create(float.NegativeInfinity);
                for (; i + 16 <= n; i += 16)
                {
                    var v = Vector512.Load(x + i);
                    m5 = Vector512.ConditionalSelect(Vector512.GreaterThan(v, m5), v, m5);
                }
                m = Vector256.ConditionalSelect(Vector256.GreaterThan(m5.GetUpper(), m5.GetLower()), m5.GetUpper(), m5.GetLower());
            }
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.Load(x + i);
                m = Vector256.ConditionalSelect(Vector256.GreaterThan(v, m), v, m);
            }
            for (int k = 0; k < 8; k++)
            {
                if (m[k] > max)
                {
                    max = m[k];
                }
            }
        }
        for (; i < n; i++)
        {
            if (x[i] > max)
            {
                max = x[i];
            }
        }
        return max;
    }

    /// <summary>x[i] *= s for i in [0, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(float* x, float s, int n)
    {
        int i = 0;
        int w = Width;
        if (w == 512)
        {
            var v = Vector512.Create(s);
            for (; i + 16 <= n; i += 16)
            {
                (Vector512.Load(x + i) * v).Store(x + i);
            }
        }
        if (w >= 256)
        {
            var v = Vector256.Create(s);
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(x + i) * v).Store(x + i);
            }
        }
        else if (w == 128)
        {
            var v = Vector128.Create(s);
            for (; i + 4 <= n; i += 4)
            {
                (Vector128.Load(x + i) * v).Store(x + i);
            }
        }
        for (; i < n; i++)
        {
            x[i] *= s;
        }
    }

    private static void GeluForwardRange(float* o, float* x, int a, int b)
    {
        int i = a;
        int w = Width;
        if (w == 512)
        {
            for (; i + 16 <= b; i += 16)
            {
                var v = Vector512.Load(x + i);
                var cube = Vector512.Create(0.044715f) * v * v * v;
                var th = Tanh512(Vector512.Create(GeluScale) * (v + cube));
                (Vector512.Create(0.5f) * v * (Vector512.Create(1f) + th)).Store(o + i);
            }
        }
        if (w >= 256)
        {
            for (; i + 8 <= b; i += 8)
            {
                var v = Vector256.Load(x + i);
                var cube = Vector256.Create(0.044715f) * v * v * v;
                var th = Tanh256(Vector256.Create(GeluScale) * (v + cube));
                (Vector256.Create(0.5f) * v * (Vector256.Create(1f) + th)).Store(o + i);
            }
        }
        for (; i < b; i++)
        {
            float v = x[i];
            float cube = 0.044715f * v * v * v;
            o[i] = 0.5f * v * (1f + NMath.Tanh(GeluScale * (v + cube)));
        }
    }

    private static void GeluBackwardRange(float* di, float* x, float* d, int a, int b, bool overwrite)
    {
        const float k3 = 3f * 0.044715f;
        int i = a;
        int w = Width;
        if (w == 512)
        {
            for (; i + 16 <= b; i += 16)
            {
                var v = Vector512.Load(x + i);
                var cube = Vector512.Create(0.044715f) * v * v * v;
                var th = Tanh512(Vector512.Create(GeluScale) * (v + cube));
                var sech2 = Vector512.Create(1f) - th * th;
                var grad = Vector512.Create(0.5f) * (Vector512.Create(1f) + th)
                    + v * Vector512.Create(0.5f) * sech2 * Vector512.Create(GeluScale) * (Vector512.Create(1f) + Vector512.Create(k3) * v * v);
                ((overwrite ? Vector512<float>.Zero : Vector512.Load(di + i)) + grad * Vector512.Load(d + i)).Store(di + i);
            }
        }
        if (w >= 256)
        {
            for (; i + 8 <= b; i += 8)
            {
                var v = Vector256.Load(x + i);
                var cube = Vector256.Create(0.044715f) * v * v * v;
                var th = Tanh256(Vector256.Create(GeluScale) * (v + cube));
                var sech2 = Vector256.Create(1f) - th * th;
                var grad = Vector256.Create(0.5f) * (Vector256.Create(1f) + th)
                    + v * Vector256.Create(0.5f) * sech2 * Vector256.Create(GeluScale) * (Vector256.Create(1f) + Vector256.Create(k3) * v * v);
                ((overwrite ? Vector256<float>.Zero : Vector256.Load(di + i)) + grad * Vector256.Load(d + i)).Store(di + i);
            }
        }
        for (; i < b; i++)
        {
            float v = x[i];
            float cube = 0.044715f * v * v * v;
            float th = NMath.Tanh(GeluScale * (v + cube));
            float sech2 = 1f - th * th;
            float grad = 0.5f * (1f + th) + v * 0.5f * sech2 * GeluScale * (1f + k3 * v * v);
            di[i] = (overwrite ? 0f : di[i]) + grad * d[i];
        }
    }
}
