using System.Diagnostics;
using Kolmo.Neural;
using static Kolmo.Tests.Neural.NeuralTestUtil;

namespace Kolmo.Tests.Neural;

/// <summary>Bit-identity of every kernel and of training across SIMD widths, thread counts and processes.</summary>
public unsafe class DeterminismTests
{
    public static TheoryData<int> Lengths => [0, 1, 7, 8, 15, 16, 17, 1024 + 15];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotAndSum_AllWidths_BitIdentical(int n)
    {
        float[] a = RandomFloats(n + 1, 1), b = RandomFloats(n + 1, 2);
        float Dot(int w) => With(w, 1, () => { fixed (float* ap = a, bp = b) { return Kernels.Dot(ap, bp, n); } });
        float Sum(int w) => With(w, 1, () => { fixed (float* ap = a) { return Kernels.Sum(ap, n); } });
        float d1 = Dot(1), s1 = Sum(1);
        foreach (int w in Widths)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(d1), BitConverter.SingleToInt32Bits(Dot(w)));
            Assert.Equal(BitConverter.SingleToInt32Bits(s1), BitConverter.SingleToInt32Bits(Sum(w)));
        }
        double exact = 0;
        for (int i = 0; i < n; i++)
        {
            exact += (double)a[i] * b[i];
        }
        Assert.Equal(exact, d1, 1e-4 * Math.Max(1, Math.Sqrt(n)));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 15, 17)]
    [InlineData(6, 8, 16)]
    [InlineData(13, 300, 33)]      // k spans two k-blocks
    [InlineData(67, 16, 1024 + 15)]
    [InlineData(100, 64, 40)]
    public void MatMul_AllWidthsAndThreads_BitIdentical_AndCorrect(int m, int k, int n)
    {
        float[] a = RandomFloats(m * k, 1), b = RandomFloats(k * n, 2), c0 = RandomFloats(m * n, 3);
        float[] Run(int w, int t) => With(w, t, () =>
        {
            var c = (float[])c0.Clone();
            fixed (float* cp = c, ap = a, bp = b)
            {
                Kernels.MatMulAdd(cp, ap, bp, m, k, n);
            }
            return c;
        });
        float[] reference = Run(1, 1);
        foreach (int w in Widths)
        {
            AssertBitsEqual(reference, Run(w, 1));
            AssertBitsEqual(reference, Run(w, 2));
        }
        // and it is a matmul: compare with a double-precision product
        for (int i = 0; i < m; i += Math.Max(1, m / 5))
        {
            for (int j = 0; j < n; j += Math.Max(1, n / 7))
            {
                double s = c0[i * n + j];
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[i * k + p] * b[p * n + j];
                }
                Assert.Equal(s, reference[i * n + j], 1e-3 * Math.Sqrt(k));
            }
        }
    }

    [Fact]
    public void TransposedMatMuls_MatchExplicitTranspose()
    {
        const int m = 9, k = 17, n = 11;
        float[] at = RandomFloats(k * m, 1), b = RandomFloats(k * n, 2), bt = RandomFloats(n * k, 3), a = RandomFloats(m * k, 4);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        fixed (float* c1p = c1, c2p = c2, atp = at, bp = b, btp = bt, ap = a)
        {
            Kernels.MatMulAtAdd(c1p, atp, bp, m, k, n);
            Kernels.MatMulBtAdd(c2p, ap, btp, m, k, n);
        }
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s1 = 0, s2 = 0;
                for (int p = 0; p < k; p++)
                {
                    s1 = MathF.FusedMultiplyAdd(at[p * m + i], b[p * n + j], s1);
                    s2 = MathF.FusedMultiplyAdd(a[i * k + p], bt[j * k + p], s2);
                }
                Assert.Equal(BitConverter.SingleToInt32Bits(s1), BitConverter.SingleToInt32Bits(c1[i * n + j]));
                Assert.Equal(BitConverter.SingleToInt32Bits(s2), BitConverter.SingleToInt32Bits(c2[i * n + j]));
            }
        }
    }

    private static byte[] TrainAndSave(Func<SequenceModel> make, int steps)
    {
        var m = make();
        var tr = new Trainer(m, new TrainOptions(3e-3f, steps, 2));
        var sampler = new WindowSampler(RandomSymbols(500, m.VocabSize, 4), 3, m.Context, 8);
        for (int i = 0; i < steps; i++)
        {
            tr.TrainStep(sampler.Next());
        }
        using var ms = new MemoryStream();
        m.Save(ms);
        return ms.ToArray();
    }

    [Fact]
    public void GptTraining_AllWidthsAndThreads_BitIdenticalCheckpoints()
    {
        // dims chosen so row/column tails of every kernel are exercised (C = 20, 3C = 60, 4C = 80, V = 37)
        Func<SequenceModel> make = () => new Gpt(new GptConfig(37, 12, 2, 20, 4), 5);
        byte[] reference = With(1, 1, () => TrainAndSave(make, 3));
        Assert.Equal(reference, With(128, 1, () => TrainAndSave(make, 3)));
        Assert.Equal(reference, With(256, 2, () => TrainAndSave(make, 3)));     // 2 threads: batch split, parameter tasks
        Assert.Equal(reference, With(512, 2, () => TrainAndSave(make, 3)));
        Assert.Equal(reference, With(0, 1, () => TrainAndSave(make, 3)));
    }

    [Fact]
    public void LstmTraining_AllWidthsAndThreads_BitIdenticalCheckpoints()
    {
        Func<SequenceModel> make = () => new Lstm(new LstmConfig(37, 10, 2, 13), 5);
        byte[] reference = With(1, 1, () => TrainAndSave(make, 3));
        Assert.Equal(reference, With(128, 2, () => TrainAndSave(make, 3)));
        Assert.Equal(reference, With(256, 2, () => TrainAndSave(make, 3)));
        Assert.Equal(reference, With(512, 1, () => TrainAndSave(make, 3)));
        Assert.Equal(reference, With(0, 2, () => TrainAndSave(make, 3)));
    }

    [Fact]
    public void BatchOfOneSequence_TwoThreads_BitIdenticalToOne()
    {
        // B = 1 runs the whole step on the caller (no split at the top); the result must not depend on it
        static byte[] Train(SequenceModel m)
        {
            var tr = new Trainer(m, new TrainOptions(3e-3f, 3, 1));
            var sampler = new WindowSampler(RandomSymbols(400, m.VocabSize, 9), 1, m.Context, 2);
            for (int i = 0; i < 3; i++)
            {
                tr.TrainStep(sampler.Next());
            }
            using var ms = new MemoryStream();
            m.Save(ms);
            return ms.ToArray();
        }
        Func<SequenceModel>[] makes = [() => new Gpt(new GptConfig(37, 12, 2, 20, 4), 5), () => new Lstm(new LstmConfig(37, 10, 2, 13), 5)];
        foreach (var make in makes)
        {
            byte[] one = With(0, 1, () => Train(make()));
            Assert.Equal(one, With(0, 2, () => Train(make())));
            Assert.Equal(one, With(256, 2, () => Train(make())));
        }
    }

    [Fact]
    public void GeluAndSoftmax_VectorExpMatchesScalar_OnWideRange()
    {
        int n = 4000 + 5;
        float[] x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = -100f + 200f * i / n;      // covers exp underflow (< −87), clamping (> 88) and tanh saturation (|u| > 9)
        }
        float[] Run(int w) => With(w, 1, () =>
        {
            float[] y = new float[3 * n];
            fixed (float* yp = y, xp = x)
            {
                Kernels.GeluForward(yp, xp, n);
                Kernels.GeluBackward(yp + n, xp, xp, n);
                Kernels.SoftmaxRow(yp + 2 * n, xp, n, out _);
            }
            return y;
        });
        float[] scalar = Run(1);
        foreach (int w in Widths)
        {
            AssertBitsEqual(scalar, Run(w));
        }
    }

    [Fact]
    public void Exp_IsAccurate()
    {
        for (float x = -80f; x < 80f; x += 0.37f)
        {
            double e = Math.Exp(x);
            Assert.True(Math.Abs(NMath.Exp(x) - e) <= 4e-7 * e, $"exp({x})");
        }
        Assert.Equal(0f, NMath.Exp(-100f));
        for (double x = 1e-300; x < 1e300; x *= 3.7)
        {
            Assert.Equal(Math.Log(x), NMath.Log(x), 1e-12 * Math.Max(1, Math.Abs(Math.Log(x))));
        }
    }
}

