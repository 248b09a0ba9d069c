using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kolmo.Neural;

// Matrix products C += op(A)·op(B) and contiguous reductions.
//
// Determinism rule used everywhere: an output element is ONE accumulator updated in a fixed order
//   acc = C[i,j];  for p = 0 .. K-1:  acc = fma(A[i,p], B[p,j], acc)        (fused, correctly rounded)
// SIMD vectorises across independent outputs j (never across p), so the vector width, the tile shape, the
// k-blocking, the packing and the thread partition cannot change a single bit: every path computes every
// element by the same sequence of fused multiply-adds. Scalar uses MathF.FusedMultiplyAdd (exact fma even when
// hardware intrinsics are disabled), SIMD uses Vector512/256/128.FusedMultiplyAdd.
//
// One blocked driver serves the three layouts (A·B, Aᵀ·B, A·Bᵀ), with no transposed copy of an operand:
//   - B is packed per k-block into NR-column panels [kb][NR] (a row copy for B, a transposing gather for Bᵀ);
//   - A is read in place: Aᵀ (stored [K,M]) gives MR consecutive floats per p, a row-major A gives MR row
//     pointers; only when many column panels reuse a row block, or for a partial row tile, is A packed into
//     an [kb][MR] panel (zero rows padded; their results are discarded).
// Edge tiles (fewer than MR rows or NR columns) run the same micro-kernel on a copy of the C tile.
//
// Reductions that must run along contiguous memory (Dot, Sum) use 8 fixed interleaved lanes
// (lane l takes i ≡ l mod 8), combined by the fixed tree ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)), then the
// tail i >= 8*floor(n/8) sequentially. Scalar emulates the 8 lanes, Vector128 holds them in two registers,
// Vector256 in one; Vector512 uses the Vector256 code (a 16-wide accumulator would change the order).
internal static unsafe partial class Kernels
{
    private const int KC = 256;    // k-block: an NR-column panel of B (KC × 32 floats = 32 KiB) stays in L1
    private const int MC = 96;     // row block (multiple of every MR)
    private const int NC = 512;    // column block: the packed B block (KC × NC) stays in L2

    [ThreadStatic]
    private static float[]? _packB;

    [ThreadStatic]
    private static float[]? _packA;

    // ---------------------------------------------------------------------------------------------------
    // entry points
    // ---------------------------------------------------------------------------------------------------

    /// <summary>C[M,N] += A[M,K] · B[K,N], row-major; threads split rows.</summary>
    public static void MatMulAdd(float* c, float* a, float* b, int m, int k, int n)
        => Gemm(false, false, c, n, a, k, b, n, m, k, n);

    /// <summary>C += A·B with leading dimensions.</summary>
    public static void MatMulAdd(float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int k, int n)
        => Gemm(false, false, c, ldc, a, lda, b, ldb, m, k, n);

    /// <summary>C[M,N] += Aᵀ · B where A is stored [K,M] and B is [K,N] (weight gradients: dW = inpᵀ · dout).</summary>
    public static void MatMulAtAdd(float* c, float* a, float* b, int m, int k, int n)
        => Gemm(true, false, c, n, a, m, b, n, m, k, n);

    /// <summary>C += Aᵀ·B with leading dimensions (A stored [K, ≥M] with row stride lda).</summary>
    public static void MatMulAtAdd(float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int k, int n)
        => Gemm(true, false, c, ldc, a, lda, b, ldb, m, k, n);

    /// <summary>C[M,N] += A · Bᵀ where A is [M,K] and B is stored [N,K] (input gradients: dinp = dout · Wᵀ).</summary>
    public static void MatMulBtAdd(float* c, float* a, float* b, int m, int k, int n)
        => Gemm(false, true, c, n, a, k, b, k, m, k, n);

    /// <summary>C += A·Bᵀ with leading dimensions (B stored [N, ≥K] with row stride ldb).</summary>
    public static void MatMulBtAdd(float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int k, int n)
        => Gemm(false, true, c, ldc, a, lda, b, ldb, m, k, n);

    /// <summary>Triangular structure a product may exploit (square T×T operands with the same origin).</summary>
    internal enum Tri
    {
        /// <summary>Dense.</summary>
        None,

        /// <summary>Only C[i, j ≤ i] is needed: tiles entirely above the diagonal are skipped (others computed whole).</summary>
        LowerC,

        /// <summary>A[i, p] = 0 for p &gt; i: each row tile stops at its last row (the skipped products are exact zeros).</summary>
        LowerA,

        /// <summary>A[i, p] = 0 for p &lt; i: each row tile starts at its first row.</summary>
        UpperA,
    }

    /// <summary>How a product may treat C.</summary>
    [Flags]
    internal enum CMode
    {
        /// <summary>C += op(A)·op(B).</summary>
        Accumulate = 0,

