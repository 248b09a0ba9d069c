using Kolmo.Neural;
using static Kolmo.Tests.Neural.NeuralTestUtil;

namespace Kolmo.Tests.Neural;

/// <summary>
/// The fast kernels against their plain references, bit for bit, on every SIMD width and thread count: the blocked
/// matmul in its three layouts (and its triangular, overwrite and padded modes), blocked attention against the
/// row-by-row reference, the fused optimizer against the textbook AdamW, and the gradient norm against its definition.
/// </summary>
public unsafe class KernelTests
{
    public enum Layout
    {
        AB,
        AtB,
        ABt,
    }

    public static TheoryData<Layout, int, int, int> Shapes()
    {
        var d = new TheoryData<Layout, int, int, int>();
        foreach (var layout in new[] { Layout.AB, Layout.AtB, Layout.ABt })
        {
            d.Add(layout, 1, 1, 1);
            d.Add(layout, 2, 19, 130);       // the one-row path (GEMV)
            d.Add(layout, 7, 15, 17);        // every tile partial
            d.Add(layout, 9, 300, 33);       // two k-blocks
            d.Add(layout, 67, 16, 16 + 1);   // narrow tiles plus a column tail
            d.Add(layout, 100, 64, 96);      // many row tiles, packed A
        }
        return d;
    }

    // op(A)[i,p] and op(B)[p,j] with leading dimensions wider than the matrices (padding columns must not be touched)
    private static (float[] A, int Lda, float[] B, int Ldb) Operands(Layout layout, int m, int k, int n)
    {
        int lda = layout == Layout.AtB ? m + 3 : k + 5, ldb = layout == Layout.ABt ? k + 2 : n + 7;
        float[] a = RandomFloats((layout == Layout.AtB ? k : m) * lda, 1), b = RandomFloats((layout == Layout.ABt ? n : k) * ldb, 2);
        return (a, lda, b, ldb);
    }

