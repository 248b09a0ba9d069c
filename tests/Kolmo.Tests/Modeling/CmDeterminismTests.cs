using System.Diagnostics;
using Kolmo.Compression;

namespace Kolmo.Tests.Modeling;

/// <summary>The cm output must not depend on SIMD width: the CLI is run in child processes with hardware
/// intrinsics off (scalar mixer) and with AVX2 off (Vector128 mixer), and must write the same bytes.</summary>
public class CmDeterminismTests
{
    private static byte[] Input()
    {
        var data = new byte[24000];
        CmTests.SampleText(16000).CopyTo(data, 0);
        new Random(17).NextBytes(data.AsSpan(16000, 4000));
        for (int i = 20000; i < data.Length; i++)
        {
            data[i] = (byte)((i % 13) * 19 + i / 500);
        }
        return data;
    }

    private static byte[] CompressInChild(string input, string output, string? envName, int level)
    {
        Support.CliRunner.RunChild(envName, "compress", "--model", "cm", "--level", level.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory", level < 8 ? "24M" : "64M", "-q", "-f", "-o", output, input);
        return File.ReadAllBytes(output);
    }

    /// <summary>Level 1 (the fast profile: one weight set, no second layer) and level 9 (the best profile: 32 hashed contexts, the
    /// image model, which the input's 13-byte records wake, the run map, 16 weight sets).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void Compress_SameBytesWithAndWithoutSimd(int level)
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-cm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var data = Input();
            string input = Path.Combine(dir, "in.bin");
            File.WriteAllBytes(input, data);
            var simd = CompressInChild(input, Path.Combine(dir, "a.kolmo"), null, level);
            var scalar = CompressInChild(input, Path.Combine(dir, "b.kolmo"), "DOTNET_EnableHWIntrinsic", level);
            var narrow = CompressInChild(input, Path.Combine(dir, "c.kolmo"), "DOTNET_EnableAVX2", level);
            Assert.Equal(simd, scalar);
            Assert.Equal(simd, narrow);
            Assert.True(simd.Length < data.Length / 2);

            // And the in-process decompressor restores the input from the child's file.
            var restored = new MemoryStream();
            new ModelCompressor("cm", level, (level < 8 ? 24L : 64L) << 20).Decompress(new MemoryStream(simd), restored);
            Assert.Equal(data, restored.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SegmentedCompress_SameBytesForAnyThreadCountAndSimdWidth_AndChildDecodesOnThreads()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-cm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var data = Input();
            string input = Path.Combine(dir, "in.bin");
            File.WriteAllBytes(input, data);
            var expected = new ModelCompressor("cm", 2, 12L << 20).WithSegments(8192, 1).CompressBytes(data);
            Support.CliRunner.RunChild("DOTNET_EnableAVX512F", "c", "-m", "cm", "-l", "2", "--memory", "12M", "-T", "3", "--segment-size", "8K", "-q", "-o", Path.Combine(dir, "a.kolmo"), input);
            Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "a.kolmo")));
            Support.CliRunner.RunChild("DOTNET_EnableHWIntrinsic", "d", "-T", "2", "-q", "-o", Path.Combine(dir, "back.bin"), Path.Combine(dir, "a.kolmo"));
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(dir, "back.bin")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ModelCompressor_Cm_RoundTripAndErrors()
    {
        var data = Input();
        var c = new ModelCompressor("cm", 3, 12L << 20);
        var packed = new MemoryStream();
        c.Compress(new MemoryStream(data), packed);
        var restored = new MemoryStream();
        c.Decompress(new MemoryStream(packed.ToArray()), restored);
        Assert.Equal(data, restored.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCompressor("cm", 6, 1000));
        Assert.Throws<InvalidDataException>(() => CmModelCreate([99]));
        Assert.Throws<InvalidDataException>(() => CmModelCreate([]));
        Assert.Equal("cm", ModelCatalog.Get(ModelId.Cm).Name);

        static object CmModelCreate(byte[] p) => Kolmo.Modeling.CmModel.Create(6, p);
    }
}
