using Kolmo.Compression;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

/// <summary>
/// Golden files in tests/Golden/container: format stability in both directions. Their inputs are the files of
/// that folder, except the Canterbury texts, which are read from data/canterbury (tests/Golden/container/README.md).
/// </summary>
public class GoldenTests
{
    public static TheoryData<string, int, int> Files() => new()
    {
        { "grammar.lsp", 6, KolmoContainer.DefaultBlockSize },
        { "xargs.1", 2, 1024 },
        { "empty", 6, KolmoContainer.DefaultBlockSize },
        { "random.bin", 1, 300 },
    };

    /// <summary>
    /// cm files of the current model revision: (input, golden file, level, block size, segment size or 0, segment
    /// warm-up: −1 automatic, 0 none).
    /// </summary>
    public static TheoryData<string, string, int, int, int, int> CmFiles() => new()
    {
        { "grammar.lsp", "grammar.lsp.cm-revision7", 1, KolmoContainer.DefaultBlockSize, 0, -1 },
        { "grammar.lsp", "grammar.lsp.cm6-revision7", 6, KolmoContainer.DefaultBlockSize, 0, -1 },
        { "grammar.lsp", "grammar.lsp.cm9-revision7", 9, KolmoContainer.DefaultBlockSize, 0, -1 },
        { "xargs.1", "xargs.1.segments-revision7", 2, 1000, 1500, 0 },
        { "xargs.1", "xargs.1.warm-segments-revision7", 2, 1000, 1500, -1 },
        { "calls.bin", "calls.bin-revision7", 1, KolmoContainer.DefaultBlockSize, 5000, 0 },
        { "calls.bin", "calls.bin.warm-segments-revision7", 1, KolmoContainer.DefaultBlockSize, 5000, -1 },
        { "bitmap.bin", "bitmap.bin.cm6-revision7", 6, KolmoContainer.DefaultBlockSize, 0, -1 },
    };

    /// <summary>cm files of the older model revisions 1–6 (input, golden file): they must still decode.</summary>
    public static TheoryData<string, string> CmOlderRevisionFiles() => new()
    {
        { "grammar.lsp", "grammar.lsp.cm" },
        { "xargs.1", "xargs.1.segments" },
        { "calls.bin", "calls.bin" },
        { "grammar.lsp", "grammar.lsp.cm-revision2" },
        { "xargs.1", "xargs.1.segments-revision2" },
        { "calls.bin", "calls.bin-revision2" },
        { "grammar.lsp", "grammar.lsp.cm-revision3" },
        { "grammar.lsp", "grammar.lsp.cm6-revision3" },
        { "grammar.lsp", "grammar.lsp.cm9-revision3" },
        { "xargs.1", "xargs.1.segments-revision3" },
        { "calls.bin", "calls.bin-revision3" },
        { "grammar.lsp", "grammar.lsp.cm-revision4" },
        { "grammar.lsp", "grammar.lsp.cm6-revision4" },
        { "grammar.lsp", "grammar.lsp.cm9-revision4" },
        { "xargs.1", "xargs.1.segments-revision4" },
        { "calls.bin", "calls.bin-revision4" },
        { "bitmap.bin", "bitmap.bin.cm6-revision4" },
        { "grammar.lsp", "grammar.lsp.cm-revision5" },
        { "grammar.lsp", "grammar.lsp.cm6-revision5" },
        { "grammar.lsp", "grammar.lsp.cm9-revision5" },
        { "xargs.1", "xargs.1.segments-revision5" },
        { "xargs.1", "xargs.1.warm-segments-revision5" },
        { "calls.bin", "calls.bin-revision5" },
        { "calls.bin", "calls.bin.warm-segments-revision5" },
        { "bitmap.bin", "bitmap.bin.cm6-revision5" },
        { "grammar.lsp", "grammar.lsp.cm-revision6" },
        { "grammar.lsp", "grammar.lsp.cm6-revision6" },
        { "grammar.lsp", "grammar.lsp.cm9-revision6" },
        { "xargs.1", "xargs.1.segments-revision6" },
        { "xargs.1", "xargs.1.warm-segments-revision6" },
        { "calls.bin", "calls.bin-revision6" },
        { "calls.bin", "calls.bin.warm-segments-revision6" },
        { "bitmap.bin", "bitmap.bin.cm6-revision6" },
    };

    private static string Golden(string name) => TestFiles.Path(Path.Combine("tests", "Golden", "container", name));

    /// <summary>The input a golden file was written from: a Canterbury text from data/canterbury, else the file beside it.</summary>
    private static byte[] Input(string name) =>
        name is "grammar.lsp" or "xargs.1" ? TestFiles.Canterbury(name) : File.ReadAllBytes(Golden(name));

    [Theory]
    [MemberData(nameof(Files))]
    public void GoldenFile_DecodesToItsInput(string name, int level, int blockSize)
    {
        _ = level + blockSize;
        var output = new MemoryStream();
        using (var f = File.OpenRead(Golden(name + ".kolmo")))
        {
            ModelCompressor.Decompress(f, output, null);
        }
        Assert.Equal(Input(name), output.ToArray());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Encoder_StillProducesGoldenFile(string name, int level, int blockSize)
    {
        var c = new ModelCompressor("order3", level, blockSize: blockSize);
        Assert.Equal(File.ReadAllBytes(Golden(name + ".kolmo")), c.CompressBytes(Input(name)));
    }

    [Theory]
    [MemberData(nameof(CmFiles))]
    public void CmGoldenFile_DecodesOnAnyThreadCount_AndEncoderStillProducesIt(string input, string golden, int level, int blockSize, int segmentSize, int warmup)
    {
        var packed = File.ReadAllBytes(Golden(golden + ".kolmo"));
        var data = Input(input);
        foreach (int threads in new[] { 1, 2 })
        {
            var output = new MemoryStream();
            ModelCompressor.Decompress(new MemoryStream(packed), output, null, threads: threads);
            Assert.Equal(data, output.ToArray());
        }
        var c = new ModelCompressor("cm", level, blockSize: blockSize).WithSegments(segmentSize == 0 ? null : segmentSize, 1, warmup: warmup < 0 ? null : warmup);
        Assert.Equal(packed, c.CompressBytes(data));
    }

    [Theory]
    [MemberData(nameof(CmOlderRevisionFiles))]
    public void CmOlderRevisionGoldenFile_StillDecodesOnAnyThreadCount(string input, string golden)
    {
        var packed = File.ReadAllBytes(Golden(golden + ".kolmo"));
        foreach (int threads in new[] { 1, 2 })
        {
            var output = new MemoryStream();
            ModelCompressor.Decompress(new MemoryStream(packed), output, null, threads: threads);
            Assert.Equal(Input(input), output.ToArray());
        }
    }

    /// <summary>Golden files of the first cm model: their inputs are data/canterbury/fields.c and xargs.1 and tests/Golden/container/random.bin.</summary>
    [Theory]
    [InlineData("fields.c", "data/canterbury/fields.c")]
    [InlineData("xargs.1", "data/canterbury/xargs.1")]
    [InlineData("random.bin", "tests/Golden/container/random.bin")]
    public void FirstCmModelGoldenFile_StillDecodes(string name, string input)
    {
        string dir = TestFiles.Path(Path.Combine("tests", "Golden", "cm-legacy"));
        var output = new MemoryStream();
        using (var f = File.OpenRead(Path.Combine(dir, name + ".kolmo")))
        {
            ModelCompressor.Decompress(f, output, null);
        }
        Assert.Equal(File.ReadAllBytes(TestFiles.Path(input)), output.ToArray());
    }
}
