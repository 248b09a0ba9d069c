using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Neural;

/// <summary>
/// Golden files of nn and cm+nn written before the engine's rewrite (tests/Golden/neural/README.md): the network's
/// arithmetic is unchanged, so they decode, and the encoder reproduces them byte for byte.
/// </summary>
public class NeuralGoldenTests
{
    public static TheoryData<string, string, string, int> Files() => new()
    {
        { "grammar.lsp.nn1.kolmo", "grammar.lsp", "nn", 1 },
        { "xargs.1.nn2.kolmo", "xargs.1", "nn", 2 },
        { "grammar.lsp.cmnn1.kolmo", "grammar.lsp", "cm+nn", 1 },
    };

    private static byte[] Golden(string dir, string name) => File.ReadAllBytes(TestFiles.Path(Path.Combine("tests", "Golden", dir, name)));

    [Theory]
    [MemberData(nameof(Files))]
    public void GoldenFile_DecodesToItsInput(string file, string input, string model, int level)
    {
        _ = model + level;
        var output = new MemoryStream();
        ModelCompressor.Decompress(new MemoryStream(Golden("neural", file)), output, null);
        Assert.Equal(Golden("container", input), output.ToArray());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Encoder_StillProducesGoldenFile(string file, string input, string model, int level)
    {
        var c = NeuralCompressors.Compressor(model, level);
        var output = new MemoryStream();
        c.Compress(new MemoryStream(Golden("container", input)), output);
        Assert.Equal(Golden("neural", file), output.ToArray());
    }
}
