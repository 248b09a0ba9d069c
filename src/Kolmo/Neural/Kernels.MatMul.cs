using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kolmo.Neural;

// Matmul and dot products.
//
// Determinism rule used everywhere: an output element is ONE accumulator updated in a fixed order
//   acc = C[i,j];  for k = 0 .. K-1:  acc = fma(A[i,k], B[k,j], acc)        (fused, correctly rounded)
// SIMD vectorises across independent outputs j (never across k), so the vector width, the tile shape,
// the k-blocking and the thread partition cannot change a single bit: every path computes every element
// by the same sequence of fused multiply-adds. Scalar uses MathF.FusedMultiplyAdd (exact fma even when
// hardware intrinsics are disabled), SIMD uses Vector256/Vector128.FusedMultiplyAdd.
//
// Reductions that must run along contiguous memory (Dot, Sum) use 8 fixed interleaved lanes
// (lane l takes i ≡ l mod 8), combined by the fixed tree ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)), then the
// tail i >= 8*floor(n/8) sequentially. Scalar emulates the 8 lanes, Vector128 holds them in two registers,
// Vector256 in one.
internal static unsafe partial class Kernels
{
    private const int KC = 256;   // k-block: a 6×KC strip of A and a KC×16 panel of B stay in L1
    private const int MC = 192;    // row block

    // ---------------------------------------------------------------------------------------------------
    // C[M,N] += A[M,K] @ B[K,N]     (row-major, leading dimensions lda, ldb, ldc)
    // ---------------------------------------------------------------------------------------------------

    /// <summary>C[M,N] += A[M,K] · B[K,N], row-major; threads split rows.</summary>
    public static void MatMulAdd(float* c, float* a, float* b, int m, int k, int n)
        => MatMulAdd(c, n, a, k, b, n, m, k, n);