/// <summary>Child processes with hardware intrinsics / AVX-512 disabled against the in-process CLI.</summary>
[Collection("NeuralCliInProcess")]
public class ChildProcessDeterminismTests
{
    // ---- child processes: hardware intrinsics off / AVX-512 off must give the same bytes ----

    private static (int Code, string Out, string Err) RunCli(string[] args, params (string Key, string Value)[] env)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, err);
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("lstm")]
    public void ChildProcess_IntrinsicsOffOrAvx512Off_SameCheckpointAndBits(string kind)
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-neural-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data.txt");
            File.WriteAllText(data, string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 20)));
            string[] Train(string outName) =>
                ["train", "--model", kind, "--data", data, "--layers", "1", "--dim", "12", "--heads", "2", "--ctx", "9",
                 "--steps", "2", "--batch", "3", "--threads", "2", "--out", Path.Combine(dir, outName)];
            // reference: the same command in this process (SIMD path of this machine, 2 threads)
            Assert.Equal(0, Kolmo.Cli.Program.CreateApp().Run(Train("ref.bin")));
            byte[] reference = File.ReadAllBytes(Path.Combine(dir, "ref.bin"));
            // scalar, Vector256 without AVX-512, Vector128 without AVX2: blocked attention, matmuls, gates and AdamW
            (string, string)[][] envs = [[("DOTNET_EnableHWIntrinsic", "0")], [("DOTNET_EnableAVX512F", "0")], [("DOTNET_EnableAVX2", "0")]];
            for (int i = 0; i < envs.Length; i++)
            {
                var r = RunCli(Train($"m{i}.bin"), envs[i]);
                Assert.True(r.Code == 0, r.Err);
                Assert.Equal(reference, File.ReadAllBytes(Path.Combine(dir, $"m{i}.bin")));
            }
            if (kind == "gpt")
            {
                // evaluation with intrinsics off prints the same bits as the library here
                var e = RunCli(["eval", "--model", Path.Combine(dir, "ref.bin"), "--data", data, "--json"], envs[0]);
                Assert.True(e.Code == 0, e.Err);
                string bits = e.Out.Split("\"bits\":")[1].Split(',')[0];
                using var f = File.OpenRead(Path.Combine(dir, "ref.bin"));
                var model = SequenceModel.Load(f);
                int[] sym = File.ReadAllBytes(data).Select(b => (int)b).ToArray();
                Assert.Equal(bits, Evaluator.TotalBits(model, sym, 16).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
