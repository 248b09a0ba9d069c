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

    /// <summary>Layout 1 retrains a batch-of-one network per byte: with two engine threads it runs on the calling thread
    /// alone (no parallel region handed to the pool) and still decodes to the input.</summary>
    [Theory]
    [InlineData("grammar.lsp.nn1.kolmo", "grammar.lsp")]
    [InlineData("grammar.lsp.cmnn1.kolmo", "grammar.lsp")]
    public void FileWrittenBeforeTheRewrite_TwoThreads_DecodesOnTheCallingThread(string file, string input)
    {
        lock (NeuralTestUtil.Gate)
        {
            int t0 = Kolmo.Neural.NeuralRuntime.Threads;
            Kolmo.Neural.NeuralRuntime.Threads = 2;
            try
            {
                long d0 = Kolmo.Neural.Par.Dispatched;
                var output = new MemoryStream();
                ModelCompressor.Decompress(new MemoryStream(Golden("neural", file)), output, null, [], 2);
                Assert.Equal(0, Kolmo.Neural.Par.Dispatched - d0);
                Assert.Equal(TestFiles.Canterbury(input), output.ToArray());
            }
            finally
            {
                Kolmo.Neural.NeuralRuntime.Threads = t0;
            }
        }
    }

    private static byte[] Golden(string dir, string name) => File.ReadAllBytes(TestFiles.Path(Path.Combine("tests", "Golden", dir, name)));
}