    /// <summary>C += A·B with leading dimensions.</summary>
    public static void MatMulAdd(float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int k, int n)
    {
        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }
        nint cp = (nint)c, ap = (nint)a, bp = (nint)b;
        int w = Width;
        // partition rows in multiples of 6 so the row tiles are the same whatever the thread count (not needed
        // for correctness — every element is independent — but it keeps speed stable).
        Par.For(m, 2L * k * n, (r0, r1) =>
        {
            float* cc = (float*)cp, aa = (float*)ap, bb = (float*)bp;
            if (w == 256)
            {
                Block256(cc, ldc, aa, lda, bb, ldb, r0, r1, k, n);
            }
            else if (w == 128)
            {
                Block128(cc, ldc, aa, lda, bb, ldb, r0, r1, k, n);
            }
            else
            {
                BlockScalar(cc, ldc, aa, lda, bb, ldb, r0, r1, k, n);
            }
        });
    }

    /// <summary>Scalar reference: the plain triple loop with one fused accumulator per element.</summary>
    internal static void BlockScalar(float* c, int ldc, float* a, int lda, float* b, int ldb, int r0, int r1, int k, int n)
    {
        for (int i = r0; i < r1; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float acc = c[(long)i * ldc + j];
                for (int p = 0; p < k; p++)
                {
                    acc = MathF.FusedMultiplyAdd(a[(long)i * lda + p], b[(long)p * ldb + j], acc);
                }
                c[(long)i * ldc + j] = acc;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block256(float* c, int ldc, float* a, int lda, float* b, int ldb, int r0, int r1, int k, int n)
    {
        // packed KC×16 panel of B: contiguous, so the micro-kernel streams it from L1 without TLB misses
        float* pk = stackalloc float[KC * 16];
        for (int k0 = 0; k0 < k; k0 += KC)
        {
            int kb = Math.Min(KC, k - k0);
            for (int i0 = r0; i0 < r1; i0 += MC)
            {
                int i1 = Math.Min(r1, i0 + MC);
                int j = 0;
                for (; j + 16 <= n; j += 16)
                {
                    float* bs = b + (long)k0 * ldb + j;
                    for (int p = 0; p < kb; p++)
                    {
                        Vector256.Load(bs + (long)p * ldb).Store(pk + p * 16);
                        Vector256.Load(bs + (long)p * ldb + 8).Store(pk + p * 16 + 8);
                    }
                    int i = i0;
                    for (; i + 6 <= i1; i += 6)
                    {
                        Micro6x16(c + (long)i * ldc + j, ldc, a + (long)i * lda + k0, lda, pk, 16, kb);
                    }
                    for (; i < i1; i++)
                    {
                        Micro1x16(c + (long)i * ldc + j, a + (long)i * lda + k0, pk, 16, kb);
                    }
                }
                for (; j + 8 <= n; j += 8)
                {
                    for (int i = i0; i < i1; i++)
                    {
                        float* cr = c + (long)i * ldc + j;
                        float* ar = a + (long)i * lda + k0;
                        float* br = b + (long)k0 * ldb + j;
                        var acc = Vector256.Load(cr);
                        for (int p = 0; p < kb; p++)
                        {
                            acc = Vector256.FusedMultiplyAdd(Vector256.Create(ar[p]), Vector256.Load(br + (long)p * ldb), acc);
                        }
                        acc.Store(cr);
                    }
                }
                if (j < n)
                {
                    BlockScalar(c + j, ldc, a + k0, lda, b + (long)k0 * ldb + j, ldb, i0, i1, kb, n - j);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro1x16(float* c, float* a, float* b, int ldb, int kb)
    {
        var c0 = Vector256.Load(c);
        var c1 = Vector256.Load(c + 8);
        for (int p = 0; p < kb; p++)
        {
            var av = Vector256.Create(a[p]);
            float* bp = b + (long)p * ldb;
            c0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp), c0);
            c1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 8), c1);
        }
        c0.Store(c);
        c1.Store(c + 8);
    }

    // 6 rows × 16 columns: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6x16(float* c, int ldc, float* a, int lda, float* b, int ldb, int kb)
    {
        float* c0p = c, c1p = c + ldc, c2p = c + 2L * ldc, c3p = c + 3L * ldc, c4p = c + 4L * ldc, c5p = c + 5L * ldc;
        var c00 = Vector256.Load(c0p); var c01 = Vector256.Load(c0p + 8);
        var c10 = Vector256.Load(c1p); var c11 = Vector256.Load(c1p + 8);
        var c20 = Vector256.Load(c2p); var c21 = Vector256.Load(c2p + 8);
        var c30 = Vector256.Load(c3p); var c31 = Vector256.Load(c3p + 8);
        var c40 = Vector256.Load(c4p); var c41 = Vector256.Load(c4p + 8);
        var c50 = Vector256.Load(c5p); var c51 = Vector256.Load(c5p + 8);
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda, a3 = a + 3L * lda, a4 = a + 4L * lda, a5 = a + 5L * lda;
        for (int p = 0; p < kb; p++)
        {
            float* bp = b + (long)p * ldb;
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 8);
            var av = Vector256.Create(a0[p]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[p]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[p]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[p]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[p]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[p]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
        }
        c00.Store(c0p); c01.Store(c0p + 8);
        c10.Store(c1p); c11.Store(c1p + 8);
        c20.Store(c2p); c21.Store(c2p + 8);
        c30.Store(c3p); c31.Store(c3p + 8);
        c40.Store(c4p); c41.Store(c4p + 8);
        c50.Store(c5p); c51.Store(c5p + 8);
    }

    // Vector128 path: same tiles, each 8 columns held in two 4-wide registers (4 rows × 8 columns).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block128(float* c, int ldc, float* a, int lda, float* b, int ldb, int r0, int r1, int k, int n)
    {
        for (int k0 = 0; k0 < k; k0 += KC)
        {
            int kb = Math.Min(KC, k - k0);
            int j = 0;
            for (; j + 8 <= n; j += 8)
            {
                int i = r0;
                for (; i + 4 <= r1; i += 4)
                {
                    float* cp = c + (long)i * ldc + j;
                    float* ap = a + (long)i * lda + k0;
                    float* bp0 = b + (long)k0 * ldb + j;
                    var c00 = Vector128.Load(cp); var c01 = Vector128.Load(cp + 4);
                    var c10 = Vector128.Load(cp + ldc); var c11 = Vector128.Load(cp + ldc + 4);
                    var c20 = Vector128.Load(cp + 2L * ldc); var c21 = Vector128.Load(cp + 2L * ldc + 4);
                    var c30 = Vector128.Load(cp + 3L * ldc); var c31 = Vector128.Load(cp + 3L * ldc + 4);
                    for (int p = 0; p < kb; p++)
                    {
                        float* bp = bp0 + (long)p * ldb;
                        var b0 = Vector128.Load(bp);
                        var b1 = Vector128.Load(bp + 4);
                        var av = Vector128.Create(ap[p]);
                        c00 = Vector128.FusedMultiplyAdd(av, b0, c00); c01 = Vector128.FusedMultiplyAdd(av, b1, c01);
                        av = Vector128.Create(ap[lda + p]);
                        c10 = Vector128.FusedMultiplyAdd(av, b0, c10); c11 = Vector128.FusedMultiplyAdd(av, b1, c11);
                        av = Vector128.Create(ap[2L * lda + p]);
                        c20 = Vector128.FusedMultiplyAdd(av, b0, c20); c21 = Vector128.FusedMultiplyAdd(av, b1, c21);
                        av = Vector128.Create(ap[3L * lda + p]);
                        c30 = Vector128.FusedMultiplyAdd(av, b0, c30); c31 = Vector128.FusedMultiplyAdd(av, b1, c31);
                    }
                    c00.Store(cp); c01.Store(cp + 4);
                    c10.Store(cp + ldc); c11.Store(cp + ldc + 4);
                    c20.Store(cp + 2L * ldc); c21.Store(cp + 2L * ldc + 4);
                    c30.Store(cp + 3L * ldc); c31.Store(cp + 3L * ldc + 4);
                }
                for (; i < r1; i++)
                {
                    float* cp = c + (long)i * ldc + j;
                    float* ap = a + (long)i * lda + k0;
                    float* bp0 = b + (long)k0 * ldb + j;
                    var c0 = Vector128.Load(cp); var c1 = Vector128.Load(cp + 4);
                    for (int p = 0; p < kb; p++)
                    {
                        var av = Vector128.Create(ap[p]);
                        c0 = Vector128.FusedMultiplyAdd(av, Vector128.Load(bp0 + (long)p * ldb), c0);
                        c1 = Vector128.FusedMultiplyAdd(av, Vector128.Load(bp0 + (long)p * ldb + 4), c1);
                    }
                    c0.Store(cp); c1.Store(cp + 4);
                }
            }
            if (j < n)
            {
                BlockScalar(c + j, ldc, a + k0, lda, b + (long)k0 * ldb + j, ldb, r0, r1, kb, n - j);
            }
        }
    }

    /// <summary>dst[N,M] = src[M,N]ᵀ.</summary>
    public static void Transpose(float* dst, float* src, int m, int n)
    {
        const int T = 32;
        for (int i0 = 0; i0 < m; i0 += T)
        {
            int i1 = Math.Min(m, i0 + T);
            for (int j0 = 0; j0 < n; j0 += T)
            {
                int j1 = Math.Min(n, j0 + T);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        dst[(long)j * m + i] = src[(long)i * n + j];
                    }
                }
            }
        }
    }

    /// <summary>C[M,N] += Aᵀ · B where A is stored [K,M] and B is [K,N] (weight gradients: dW = inpᵀ · dout).</summary>
    public static void MatMulAtAdd(float* c, float* a, float* b, int m, int k, int n)
    {
        float[] t = ArrayPool<float>.Shared.Rent(Math.Max(1, m * k));
        try
        {
            fixed (float* tp = t)
            {
                Transpose(tp, a, k, m);
                MatMulAdd(c, tp, b, m, k, n);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(t);
        }
    }

    /// <summary>C[M,N] += A · Bᵀ where A is [M,K] and B is stored [N,K] (input gradients: dinp = dout · Wᵀ).</summary>
    public static void MatMulBtAdd(float* c, float* a, float* b, int m, int k, int n)
    {
        float[] t = ArrayPool<float>.Shared.Rent(Math.Max(1, n * k));
        try
        {
            fixed (float* tp = t)
            {
                Transpose(tp, b, n, k);
                MatMulAdd(c, a, tp, m, k, n);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(t);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Dot products with 8 fixed lanes
    // ---------------------------------------------------------------------------------------------------

    /// <summary>Σ a[i]·b[i] with the fixed 8-lane order (identical on every path).</summary>
    public static float Dot(float* a, float* b, int n)
    {
        int w = Width;
        return w == 256 ? Dot256(a, b, n) : w == 128 ? Dot128(a, b, n) : DotScalar(a, b, n);
    }

    internal static float DotScalar(float* a, float* b, int n)
    {
        float l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
        int n8 = n & ~7;
        for (int i = 0; i < n8; i += 8)
        {
            l0 = MathF.FusedMultiplyAdd(a[i], b[i], l0);
            l1 = MathF.FusedMultiplyAdd(a[i + 1], b[i + 1], l1);
            l2 = MathF.FusedMultiplyAdd(a[i + 2], b[i + 2], l2);
            l3 = MathF.FusedMultiplyAdd(a[i + 3], b[i + 3], l3);
            l4 = MathF.FusedMultiplyAdd(a[i + 4], b[i + 4], l4);
            l5 = MathF.FusedMultiplyAdd(a[i + 5], b[i + 5], l5);
            l6 = MathF.FusedMultiplyAdd(a[i + 6], b[i + 6], l6);
            l7 = MathF.FusedMultiplyAdd(a[i + 7], b[i + 7], l7);
        }
        float s = Tree(l0, l1, l2, l3, l4, l5, l6, l7);
        for (int i = n8; i < n; i++)
        {
            s = MathF.FusedMultiplyAdd(a[i], b[i], s);
        }
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tree(float l0, float l1, float l2, float l3, float l4, float l5, float l6, float l7)
    {
        float s0 = l0 + l4, s1 = l1 + l5, s2 = l2 + l6, s3 = l3 + l7;
        return (s0 + s2) + (s1 + s3);
    }

    private static float Dot256(float* a, float* b, int n)
    {
        var acc = Vector256<float>.Zero;
        int n8 = n & ~7;
        for (int i = 0; i < n8; i += 8)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
        }
        var h = acc.GetLower() + acc.GetUpper();        // (l0+l4, l1+l5, l2+l6, l3+l7)
        float s = (h[0] + h[2]) + (h[1] + h[3]);
        for (int i = n8; i < n; i++)
        {
            s = MathF.FusedMultiplyAdd(a[i], b[i], s);
        }
        return s;
    }

    private static float Dot128(float* a, float* b, int n)
    {
        var lo = Vector128<float>.Zero;
        var hi = Vector128<float>.Zero;
        int n8 = n & ~7;
        for (int i = 0; i < n8; i += 8)
        {
            lo = Vector128.FusedMultiplyAdd(Vector128.Load(a + i), Vector128.Load(b + i), lo);
            hi = Vector128.FusedMultiplyAdd(Vector128.Load(a + i + 4), Vector128.Load(b + i + 4), hi);
        }
        var h = lo + hi;
        float s = (h[0] + h[2]) + (h[1] + h[3]);
        for (int i = n8; i < n; i++)
        {
            s = MathF.FusedMultiplyAdd(a[i], b[i], s);
        }
        return s;
    }

    /// <summary>Σ a[i] with the same fixed 8-lane order.</summary>
    public static float Sum(float* a, int n)
    {
        int w = Width;
        int n8 = n & ~7;
        float s;
        if (w == 256)
        {
            var acc = Vector256<float>.Zero;
            for (int i = 0; i < n8; i += 8)
            {
                acc += Vector256.Load(a + i);
            }
            var h = acc.GetLower() + acc.GetUpper();
            s = (h[0] + h[2]) + (h[1] + h[3]);
        }
        else if (w == 128)
        {
            var lo = Vector128<float>.Zero;
            var hi = Vector128<float>.Zero;
            for (int i = 0; i < n8; i += 8)
            {
                lo += Vector128.Load(a + i);
                hi += Vector128.Load(a + i + 4);
            }
            var h = lo + hi;
            s = (h[0] + h[2]) + (h[1] + h[3]);
        }
        else
        {
            float l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
            for (int i = 0; i < n8; i += 8)
            {
                l0 += a[i]; l1 += a[i + 1]; l2 += a[i + 2]; l3 += a[i + 3];
                l4 += a[i + 4]; l5 += a[i + 5]; l6 += a[i + 6]; l7 += a[i + 7];
            }
            s = Tree(l0, l1, l2, l3, l4, l5, l6, l7);
        }
        for (int i = n8; i < n; i++)
        {
            s += a[i];
        }
        return s;
    }

    /// <summary>y[i] += alpha·x[i] (fused), elementwise: identical on every path.</summary>
    public static void Axpy(float* y, float alpha, float* x, int n)
    {
        int i = 0;
        if (Width == 256)
        {
            var av = Vector256.Create(alpha);
            for (; i + 8 <= n; i += 8)
            {
                Vector256.FusedMultiplyAdd(av, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            }
        }
        else if (Width == 128)
        {
            var av = Vector128.Create(alpha);
            for (; i + 4 <= n; i += 4)
            {
                Vector128.FusedMultiplyAdd(av, Vector128.Load(x + i), Vector128.Load(y + i)).Store(y + i);
            }
        }
        for (; i < n; i++)
        {
            y[i] = MathF.FusedMultiplyAdd(alpha, x[i], y[i]);
        }
    }

    /// <summary>y[i] += x[i], elementwise.</summary>
    public static void AddTo(float* y, float* x, int n)
    {
        int i = 0;
        if (Width == 256)
        {
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(y + i) + Vector256.Load(x + i)).Store(y + i);
            }
        }
        for (; i < n; i++)
        {
            y[i] += x[i];
        }
    }
}