        /// <summary>C = op(A)·op(B) (every chain starts at +0, the same bits as accumulating into zeros); with
        /// <see cref="Tri.LowerC"/>, skipped tiles are left as they were. Not with <see cref="Tri.UpperA"/>.</summary>
        Overwrite = 1,

        /// <summary>C may be written 7 rows past its last and up to its column count rounded up to 32 (scratch with
        /// padding): edge tiles are computed in place instead of through a copy. The rows are never split over threads.</summary>
        Padded = 2,
    }

    /// <summary>C (+)= op(A)·op(B) exploiting a triangular structure (attention scores and their products).</summary>
    internal static void MatMulTri(Tri tri, bool ta, bool tb, float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int k, int n, CMode mode = CMode.Accumulate)
        => Gemm(ta, tb, c, ldc, a, lda, b, ldb, m, k, n, tri, mode);

    private static void Gemm(bool ta, bool tb, float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int k, int n, Tri tri = Tri.None, CMode mode = CMode.Accumulate)
    {
        if ((mode & CMode.Overwrite) != 0 && tri == Tri.UpperA)
        {
            throw new ArgumentException("overwrite needs every tile's first k-block to be computed", nameof(mode));
        }
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return;
        }
        int w = Width;
        if (w == 1)
        {
            if ((mode & CMode.Overwrite) != 0)
            {
                ClearMatrix(c, ldc, m, n);
            }
            GemmScalar(ta, tb, c, ldc, a, lda, b, ldb, 0, m, k, n, tri);
            return;
        }
        if (m <= 2 && !tb && !ta && w >= 256 && tri == Tri.None)
        {
            if ((mode & CMode.Overwrite) != 0)
            {
                ClearMatrix(c, ldc, m, n);
            }
            for (int i = 0; i < m; i++)
            {
                GemvRow(w, c + (long)i * ldc, a + (long)i * lda, b, ldb, k, n);
            }
            return;
        }
        if (Par.Inside || NeuralRuntime.Threads == 1 || 2L * m * k * n < Par.MinWork || (mode & CMode.Padded) != 0)
        {
            GemmBlocked(w, ta, tb, c, ldc, a, lda, b, ldb, 0, m, k, n, tri, mode);
            return;
        }
        nint cp = (nint)c, ap = (nint)a, bp = (nint)b;
        Par.For(m, 2L * k * n, (r0, r1) => GemmBlocked(w, ta, tb, (float*)cp, ldc, (float*)ap, lda, (float*)bp, ldb, r0, r1, k, n, tri, mode));
    }

    /// <summary>
    /// Scalar reference: the plain triple loop with one fused accumulator per element (rows r0..r1). A triangular A
    /// limits each row's k range to its nonzero part (the blocked kernel's extra terms within a tile are exact zeros).
    /// </summary>
    internal static void GemmScalar(bool ta, bool tb, float* c, int ldc, float* a, int lda, float* b, int ldb, int r0, int r1, int k, int n, Tri tri = Tri.None)
    {
        for (int i = r0; i < r1; i++)
        {
            int pBegin = tri == Tri.UpperA ? Math.Min(i, k) : 0, pEnd = tri == Tri.LowerA ? Math.Min(i + 1, k) : k;
            for (int j = 0; j < n; j++)
            {
                float acc = c[(long)i * ldc + j];
                for (int p = pBegin; p < pEnd; p++)
                {
                    float av = ta ? a[(long)p * lda + i] : a[(long)i * lda + p];
                    float bv = tb ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                    acc = MathF.FusedMultiplyAdd(av, bv, acc);
                }
                c[(long)i * ldc + j] = acc;
            }
        }
    }

    private static void ClearMatrix(float* c, int ldc, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            new Span<float>(c + (long)i * ldc, n).Clear();
        }
    }

    private static float* Aligned(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + 16)
        {
            buffer = GC.AllocateArray<float>(floats + 16, pinned: true);
        }
        nint p = (nint)Pin.Ptr(buffer);
        return (float*)((p + 63) & ~(nint)63);
    }

    // ---------------------------------------------------------------------------------------------------
    // blocked driver (rows r0..r1 of C)
    // ---------------------------------------------------------------------------------------------------

    private static void GemmBlocked(int w, bool ta, bool tb, float* c, int ldc, float* a, int lda, float* b, int ldb, int r0, int r1, int k, int n, Tri tri, CMode mode)
    {
        bool overwrite = (mode & CMode.Overwrite) != 0;
        bool padded = (mode & CMode.Padded) != 0;
        int vec = w / 32;                                  // floats per vector: 16, 8, 4
        bool narrow = w != 128 && n <= vec;                // one vector wide: the single-vector tile
        int nr = w == 128 ? 8 : narrow ? vec : 2 * vec;
        int mr = w == 512 ? 8 : w == 256 ? 6 : 4;
        float* pb = Aligned(ref _packB, KC * NC);
        float* pa = Aligned(ref _packA, MC * KC);
        float* edge = stackalloc float[8 * 32 + 16];
        edge = (float*)(((nint)edge + 63) & ~(nint)63);
        int ncMax = NC / nr * nr;
        // B is packed into contiguous panels when it is transposed or reused by many row tiles; a few rows read it in place
        bool packB = tb || r1 - r0 > 64;
        for (int j0 = 0; j0 < n; j0 += ncMax)
        {
            int nc = Math.Min(ncMax, n - j0);
            int panels = (nc + nr - 1) / nr;
            // pack A only when it is reused across several column panels (row-major A; Aᵀ is read in place)
            bool packA = !ta && panels >= 3;
            for (int k0 = 0; k0 < k; k0 += KC)
            {
                int kb = Math.Min(KC, k - k0);
                if (packB)
                {
                    PackB(pb, b, ldb, tb, k0, kb, j0, nc, nr);
                }
                for (int i0 = r0; i0 < r1; i0 += MC)
                {
                    int mc = Math.Min(MC, r1 - i0);
                    if (packA)
                    {
                        PackA(pa, a, lda, ta, i0, mc, k0, kb, mr);
                    }
                    for (int jp = 0; jp < panels; jp++)
                    {
                        int jg = j0 + jp * nr;
                        int cols = Math.Min(nr, nc - jp * nr);
                        float* bpanel;
                        int bs;
                        if (packB)
                        {
                            bpanel = pb + (long)jp * kb * nr;
                            bs = nr;
                        }
                        else if (cols < nr)
                        {
                            PackB(pb, b, ldb, false, k0, kb, jg, cols, nr);
                            bpanel = pb;
                            bs = nr;
                        }
                        else
                        {
                            bpanel = b + (long)k0 * ldb + jg;
                            bs = ldb;
                        }
                        for (int ip = 0; ip * mr < mc; ip++)
                        {
                            int i = i0 + ip * mr;
                            int rows = Math.Min(mr, mc - ip * mr);
                            // the k range of this tile (a triangular A skips exact zeros)
                            int pBegin = k0, pEnd = k0 + kb;
                            if (tri == Tri.LowerC && jg > i + rows - 1)
                            {
                                continue;
                            }
                            if (tri == Tri.LowerA)
                            {
                                pEnd = Math.Min(pEnd, i + rows);
                            }
                            else if (tri == Tri.UpperA)
                            {
                                pBegin = Math.Max(pBegin, i);
                            }
                            if (pEnd <= pBegin)
                            {
                                continue;
                            }
                            int skip = pBegin - k0;
                            float* ct = c + (long)i * ldc + jg;
                            // A micro-panel: element (r, p) at ab[r*rs + p*cs]
                            float* ab;
                            int rs, cs;
                            if (packA)
                            {
                                ab = pa + (long)ip * kb * mr + (long)skip * mr;
                                rs = 1;
                                cs = mr;
                            }
                            else if (rows < mr)
                            {
                                // a partial row tile read in place would run past A: pack it (zero padded)
                                PackA(pa, a, lda, ta, i, rows, pBegin, pEnd - pBegin, mr);
                                ab = pa;
                                rs = 1;
                                cs = mr;
                            }
                            else if (ta)
                            {
                                ab = a + (long)pBegin * lda + i;
                                rs = 1;
                                cs = lda;
                            }
                            else
                            {
                                ab = a + (long)i * lda + pBegin;
                                rs = lda;
                                cs = 1;
                            }
                            float* bt = bpanel + (long)skip * bs;
                            bool load = !overwrite || k0 > 0;
                            if ((rows == mr && cols == nr) || padded)
                            {
                                Micro(w, narrow, ct, ldc, ab, rs, cs, bt, bs, pEnd - pBegin, load);
                            }
                            else
                            {
                                if (load)
                                {
                                    for (int r = 0; r < rows; r++)
                                    {
                                        for (int q = 0; q < cols; q++)
                                        {
                                            edge[r * nr + q] = ct[(long)r * ldc + q];
                                        }
                                    }
                                }
                                Micro(w, narrow, edge, nr, ab, rs, cs, bt, bs, pEnd - pBegin, load);
                                for (int r = 0; r < rows; r++)
                                {
                                    for (int q = 0; q < cols; q++)
                                    {
                                        ct[(long)r * ldc + q] = edge[r * nr + q];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro(int w, bool narrow, float* c, int ldc, float* a, int rs, int cs, float* b, int bs, int kb, bool load)
    {
        if (w == 512)
        {
            if (narrow)
            {
                Micro512x8x16(c, ldc, a, rs, cs, b, bs, kb, load);
            }
            else
            {
                Micro512x8x32(c, ldc, a, rs, cs, b, bs, kb, load);
            }
        }
        else if (w == 256)
        {
            if (narrow)
            {
                Micro256x6x8(c, ldc, a, rs, cs, b, bs, kb, load);
            }
            else
            {
                Micro256x6x16(c, ldc, a, rs, cs, b, bs, kb, load);
            }
        }
        else
        {
            Micro128x4x8(c, ldc, a, rs, cs, b, bs, kb, load);
        }
    }

    /// <summary>Packs B[k0.., j0..] (or Bᵀ) into panels [kb][nr], zero-padding the last panel's columns.</summary>
    private static void PackB(float* dst, float* b, int ldb, bool tb, int k0, int kb, int j0, int nc, int nr)
    {
        for (int j = 0; j < nc; j += nr)
        {
            int cols = Math.Min(nr, nc - j);
            float* d = dst + (long)(j / nr) * kb * nr;
            if (!tb)
            {
                float* s = b + (long)k0 * ldb + j0 + j;
                if (cols == nr)
                {
                    for (int p = 0; p < kb; p++)
                    {
                        Buffer.MemoryCopy(s + (long)p * ldb, d + p * nr, nr * 4, nr * 4);
                    }
                }
                else
                {
                    for (int p = 0; p < kb; p++)
                    {
                        float* sp = s + (long)p * ldb;
                        float* dp = d + p * nr;
                        int q = 0;
                        for (; q < cols; q++)
                        {
                            dp[q] = sp[q];
                        }
                        for (; q < nr; q++)
                        {
                            dp[q] = 0f;
                        }
                    }
                }
            }
            else
            {
                // Bᵀ: column q of the panel is row (j0 + j + q) of the stored matrix, contiguous in p
                TransposeBlock(d, nr, b + (long)(j0 + j) * ldb + k0, ldb, cols, kb);
                if (cols < nr)
                {
                    for (int p = 0; p < kb; p++)
                    {
                        new Span<float>(d + p * nr + cols, nr - cols).Clear();
                    }
                }
            }
        }
    }

    /// <summary>Packs rows i0..i0+mc of A (or Aᵀ), columns k0..k0+kb, into panels [kb][mr] (zero rows padded).</summary>
    private static void PackA(float* dst, float* a, int lda, bool ta, int i0, int mc, int k0, int kb, int mr)
    {
        for (int i = 0; i < mc; i += mr)
        {
            int rows = Math.Min(mr, mc - i);
            float* d = dst + (long)(i / mr) * kb * mr;
            if (ta)
            {
                float* s = a + (long)k0 * lda + i0 + i;
                for (int p = 0; p < kb; p++)
                {
                    float* sp = s + (long)p * lda;
                    float* dp = d + p * mr;
                    int r = 0;
                    for (; r < rows; r++)
                    {
                        dp[r] = sp[r];
                    }
                    for (; r < mr; r++)
                    {
                        dp[r] = 0f;
                    }
                }
            }
            else
            {
                TransposeBlock(d, mr, a + (long)(i0 + i) * lda + k0, lda, rows, kb);
                if (rows < mr)
                {
                    for (int p = 0; p < kb; p++)
                    {
                        new Span<float>(d + p * mr + rows, mr - rows).Clear();
                    }
                }
            }
        }
    }

    /// <summary>dst[c, r] = src[r, c] for r &lt; rows, c &lt; cols (leading dimensions ldd, lds): 8×8 register transposes
    /// where AVX is available. A transpose only moves values, so it cannot change any result.</summary>
    internal static void TransposeBlock(float* dst, int ldd, float* src, int lds, int rows, int cols)
    {
        int r0 = 0;
        if (Avx.IsSupported && Width >= 256)
        {
            for (; r0 + 8 <= rows; r0 += 8)
            {
                int c0 = 0;
                for (; c0 + 8 <= cols; c0 += 8)
                {
                    Transpose8x8(dst + (long)c0 * ldd + r0, ldd, src + (long)r0 * lds + c0, lds);
                }
                for (int r = r0; r < r0 + 8; r++)
                {
                    for (int c = c0; c < cols; c++)
                    {
                        dst[(long)c * ldd + r] = src[(long)r * lds + c];
                    }
                }
            }
        }
        for (int r = r0; r < rows; r++)
        {
            float* sr = src + (long)r * lds;
            for (int c = 0; c < cols; c++)
            {
                dst[(long)c * ldd + r] = sr[c];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* dst, long ldd, float* src, long lds)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds);
        var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds);
        var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds);
        var r7 = Avx.LoadVector256(src + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }

    // ---------------------------------------------------------------------------------------------------
    // one row of C += a · B (GEMV, B rows contiguous): no packing; 8 vectors of accumulators hide the FMA latency
    // ---------------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvRow(int w, float* c, float* a, float* b, int ldb, int k, int n)
    {
        int j = 0;
        if (w == 512)
        {
            for (; j + 128 <= n; j += 128)
            {
                float* cj = c + j, bj = b + j;
                var x0 = Vector512.Load(cj); var x1 = Vector512.Load(cj + 16); var x2 = Vector512.Load(cj + 32); var x3 = Vector512.Load(cj + 48);
                var x4 = Vector512.Load(cj + 64); var x5 = Vector512.Load(cj + 80); var x6 = Vector512.Load(cj + 96); var x7 = Vector512.Load(cj + 112);
                for (int p = 0; p < k; p++)
                {
                    var v = Vector512.Create(a[p]);
                    float* bp = bj + (long)p * ldb;
                    x0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp), x0); x1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 16), x1);
                    x2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 32), x2); x3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 48), x3);
                    x4 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 64), x4); x5 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 80), x5);
                    x6 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 96), x6); x7 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 112), x7);
                }
                x0.Store(cj); x1.Store(cj + 16); x2.Store(cj + 32); x3.Store(cj + 48);
                x4.Store(cj + 64); x5.Store(cj + 80); x6.Store(cj + 96); x7.Store(cj + 112);
            }
            for (; j + 64 <= n; j += 64)
            {
                float* cj = c + j, bj = b + j;
                var x0 = Vector512.Load(cj); var x1 = Vector512.Load(cj + 16); var x2 = Vector512.Load(cj + 32); var x3 = Vector512.Load(cj + 48);
                for (int p = 0; p < k; p++)
                {
                    var v = Vector512.Create(a[p]);
                    float* bp = bj + (long)p * ldb;
                    x0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp), x0); x1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 16), x1);
                    x2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 32), x2); x3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(bp + 48), x3);
                }
                x0.Store(cj); x1.Store(cj + 16); x2.Store(cj + 32); x3.Store(cj + 48);
            }
            for (; j + 16 <= n; j += 16)
            {
                var x0 = Vector512.Load(c + j);
                for (int p = 0; p < k; p++)
                {
                    x0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.Load(b + (long)p * ldb + j), x0);
                }
                x0.Store(c + j);
            }
        }
        for (; j + 64 <= n; j += 64)
        {
            float* cj = c + j, bj = b + j;
            var x0 = Vector256.Load(cj); var x1 = Vector256.Load(cj + 8); var x2 = Vector256.Load(cj + 16); var x3 = Vector256.Load(cj + 24);
            var x4 = Vector256.Load(cj + 32); var x5 = Vector256.Load(cj + 40); var x6 = Vector256.Load(cj + 48); var x7 = Vector256.Load(cj + 56);
            for (int p = 0; p < k; p++)
            {
                var v = Vector256.Create(a[p]);
                float* bp = bj + (long)p * ldb;
                x0 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp), x0); x1 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 8), x1);
                x2 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 16), x2); x3 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 24), x3);
                x4 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 32), x4); x5 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 40), x5);
                x6 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 48), x6); x7 = Vector256.FusedMultiplyAdd(v, Vector256.Load(bp + 56), x7);
            }
            x0.Store(cj); x1.Store(cj + 8); x2.Store(cj + 16); x3.Store(cj + 24);
            x4.Store(cj + 32); x5.Store(cj + 40); x6.Store(cj + 48); x7.Store(cj + 56);
        }
        for (; j + 8 <= n; j += 8)
        {
            var x0 = Vector256.Load(c + j);
            for (int p = 0; p < k; p++)
            {
                x0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[p]), Vector256.Load(b + (long)p * ldb + j), x0);
            }
            x0.Store(c + j);
        }
        for (; j < n; j++)
        {
            float acc = c[j];
            for (int p = 0; p < k; p++)
            {
                acc = MathF.FusedMultiplyAdd(a[p], b[(long)p * ldb + j], acc);
            }
            c[j] = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Ld512(float* p, bool load) => load ? Vector512.Load(p) : Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Ld256(float* p, bool load) => load ? Vector256.Load(p) : Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Ld128(float* p, bool load) => load ? Vector128.Load(p) : Vector128<float>.Zero;

    // ---------------------------------------------------------------------------------------------------
    // micro-kernels: C[MR, NR] += A-panel · B-panel over kb steps. A element (r, p) at a[r*rs + p*cs]
    // (rs == 1: packed panel or Aᵀ in place; otherwise row pointers of a row-major A); B panel [kb][NR].
    // ---------------------------------------------------------------------------------------------------

    // 8 rows × 32 columns: 16 accumulators + 2 B vectors + 1 broadcast of the 32 zmm registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512x8x32(float* c, int ldc, float* a, int rs, int cs, float* b, int bs, int kb, bool load)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc, c4 = c + 4L * ldc, c5 = c + 5L * ldc, c6 = c + 6L * ldc, c7 = c + 7L * ldc;
        var x00 = Ld512(c0, load); var x01 = Ld512(c0 + 16, load);
        var x10 = Ld512(c1, load); var x11 = Ld512(c1 + 16, load);
        var x20 = Ld512(c2, load); var x21 = Ld512(c2 + 16, load);
        var x30 = Ld512(c3, load); var x31 = Ld512(c3 + 16, load);
        var x40 = Ld512(c4, load); var x41 = Ld512(c4 + 16, load);
        var x50 = Ld512(c5, load); var x51 = Ld512(c5 + 16, load);
        var x60 = Ld512(c6, load); var x61 = Ld512(c6 + 16, load);
        var x70 = Ld512(c7, load); var x71 = Ld512(c7 + 16, load);
        if (rs == 1)
        {
            for (int p = 0; p < kb; p++)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                b += bs;
                var v = Vector512.Create(a[0]);
                x00 = Vector512.FusedMultiplyAdd(v, b0, x00); x01 = Vector512.FusedMultiplyAdd(v, b1, x01);
                v = Vector512.Create(a[1]);
                x10 = Vector512.FusedMultiplyAdd(v, b0, x10); x11 = Vector512.FusedMultiplyAdd(v, b1, x11);
                v = Vector512.Create(a[2]);
                x20 = Vector512.FusedMultiplyAdd(v, b0, x20); x21 = Vector512.FusedMultiplyAdd(v, b1, x21);
                v = Vector512.Create(a[3]);
                x30 = Vector512.FusedMultiplyAdd(v, b0, x30); x31 = Vector512.FusedMultiplyAdd(v, b1, x31);
                v = Vector512.Create(a[4]);
                x40 = Vector512.FusedMultiplyAdd(v, b0, x40); x41 = Vector512.FusedMultiplyAdd(v, b1, x41);
                v = Vector512.Create(a[5]);
                x50 = Vector512.FusedMultiplyAdd(v, b0, x50); x51 = Vector512.FusedMultiplyAdd(v, b1, x51);
                v = Vector512.Create(a[6]);
                x60 = Vector512.FusedMultiplyAdd(v, b0, x60); x61 = Vector512.FusedMultiplyAdd(v, b1, x61);
                v = Vector512.Create(a[7]);
                x70 = Vector512.FusedMultiplyAdd(v, b0, x70); x71 = Vector512.FusedMultiplyAdd(v, b1, x71);
                a += cs;
            }
        }
        else
        {
            float* a0 = a, a1 = a + rs, a2 = a + 2L * rs, a3 = a + 3L * rs, a4 = a + 4L * rs, a5 = a + 5L * rs, a6 = a + 6L * rs, a7 = a + 7L * rs;
            for (int p = 0; p < kb; p++)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                b += bs;
                var v = Vector512.Create(a0[p]);
                x00 = Vector512.FusedMultiplyAdd(v, b0, x00); x01 = Vector512.FusedMultiplyAdd(v, b1, x01);
                v = Vector512.Create(a1[p]);
                x10 = Vector512.FusedMultiplyAdd(v, b0, x10); x11 = Vector512.FusedMultiplyAdd(v, b1, x11);
                v = Vector512.Create(a2[p]);
                x20 = Vector512.FusedMultiplyAdd(v, b0, x20); x21 = Vector512.FusedMultiplyAdd(v, b1, x21);
                v = Vector512.Create(a3[p]);
                x30 = Vector512.FusedMultiplyAdd(v, b0, x30); x31 = Vector512.FusedMultiplyAdd(v, b1, x31);
                v = Vector512.Create(a4[p]);
                x40 = Vector512.FusedMultiplyAdd(v, b0, x40); x41 = Vector512.FusedMultiplyAdd(v, b1, x41);
                v = Vector512.Create(a5[p]);
                x50 = Vector512.FusedMultiplyAdd(v, b0, x50); x51 = Vector512.FusedMultiplyAdd(v, b1, x51);
                v = Vector512.Create(a6[p]);
                x60 = Vector512.FusedMultiplyAdd(v, b0, x60); x61 = Vector512.FusedMultiplyAdd(v, b1, x61);
                v = Vector512.Create(a7[p]);
                x70 = Vector512.FusedMultiplyAdd(v, b0, x70); x71 = Vector512.FusedMultiplyAdd(v, b1, x71);
            }
        }
        x00.Store(c0); x01.Store(c0 + 16);
        x10.Store(c1); x11.Store(c1 + 16);
        x20.Store(c2); x21.Store(c2 + 16);
        x30.Store(c3); x31.Store(c3 + 16);
        x40.Store(c4); x41.Store(c4 + 16);
        x50.Store(c5); x51.Store(c5 + 16);
        x60.Store(c6); x61.Store(c6 + 16);
        x70.Store(c7); x71.Store(c7 + 16);
    }

    // 8 rows × 16 columns (narrow outputs, e.g. one attention head of 16): 8 accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512x8x16(float* c, int ldc, float* a, int rs, int cs, float* b, int bs, int kb, bool load)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc, c4 = c + 4L * ldc, c5 = c + 5L * ldc, c6 = c + 6L * ldc, c7 = c + 7L * ldc;
        var x0 = Ld512(c0, load); var x1 = Ld512(c1, load); var x2 = Ld512(c2, load); var x3 = Ld512(c3, load);
        var x4 = Ld512(c4, load); var x5 = Ld512(c5, load); var x6 = Ld512(c6, load); var x7 = Ld512(c7, load);
        if (rs == 1)
        {
            for (int p = 0; p < kb; p++)
            {
                var b0 = Vector512.Load(b);
                b += bs;
                x0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, x0);
                x1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, x1);
                x2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, x2);
                x3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, x3);
                x4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, x4);
                x5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, x5);
                x6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, x6);
                x7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, x7);
                a += cs;
            }
        }
        else
        {
            float* a0 = a, a1 = a + rs, a2 = a + 2L * rs, a3 = a + 3L * rs, a4 = a + 4L * rs, a5 = a + 5L * rs, a6 = a + 6L * rs, a7 = a + 7L * rs;
            for (int p = 0; p < kb; p++)
            {
                var b0 = Vector512.Load(b);
                b += bs;
                x0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[p]), b0, x0);
                x1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[p]), b0, x1);
                x2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[p]), b0, x2);
                x3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[p]), b0, x3);
                x4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[p]), b0, x4);
                x5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[p]), b0, x5);
                x6 = Vector512.FusedMultiplyAdd(Vector512.Create(a6[p]), b0, x6);
                x7 = Vector512.FusedMultiplyAdd(Vector512.Create(a7[p]), b0, x7);
            }
        }
        x0.Store(c0); x1.Store(c1); x2.Store(c2); x3.Store(c3);
        x4.Store(c4); x5.Store(c5); x6.Store(c6); x7.Store(c7);
    }

    // 6 rows × 16 columns: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256x6x16(float* c, int ldc, float* a, int rs, int cs, float* b, int bs, int kb, bool load)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc, c4 = c + 4L * ldc, c5 = c + 5L * ldc;
        var x00 = Ld256(c0, load); var x01 = Ld256(c0 + 8, load);
        var x10 = Ld256(c1, load); var x11 = Ld256(c1 + 8, load);
        var x20 = Ld256(c2, load); var x21 = Ld256(c2 + 8, load);
        var x30 = Ld256(c3, load); var x31 = Ld256(c3 + 8, load);
        var x40 = Ld256(c4, load); var x41 = Ld256(c4 + 8, load);
        var x50 = Ld256(c5, load); var x51 = Ld256(c5 + 8, load);
        long r1 = rs, r2 = 2L * rs, r3 = 3L * rs, r4 = 4L * rs, r5 = 5L * rs;
        for (int p = 0; p < kb; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            b += bs;
            var v = Vector256.Create(a[0]);
            x00 = Vector256.FusedMultiplyAdd(v, b0, x00); x01 = Vector256.FusedMultiplyAdd(v, b1, x01);
            v = Vector256.Create(a[r1]);
            x10 = Vector256.FusedMultiplyAdd(v, b0, x10); x11 = Vector256.FusedMultiplyAdd(v, b1, x11);
            v = Vector256.Create(a[r2]);
            x20 = Vector256.FusedMultiplyAdd(v, b0, x20); x21 = Vector256.FusedMultiplyAdd(v, b1, x21);
            v = Vector256.Create(a[r3]);
            x30 = Vector256.FusedMultiplyAdd(v, b0, x30); x31 = Vector256.FusedMultiplyAdd(v, b1, x31);
            v = Vector256.Create(a[r4]);
            x40 = Vector256.FusedMultiplyAdd(v, b0, x40); x41 = Vector256.FusedMultiplyAdd(v, b1, x41);
            v = Vector256.Create(a[r5]);
            x50 = Vector256.FusedMultiplyAdd(v, b0, x50); x51 = Vector256.FusedMultiplyAdd(v, b1, x51);
            a += cs;
        }
        x00.Store(c0); x01.Store(c0 + 8);
        x10.Store(c1); x11.Store(c1 + 8);
        x20.Store(c2); x21.Store(c2 + 8);
        x30.Store(c3); x31.Store(c3 + 8);
        x40.Store(c4); x41.Store(c4 + 8);
        x50.Store(c5); x51.Store(c5 + 8);
    }

    // 6 rows × 8 columns (narrow outputs).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256x6x8(float* c, int ldc, float* a, int rs, int cs, float* b, int bs, int kb, bool load)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc, c4 = c + 4L * ldc, c5 = c + 5L * ldc;
        var x0 = Ld256(c0, load); var x1 = Ld256(c1, load); var x2 = Ld256(c2, load);
        var x3 = Ld256(c3, load); var x4 = Ld256(c4, load); var x5 = Ld256(c5, load);
        long r1 = rs, r2 = 2L * rs, r3 = 3L * rs, r4 = 4L * rs, r5 = 5L * rs;
        for (int p = 0; p < kb; p++)
        {
            var b0 = Vector256.Load(b);
            b += bs;
            x0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, x0);
            x1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r1]), b0, x1);
            x2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r2]), b0, x2);
            x3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r3]), b0, x3);
            x4 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r4]), b0, x4);
            x5 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r5]), b0, x5);
            a += cs;
        }
        x0.Store(c0); x1.Store(c1); x2.Store(c2); x3.Store(c3); x4.Store(c4); x5.Store(c5);
    }

    // Vector128 path: 4 rows × 8 columns, each row in two 4-wide registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro128x4x8(float* c, int ldc, float* a, int rs, int cs, float* b, int bs, int kb, bool load)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc;
        var x00 = Ld128(c0, load); var x01 = Ld128(c0 + 4, load);
        var x10 = Ld128(c1, load); var x11 = Ld128(c1 + 4, load);
        var x20 = Ld128(c2, load); var x21 = Ld128(c2 + 4, load);
        var x30 = Ld128(c3, load); var x31 = Ld128(c3 + 4, load);
        long r1 = rs, r2 = 2L * rs, r3 = 3L * rs;
        for (int p = 0; p < kb; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            b += bs;
            var v = Vector128.Create(a[0]);
            x00 = Vector128.FusedMultiplyAdd(v, b0, x00); x01 = Vector128.FusedMultiplyAdd(v, b1, x01);
            v = Vector128.Create(a[r1]);
            x10 = Vector128.FusedMultiplyAdd(v, b0, x10); x11 = Vector128.FusedMultiplyAdd(v, b1, x11);
            v = Vector128.Create(a[r2]);
            x20 = Vector128.FusedMultiplyAdd(v, b0, x20); x21 = Vector128.FusedMultiplyAdd(v, b1, x21);
            v = Vector128.Create(a[r3]);
            x30 = Vector128.FusedMultiplyAdd(v, b0, x30); x31 = Vector128.FusedMultiplyAdd(v, b1, x31);
            a += cs;
        }
        x00.Store(c0); x01.Store(c0 + 4);
        x10.Store(c1); x11.Store(c1 + 4);
        x20.Store(c2); x21.Store(c2 + 4);
        x30.Store(c3); x31.Store(c3 + 4);
    }

    /// <summary>dst[N,M] = src[M,N]ᵀ.</summary>
    public static void Transpose(float* dst, float* src, int m, int n) => TransposeBlock(dst, m, src, n, m, n);

    // ---------------------------------------------------------------------------------------------------
    // Dot products with 8 fixed lanes
    // ---------------------------------------------------------------------------------------------------

    /// <summary>Σ a[i]·b[i] with the fixed 8-lane order (identical on every path).</summary>
    public static float Dot(float* a, float* b, int n)
    {
        int w = Width;
        return w >= 256 ? Dot256(a, b, n) : w == 128 ? Dot128(a, b, n) : DotScalar(a, b, n);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tree(Vector256<float> acc)
    {
        var h = acc.GetLower() + acc.GetUpper();        // (l0+l4, l1+l5, l2+l6, l3+l7)
        return (h[0] + h[2]) + (h[1] + h[3]);
    }

    private static float Dot256(float* a, float* b, int n)
    {
        var acc = Vector256<float>.Zero;
        int n8 = n & ~7;
        for (int i = 0; i < n8; i += 8)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
        }
        float s = Tree(acc);
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
        if (w >= 256)
        {
            var acc = Vector256<float>.Zero;
            for (int i = 0; i < n8; i += 8)
            {
                acc += Vector256.Load(a + i);
            }
            s = Tree(acc);
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
        int w = Width;
        if (w == 512)
        {
            var av = Vector512.Create(alpha);
            for (; i + 16 <= n; i += 16)
            {
                Vector512.FusedMultiplyAdd(av, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
            }
        }
        if (w >= 256)
        {
            var av = Vector256.Create(alpha);
            for (; i + 8 <= n; i += 8)
            {
                Vector256.FusedMultiplyAdd(av, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            }
        }
        else if (w == 128)
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
        int w = Width;
        if (w == 512)
        {
            for (; i + 16 <= n; i += 16)
            {
                (Vector512.Load(y + i) + Vector512.Load(x + i)).Store(y + i);
            }
        }
        if (w >= 256)
        {
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(y + i) + Vector256.Load(x + i)).Store(y + i);
            }
        }
        else if (w == 128)
        {
            for (; i + 4 <= n; i += 4)
            {
                (Vector128.Load(y + i) + Vector128.Load(x + i)).Store(y + i);
            }
        }
        for (; i < n; i++)
        {
            y[i] += x[i];
        }
    }
}