    private static float[] Product(Layout layout, int m, int k, int n, int width, int threads)
    {
        var (a, lda, b, ldb) = Operands(layout, m, k, n);
        int ldc = n + 4;
        float[] c = RandomFloats(m * ldc, 3);
        return With(width, threads, () =>
        {
            fixed (float* cp = c, ap = a, bp = b)
            {
                switch (layout)
                {
                    case Layout.AB: Kernels.MatMulAdd(cp, ldc, ap, lda, bp, ldb, m, k, n); break;
                    case Layout.AtB: Kernels.MatMulAtAdd(cp, ldc, ap, lda, bp, ldb, m, k, n); break;
                    default: Kernels.MatMulBtAdd(cp, ldc, ap, lda, bp, ldb, m, k, n); break;
                }
            }
            return c;
        });
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatMul_EveryLayoutWidthAndThreadCount_EqualsThePlainFusedLoop(Layout layout, int m, int k, int n)
    {
        var (a, lda, b, ldb) = Operands(layout, m, k, n);
        int ldc = n + 4;
        float[] expected = RandomFloats(m * ldc, 3);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float acc = expected[i * ldc + j];
                for (int p = 0; p < k; p++)
                {
                    float av = layout == Layout.AtB ? a[p * lda + i] : a[i * lda + p];
                    float bv = layout == Layout.ABt ? b[j * ldb + p] : b[p * ldb + j];
                    acc = MathF.FusedMultiplyAdd(av, bv, acc);
                }
                expected[i * ldc + j] = acc;
            }
        }
        AssertBitsEqual(expected, Product(layout, m, k, n, 1, 1));
        foreach (int w in Widths)
        {
            AssertBitsEqual(expected, Product(layout, m, k, n, w, 1));
            AssertBitsEqual(expected, Product(layout, m, k, n, w, 2));
        }
    }

    [Theory]
    [InlineData(13)]
    [InlineData(40)]
    [InlineData(300)]     // the k range crosses a k-block
    public void MatMulTri_SkipsOnlyExactZeros_AndOverwriteEqualsAccumulatingIntoZeros(int t)
    {
        const int n = 16;
        float[] lower = RandomFloats(t * t, 4), upper = RandomFloats(t * t, 5), b = RandomFloats(t * n, 6), q = RandomFloats(t * n, 7);
        for (int i = 0; i < t; i++)
        {
            for (int p = 0; p < t; p++)
            {
                if (p > i)
                {
                    lower[i * t + p] = 0f;     // A[i, p] = 0 above the diagonal
                }
                if (p < i)
                {
                    upper[p * t + i] = 0f;     // Aᵀ stored [K, M]: A[i, p] = stored[p, i] = 0 below
                }
            }
        }
        foreach (int w in AllWidths)
        {
            float[] Run(Kernels.Tri tri, bool ta, float[] a, Kernels.CMode mode) => With(w, 1, () =>
            {
                float[] c = mode == Kernels.CMode.Overwrite ? RandomFloats(t * n, 9) : new float[t * n];
                fixed (float* cp = c, ap = a, bp = b)
                {
                    Kernels.MatMulTri(tri, ta, false, cp, n, ap, t, bp, n, t, t, n, mode);
                }
                return c;
            });
            AssertBitsEqual(Run(Kernels.Tri.None, false, lower, 0), Run(Kernels.Tri.LowerA, false, lower, 0));
            AssertBitsEqual(Run(Kernels.Tri.None, false, lower, 0), Run(Kernels.Tri.LowerA, false, lower, Kernels.CMode.Overwrite));
            AssertBitsEqual(Run(Kernels.Tri.None, true, upper, 0), Run(Kernels.Tri.UpperA, true, upper, 0));
            AssertBitsEqual(Run(Kernels.Tri.None, false, lower, 0), Run(Kernels.Tri.None, false, lower, Kernels.CMode.Overwrite));
            // LowerC: the lower triangle of S = Q·Qᵀ as the dense product computes it, written into a padded buffer
            int ls = (t + 31) & ~31, rows = t + 7;      // the padding CMode.Padded may write
            float[] dense = With(w, 1, () =>
            {
                float[] c = new float[t * t];
                fixed (float* cp = c, qp = q)
                {
                    Kernels.MatMulBtAdd(cp, t, qp, n, qp, n, t, n, t);
                }
                return c;
            });
            float[] tri = With(w, 1, () =>
            {
                float[] c = RandomFloats(rows * ls, 10);
                fixed (float* cp = c, qp = q)
                {
                    Kernels.MatMulTri(Kernels.Tri.LowerC, false, true, cp, ls, qp, n, qp, n, t, n, t, Kernels.CMode.Overwrite | Kernels.CMode.Padded);
                }
                return c;
            });
            for (int i = 0; i < t; i++)
            {
                AssertBitsEqual(dense.AsSpan(i * t, i + 1), tri.AsSpan(i * ls, i + 1));
            }
        }
    }

    public static TheoryData<bool, int, int, int> AttentionShapes() => new()
    {
        { true, 13, 8, 2 },      // hs = 4
        { false, 13, 8, 2 },
        { true, 37, 32, 2 },     // hs = 16, a row tail
        { false, 21, 40, 2 },    // hs = 20
        { true, 70, 16, 1 },     // rows longer than one 64-float block
        { true, 50, 64, 2 },     // hs = 32 (two-vector output tiles at Vector256)
        { false, 9, 12, 1 },     // fewer rows than one strip
        { true, 300, 16, 2 },    // hs = 8, more keys than one k-block of the whole-head products
    };

    [Theory]
    [MemberData(nameof(AttentionShapes))]
    public void BlockedAttention_EqualsTheRowByRowReference_OnEveryWidthAndThreadCount(bool causal, int T, int C, int NH)
    {
        const int B = 3;
        float[] qkv = RandomFloats(B * T * 3 * C, 11, 0.5f), dout = RandomFloats(B * T * C, 12);
        // the backward accumulates into gradients that are already there (the chains continue from them)
        float[] start = RandomFloats(B * T * 3 * C, 13, 0.1f);
        float[] refOut = new float[B * T * C], refAtt = new float[B * NH * T * T], refDqkv = (float[])start.Clone(), refFromZero = new float[B * T * 3 * C];
        fixed (float* o = refOut, a = refAtt, dq = refDqkv, dz = refFromZero, q = qkv, d = dout)
        {
            Kernels.AttentionForwardReference(o, a, q, B, T, C, NH, causal);
            Kernels.AttentionBackwardReference(dq, d, q, a, B, T, C, NH, causal);
            Kernels.AttentionBackwardReference(dz, d, q, a, B, T, C, NH, causal);
        }
        foreach (var (w, threads) in new[] { (1, 1), (128, 2), (256, 1), (512, 2), (0, 1), (128, 1), (256, 2), (512, 1) })
        {
            var (outp, dqkv, overwritten) = With(w, threads, () =>
            {
                float[] o = new float[B * T * C], stats = new float[B * NH * T * 2], g = (float[])start.Clone(), g2 = RandomFloats(B * T * 3 * C, 14);
                fixed (float* op = o, sp = stats, gp = g, g2p = g2, q = qkv, d = dout)
                {
                    Kernels.AttentionForward(op, sp, q, B, T, C, NH, causal);
                    Kernels.AttentionBackward(gp, d, q, sp, B, T, C, NH, causal);
                    Kernels.AttentionBackward(g2p, d, q, sp, B, T, C, NH, causal, overwrite: true);
                }
                return (o, g, g2);
            });
            AssertBitsEqual(refOut, outp);
            AssertBitsEqual(refDqkv, dqkv);
            AssertBitsEqual(refFromZero, overwritten);
        }
    }

    [Fact]
    public void GradientNorm_EqualsTheIndexOrderDoubleSum_OnFastAndSlowPath()
    {
        var r = new Xoshiro256(21);
        foreach (int n in new[] { 0, 1, 7, 16, 17, 1000, 16384 + 3, 70_000 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                float scale = (float)Math.Pow(10, r.Next(12) - 6);
                // GradientNorm reads through a raw pointer (training buffers are pinned): an ordinary array could move
                // under a collection that another test triggers meanwhile.
                float[] g = GC.AllocateArray<float>(n, pinned: true);
                RandomFloats(n, (ulong)(1000 * n + trial), scale).CopyTo(g, 0);
                double seq = 0;
                for (int i = 0; i < n; i++)
                {
                    seq += (double)g[i] * g[i];
                }
                float expected = (float)Math.Sqrt(seq);
                foreach (int w in AllWidths)
                {
                    Assert.Equal(expected, With(w, 2, () => Trainer.GradientNorm(g)));
                }
                Assert.Equal(expected, Trainer.GradientNorm(g, boundScale: 1e30));     // always the sequential path
            }
        }
    }

    [Fact]
    public void Update_EqualsTextbookAdamWWithClipping_AndLeavesGradientsZero()
    {
        var model = new Lstm(new LstmConfig(11, 5, 1, 9), 3);
        var options = new TrainOptions(LearningRate: 0.01f, Steps: 10, WarmupSteps: 0, WeightDecay: 0.1f, ClipNorm: 1f);
        int n = (int)model.Parameters.Count;
        float[] p0 = (float[])model.Parameters.Values.Clone();
        var grads = Enumerable.Range(0, 3).Select(s => RandomFloats(n, (ulong)(40 + s), s == 1 ? 0.001f : 3f)).ToArray();   // clipped, unclipped, clipped
        // the textbook update in plain scalar code
        float[] p = (float[])p0.Clone(), m = new float[n], v = new float[n];
        double b1p = 1, b2p = 1;
        foreach (var g in grads)
        {
            double ss = 0;
            foreach (float x in g)
            {
                ss += (double)x * x;
            }
            float norm = (float)Math.Sqrt(ss);
            float clip = norm > options.ClipNorm ? options.ClipNorm / norm : 1f;
            b1p *= options.Beta1;
            b2p *= options.Beta2;
            float c1 = (float)(1 / (1 - b1p)), c2 = (float)(1 / (1 - b2p));
            foreach (var t in model.Parameters.Tensors)
            {
                float wd = t.Decay ? options.WeightDecay : 0f;
                for (long i = t.Offset; i < t.Offset + t.Length; i++)
                {
                    float gi = g[i] * clip;
                    m[i] = options.Beta1 * m[i] + (1 - options.Beta1) * gi;
                    v[i] = options.Beta2 * v[i] + (1 - options.Beta2) * gi * gi;
                    float mh = m[i] * c1, vh = v[i] * c2;
                    p[i] -= options.LearningRate * (mh / (MathF.Sqrt(vh) + options.Epsilon) + wd * p[i]);
                }
            }
        }
        foreach (int w in AllWidths)
        {
            float[] got = With(w, 2, () =>
            {
                p0.CopyTo(model.Parameters.Values, 0);
                var trainer = new Trainer(model, options);
                foreach (var g in grads)
                {
                    g.CopyTo(model.Parameters.Grads, 0);
                    trainer.Update(options.LearningRate);
                    Assert.All(model.Parameters.Grads, x => Assert.Equal(0f, x));
                }
                return (float[])model.Parameters.Values.Clone();
            });
            AssertBitsEqual(p, got);
        }
    }

    [Fact]
    public void ZeroGrad_AfterTheGradientsWereHandedOut_ClearsThem()
    {
        var model = new Lstm(new LstmConfig(5, 3, 1, 4), 1);
        var trainer = new Trainer(model, new TrainOptions(Steps: 2));
        trainer.TrainStep(new Batch([1, 2, 3], [2, 3, 4], 1, 3));   // leaves the gradients zero
        model.Parameters.Grads[7] = 5f;                             // a caller writes through the array
        model.Parameters.ZeroGrad();
        Assert.Equal(0f, model.Parameters.Grads[7]);
    }

    [Fact]
    public void ParTasks_RunEveryTaskOnce_LargestFirst_AndNestedLoopsInline()
    {
        var runs = new int[40];
        var nestedInline = new bool[40];
        var tasks = new List<(long Cost, Action Run)>();
        for (int i = 0; i < runs.Length; i++)
        {
            int j = i;
            tasks.Add(((j * 7919L) % 97, () =>
            {
                Interlocked.Increment(ref runs[j]);
                nestedInline[j] = Par.Inside;
            }));
        }
        With(0, 2, () =>
        {
            Par.Tasks(tasks);
            return 0;
        });
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.All(nestedInline, Assert.True);
        // split: false runs them in list order on the calling thread
        var order = new List<int>();
        var ordered = Enumerable.Range(0, 5).Select(i => (Cost: (long)i, Run: (Action)(() => order.Add(i)))).ToList();
        With(0, 2, () =>
        {
            Par.Tasks(ordered, split: false);
            return 0;
        });
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void ParSerialIf_RunsEveryNestedLoopInline_AndRestoresTheState()
    {
        Assert.False(Par.Inside);
        int callerThread = Environment.CurrentManagedThreadId;
        var threads = new HashSet<int>();
        With(0, 2, () =>
        {
            using (Par.SerialIf(true))
            {
                Assert.True(Par.Inside);
                Par.For(64, 1_000_000, (a, b) =>
                {
                    lock (threads)
                    {
                        threads.Add(Environment.CurrentManagedThreadId);
                    }
                });
                using (Par.SerialIf(false))
                {
                    Assert.True(Par.Inside);   // an inner scope never re-enables threads
                }
                Assert.True(Par.Inside);
            }
            Assert.False(Par.Inside);
            using (Par.SerialIf(false))
            {
                Assert.False(Par.Inside);
            }
            return 0;
        });
        Assert.Equal([callerThread], threads);
    }

    [Fact]
    public void ParFor_PropagatesAnException_FromAnyChunk()
    {
        var e = Assert.Throws<InvalidOperationException>(() => With(0, 2, () =>
        {
            Par.For(16, 1_000_000, (a, b) =>
            {
                if (a <= 11 && 11 < b)
                {
                    throw new InvalidOperationException("chunk with item 11");
                }
            });
            return 0;
        }));
        Assert.Equal("chunk with item 11", e.Message);
        Assert.False(Par.Inside);
    }

    [Fact]
    public void BackwardKernels_Overwrite_EqualAccumulatingIntoZeros_OnEveryWidth()
    {
        // the first producer of an activation gradient overwrites instead of adding to a cleared buffer
        const int N = 13, C = 20, V = 19, OC = 37, B = 2, T = 9, NH = 4;
        float[] dout = RandomFloats(N * OC, 11), x = RandomFloats(N * OC, 12), w = RandomFloats(C * OC, 13);
        float[] mean = RandomFloats(N, 14), rstd = RandomFloats(N, 15).Select(v => 0.5f + Math.Abs(v)).ToArray();
        float[] probs = RandomFloats(N * V, 16).Select(Math.Abs).ToArray(), dl = RandomFloats(N, 17);
        dl[3] = 0f;
        int[] targets = RandomSymbols(N, V, 18);
        targets[5] = -1;
        float[] qkv = RandomFloats(B * T * 3 * C, 19), dAtt = RandomFloats(B * T * C, 20);
        float[] stats = new float[B * NH * T * 2], attOut = new float[B * T * C];
        fixed (float* sp = stats, ao = attOut, qp = qkv)
        {
            Kernels.AttentionForward(ao, sp, qp, B, T, C, NH, true);
        }
        float[] Run(int width, bool overwrite) => With(width, 1, () =>
        {
            var outs = new List<float>();
            float[] Target(int n)
            {
                float[] t = new float[n];
                if (overwrite)
                {
                    t.AsSpan().Fill(float.NaN);   // an overwrite must never read what was there
                }
                return t;
            }
            fixed (float* dp = dout, xp = x, wp = w, mp = mean, rp = rstd, pp = probs, lp = dl, qp = qkv, dap = dAtt, sp = stats)
            fixed (int* tp = targets)
            {
                float[] r1 = Target(N * C), r2 = Target(N * C), ln = Target(N * C), gel = Target(N * OC), lin = Target(N * C), ce = Target(N * V);
                float[] att = Target(B * T * 3 * C);
                fixed (float* a1 = r1, a2 = r2, a3 = ln, a4 = gel, a5 = lin, a6 = ce, a7 = att)
                {
                    Kernels.ResidualBackward(a1, a2, dp, N * C, overwrite);
                    Kernels.LayerNormBackwardInput(a3, dp, xp, wp, mp, rp, N, C, overwrite);
                    Kernels.GeluBackward(a4, xp, dp, N * OC, overwrite);
                    Kernels.LinearBackwardInput(a5, dp, wp, N, C, OC, overwrite);
                    Kernels.SoftmaxCrossEntropyBackward(a6, lp, pp, tp, N, V, overwrite);
                    Kernels.AttentionBackward(a7, dap, qp, sp, B, T, C, NH, true, overwrite);
                }
                foreach (var r in new[] { r1, r2, ln, gel, lin, ce, att })
                {
                    outs.AddRange(r);
                }
            }
            return outs.ToArray();
        });
        float[] reference = Run(1, false);
        Assert.DoesNotContain(reference, float.IsNaN);
        foreach (int width in AllWidths)
        {
            AssertBitsEqual(reference, Run(width, false));
            AssertBitsEqual(reference, Run(width, true));
        }
    }
}
