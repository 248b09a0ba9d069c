using Kolmo.Compression;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.Neural;

/// <summary>
/// Golden files of nn and cm+nn (parameter layout 1) written before the engine's rewrite
/// (tests/Golden/neural/README.md; inputs from data/canterbury). Layout 1 trains its network with this engine while decoding, so a file decodes
/// to its input only if every kernel of the training step (matmul order, gates, softmax, AdamW, the gradient norm)
/// still gives the same bits as the engine that wrote it.
/// </summary>
public class NeuralGoldenTests
{
    [Theory]
    [InlineData("grammar.lsp.nn1.kolmo", "grammar.lsp")]
    [InlineData("xargs.1.nn2.kolmo", "xargs.1")]
    [InlineData("grammar.lsp.cmnn1.kolmo", "grammar.lsp")]
    public void FileWrittenBeforeTheRewrite_DecodesToItsInput(string file, string input)
    {
        var output = new MemoryStream();
        ModelCompressor.Decompress(new MemoryStream(Golden("neural", file)), output, null);
        Assert.Equal(TestFiles.Canterbury(input), output.ToArray());
    }

    private static byte[] Golden(string dir, string name) => File.ReadAllBytes(TestFiles.Path(Path.Combine("tests", "Golden", dir, name)));
}
