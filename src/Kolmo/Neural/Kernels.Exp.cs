using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kolmo.Neural;

// Vector256 versions of NMath.Exp / Tanh for the elementwise kernels (GELU, softmax). They perform exactly the
// scalar operation sequence lane by lane (IEEE mul/add/sub/div, round-half-even, integer shift), so they give
// the same bits as NMath; tails and other widths use NMath itself.
internal static unsafe partial class Kernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp256(Vector256<float> x)
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
    private static Vector256<float> Tanh256(Vector256<float> x)
    {
        var e = Exp256(Vector256.Create(2f) * x);
        var one = Vector256.Create(1f);
        var t = (e - one) / (e + one);
        t = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(9f)), one, t);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-9f)), -one, t);
    }

    /// <summary>p[i] = exp(l[i] − max) for i in [0, n).</summary>
    private static void ExpShifted(float* p, float* l, float max, int n)
    {
        int i = 0;
        if (Width == 256)
        {
            var m = Vector256.Create(max);
            for (; i + 8 <= n; i += 8)
            {
                Exp256(Vector256.Load(l + i) - m).Store(p + i);
            }
        }
        for (; i < n; i++)
        {
            p[i] = NMath.Exp(l[i] - max);
        }
    }

    private static void GeluForwardRange(float* o, float* x, int a, int b)
    {
        int i = a;
        if (Width == 256)
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

    private static void GeluBackwardRange(float* di, float* x, float* d, int a, int b)
    {
        const float k3 = 3f * 0.044715f;
        int i = a;
        if (Width == 256)
        {
            for (; i + 8 <= b; i += 8)
            {
                var v = Vector256.Load(x + i);
                var cube = Vector256.Create(0.044715f) * v * v * v;
                var th = Tanh256(Vector256.Create(GeluScale) * (v + cube));
                var sech2 = Vector256.Create(1f) - th * th;
                var grad = Vector256.Create(0.5f) * (Vector256.Create(1f) + th)
                    + v * Vector256.Create(0.5f) * sech2 * Vector256.Create(GeluScale) * (Vector256.Create(1f) + Vector256.Create(k3) * v * v);
                (Vector256.Load(di + i) + grad * Vector256.Load(d + i)).Store(di + i);
            }
        }
        for (; i < b; i++)
        {
            float v = x[i];
            float cube = 0.044715f * v * v * v;
            float th = NMath.Tanh(GeluScale * (v + cube));
            float sech2 = 1f - th * th;
            float grad = 0.5f * (1f + th) + v * 0.5f * sech2 * GeluScale * (1f + k3 * v * v);
            di[i] += grad * d[i];
        }
    }
}
