using System.Diagnostics;
using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Modeling;

namespace Kolmo.Tests.NeuralCompression;

/// <summary>
/// nn and cm+nn output must not depend on SIMD width or thread count: the CLI compresses the same file in child
/// processes with hardware intrinsics off (the scalar reference), AVX-512 off (Vector256), AVX2 off (Vector128), and
/// with 1 and 2 threads (combined, to keep the test short); every file must be byte-identical, and the in-process
/// decoder must restore the input from it.
/// </summary>
public class DeterminismTests
{
    private static byte[] CompressInChild(string input, string output, string model, string level, string? envName, string threads)
    {
        Support.CliRunner.RunChild(envName, "compress", "--model", model, "--level", level, "--threads", threads, "-q", "-f", "-o", output, input);
        return File.ReadAllBytes(output);
    }

    [Theory]
    [InlineData("nn", "2")]
    [InlineData("cm+nn", "1")]
    public void Compress_SameBytesForEverySimdWidthAndThreadCount(string model, string level)
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-nncomp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            byte[] data = PrequentialTests.Text(800, 9);
            string input = Path.Combine(dir, "in.txt");
            File.WriteAllBytes(input, data);
            var reference = CompressInChild(input, Path.Combine(dir, "a"), model, level, null, "2");
            Assert.Equal(reference, CompressInChild(input, Path.Combine(dir, "b"), model, level, "DOTNET_EnableHWIntrinsic", "1"));
            Assert.Equal(reference, CompressInChild(input, Path.Combine(dir, "c"), model, level, "DOTNET_EnableAVX512F", "2"));
            Assert.Equal(reference, CompressInChild(input, Path.Combine(dir, "d"), model, level, "DOTNET_EnableAVX2", "1"));
            var restored = new MemoryStream();
            ModelCompressor.Decompress(new MemoryStream(reference), restored, null);
            Assert.Equal(data, restored.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// With two engine threads configured, nn and cm+nn compress and decompress on the calling thread alone (one byte's
    /// step is far below the engine's minimum work size, and the decoder must rebuild every prediction in order): no
    /// parallel region is handed to the thread pool, and the bytes equal the one-thread run's.
    /// </summary>
    [Theory]
    [InlineData("nn", 2)]
    [InlineData("cm+nn", 1)]
    public void CompressAndDecompress_TwoThreads_RunOnTheCallingThreadWithTheSameBytes(string model, int level)
    {
        byte[] data = PrequentialTests.Text(1500, 4);
        byte[] Run(int threads, out byte[] restored, out long dispatched)
        {
            lock (Neural.NeuralTestUtil.Gate)
            {
                int t0 = Kolmo.Neural.NeuralRuntime.Threads;
                Kolmo.Neural.NeuralRuntime.Threads = threads;
                try
                {
                    long d0 = Kolmo.Neural.Par.Dispatched;
                    var packed = new MemoryStream();
                    NeuralCompressors.Compressor(model, level).Compress(new MemoryStream(data), packed);
                    var back = new MemoryStream();
                    ModelCompressor.Decompress(new MemoryStream(packed.ToArray()), back, null, [], threads);
                    dispatched = Kolmo.Neural.Par.Dispatched - d0;
                    restored = back.ToArray();
                    return packed.ToArray();
                }
                finally
                {
                    Kolmo.Neural.NeuralRuntime.Threads = t0;
                }
            }
        }
        byte[] one = Run(1, out byte[] restored1, out _);
        byte[] two = Run(2, out byte[] restored2, out long dispatched2);
        Assert.Equal(0, dispatched2);
        Assert.Equal(one, two);
        Assert.Equal(data, restored1);
        Assert.Equal(data, restored2);
    }

    /// <summary>
    /// cm+nn's second design at level 9: CM's 27 contexts, match, bias and three network inputs fill more than one
    /// 512-bit mixer vector, so every kernel width loops; the predictions must be identical to the scalar reference's.
    /// </summary>
    [Theory]
    [InlineData(MixerKernels.Path.Scalar)]
    [InlineData(MixerKernels.Path.V128)]
    [InlineData(MixerKernels.Path.V256)]
    internal void CmNnSecondDesign_Level9_SamePredictionsForEveryMixerKernel(MixerKernels.Path path)
    {
        var o = CmNnOptions.Second;
        CmNnModel Make() => new(
            new CmModel(new CmOptions { Level = 9, MemoryCap = CmOptions.MinimumMemory(9), ExternalInputs = o.CmInputs, ExternalContexts = o.CmContexts }),
            new SequenceBitPredictor(new CountSequenceModel(2), 16),
            o);
        var widest = Make();
        var other = Make();
        ((CmModel)other.Base).KernelPath = path;
        byte[] data = Modeling.CmTests.SampleText(2500);
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                Assert.Equal(widest.P(), other.P());
                int bit = (b >> k) & 1;
                widest.Update(bit);
                other.Update(bit);
            }
        }
    }
}
