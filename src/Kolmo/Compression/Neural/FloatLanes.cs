using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kolmo.Neural;

namespace Kolmo.Compression.Neural;

/// <summary>
/// One SIMD register of floats, as a type parameter: the recurrent kernels (<see cref="RecurrentKernels"/>) are
/// written once, generic over <typeparamref name="TSelf"/>, and the JIT compiles a copy per width
/// (<see cref="Lanes1"/> = the scalar reference, <see cref="Lanes4"/>, <see cref="Lanes8"/>, <see cref="Lanes16"/>).
/// <para>Every operation is elementwise and exactly rounded the same way in every width (IEEE add, sub, mul, div,
/// sqrt, min/max of non-NaN values, one fused multiply-add), so a kernel that never reduces across lanes gives
/// identical bits for every width. <see cref="Exp"/> is the engine's exponential: <c>NMath.Exp</c> (range reduction
/// and a degree-7 polynomial with plain mul/add) lane by lane, the same vector code (<c>Kernels.Exp512/256/128</c>)
/// that the engine's softmax, GELU and LSTM gates use.</para>
/// </summary>
internal unsafe interface ILanes<TSelf>
    where TSelf : unmanaged, ILanes<TSelf>
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    static abstract TSelf Load(float* p);

    static abstract void Store(float* p, TSelf v);

    static abstract TSelf Splat(float x);

    /// <summary>a·b + c with one rounding.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Add(TSelf a, TSelf b);

    static abstract TSelf Sub(TSelf a, TSelf b);

    static abstract TSelf Mul(TSelf a, TSelf b);

    static abstract TSelf Div(TSelf a, TSelf b);

    static abstract TSelf Sqrt(TSelf a);

    /// <summary>Elementwise minimum (operands are never NaN here).</summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>Elementwise maximum (operands are never NaN here).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>e^x as <c>NMath.Exp</c>: 0 below −87, x clamped at 88.</summary>
    static abstract TSelf Exp(TSelf x);
}

/// <summary>The scalar reference: one float, <see cref="MathF.FusedMultiplyAdd"/> (exact with intrinsics off too).</summary>
internal readonly unsafe struct Lanes1 : ILanes<Lanes1>
{
    private readonly float _v;

    private Lanes1(float v) => _v = v;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Load(float* p) => new(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Lanes1 v) => *p = v._v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Splat(float x) => new(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Fma(Lanes1 a, Lanes1 b, Lanes1 c) => new(MathF.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Add(Lanes1 a, Lanes1 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Sub(Lanes1 a, Lanes1 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Mul(Lanes1 a, Lanes1 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Div(Lanes1 a, Lanes1 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Sqrt(Lanes1 a) => new(MathF.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Min(Lanes1 a, Lanes1 b) => new(a._v < b._v ? a._v : b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Max(Lanes1 a, Lanes1 b) => new(a._v > b._v ? a._v : b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Exp(Lanes1 x) => new(NMath.Exp(x._v));
}

/// <summary>Four floats (<see cref="Vector128{T}"/>).</summary>
internal readonly unsafe struct Lanes4 : ILanes<Lanes4>
{
    private readonly Vector128<float> _v;

    private Lanes4(Vector128<float> v) => _v = v;

    public static int Count => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Load(float* p) => new(Vector128.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Lanes4 v) => v._v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Splat(float x) => new(Vector128.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Fma(Lanes4 a, Lanes4 b, Lanes4 c) => new(Vector128.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Add(Lanes4 a, Lanes4 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Sub(Lanes4 a, Lanes4 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Mul(Lanes4 a, Lanes4 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Div(Lanes4 a, Lanes4 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Sqrt(Lanes4 a) => new(Vector128.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Min(Lanes4 a, Lanes4 b) => new(Vector128.ConditionalSelect(Vector128.LessThan(a._v, b._v), a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Max(Lanes4 a, Lanes4 b) => new(Vector128.ConditionalSelect(Vector128.GreaterThan(a._v, b._v), a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Exp(Lanes4 x) => new(Kernels.Exp128(x._v));
}

/// <summary>Eight floats (<see cref="Vector256{T}"/>).</summary>
internal readonly unsafe struct Lanes8 : ILanes<Lanes8>
{
    private readonly Vector256<float> _v;

    private Lanes8(Vector256<float> v) => _v = v;

    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Load(float* p) => new(Vector256.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Lanes8 v) => v._v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Splat(float x) => new(Vector256.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Fma(Lanes8 a, Lanes8 b, Lanes8 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Add(Lanes8 a, Lanes8 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Sub(Lanes8 a, Lanes8 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Mul(Lanes8 a, Lanes8 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Div(Lanes8 a, Lanes8 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Sqrt(Lanes8 a) => new(Vector256.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Min(Lanes8 a, Lanes8 b) => new(Vector256.ConditionalSelect(Vector256.LessThan(a._v, b._v), a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Max(Lanes8 a, Lanes8 b) => new(Vector256.ConditionalSelect(Vector256.GreaterThan(a._v, b._v), a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Exp(Lanes8 x) => new(Kernels.Exp256(x._v));
}

/// <summary>Sixteen floats (<see cref="Vector512{T}"/>).</summary>
internal readonly unsafe struct Lanes16 : ILanes<Lanes16>
{
    private readonly Vector512<float> _v;

    private Lanes16(Vector512<float> v) => _v = v;

    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Load(float* p) => new(Vector512.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Lanes16 v) => v._v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Splat(float x) => new(Vector512.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Fma(Lanes16 a, Lanes16 b, Lanes16 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Add(Lanes16 a, Lanes16 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Sub(Lanes16 a, Lanes16 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Mul(Lanes16 a, Lanes16 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Div(Lanes16 a, Lanes16 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Sqrt(Lanes16 a) => new(Vector512.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Min(Lanes16 a, Lanes16 b) => new(Vector512.ConditionalSelect(Vector512.LessThan(a._v, b._v), a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Max(Lanes16 a, Lanes16 b) => new(Vector512.ConditionalSelect(Vector512.GreaterThan(a._v, b._v), a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Exp(Lanes16 x) => new(Kernels.Exp512(x._v));
}

/// <summary>Which register width the recurrent kernels use. Changing it never changes a result (tests force each).</summary>
internal static class LaneWidth
{
    /// <summary>
    /// 0 = the widest this machine runs well; 1 = scalar reference; 4, 8 or 16 = that many floats (if available).
    /// Per thread (the models run on their caller's thread), so tests can force a width without touching others.
    /// </summary>
    [ThreadStatic]
    internal static int Forced;

    /// <summary>Floats per register the next kernel call uses: 16, 8, 4 or 1.</summary>
    internal static int Current
    {
        get
        {
            int best = Vector512.IsHardwareAccelerated && Fma.IsSupported ? 16
                : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 8
                : Vector128.IsHardwareAccelerated && Fma.IsSupported ? 4
                : 1;
            return Forced == 0 ? best : Math.Min(Forced, best);
        }
    }

    /// <summary>Human-readable path, e.g. <c>vector512+fma</c>.</summary>
    internal static string Name => Current switch
    {
        16 => "vector512+fma",
        8 => "vector256+fma",
        4 => "vector128+fma",
        _ => "scalar",
    };
}
