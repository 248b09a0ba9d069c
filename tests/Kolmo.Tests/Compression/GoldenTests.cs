using Kolmo.Compression;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Compression;

/// <summary>Golden files in tests/Golden/container: format stability in both directions.</summary>
public class GoldenTests
{
    public static TheoryData<string, int, int> Files() => new()
    {
        { "grammar.lsp", 6, KolmoContainer.DefaultBlockSize },
        { "xargs.1", 2, 1024 },
        { "empty", 6, KolmoContainer.DefaultBlockSize },
        { "random.bin", 1, 300 },
    };

    private static string Golden(string name) => TestFiles.Path(Path.Combine("tests", "Golden", "container", name));

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
        Assert.Equal(File.ReadAllBytes(Golden(name)), output.ToArray());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Encoder_StillProducesGoldenFile(string name, int level, int blockSize)
    {
        var c = new ModelCompressor("order3", level, blockSize: blockSize);
        Assert.Equal(File.ReadAllBytes(Golden(name + ".kolmo")), c.CompressBytes(File.ReadAllBytes(Golden(name))));
    }
}
