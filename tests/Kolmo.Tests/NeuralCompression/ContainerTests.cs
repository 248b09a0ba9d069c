using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Tests.Support;

namespace Kolmo.Tests.NeuralCompression;

public class ContainerTests
{
    internal static byte[] Pack(ICompressor c, byte[] data)
    {
        var o = new MemoryStream();
        c.Compress(new MemoryStream(data), o);
        return o.ToArray();
    }

    internal static byte[] Unpack(byte[] packed, params Prior[] priors)
    {
        var o = new MemoryStream();
        ModelCompressor.Decompress(new MemoryStream(packed), o, null, priors);
        return o.ToArray();
    }

    private static KolmoHeader Header(byte[] packed) => KolmoContainer.ReadHeader(new ContainerReader(new MemoryStream(packed)));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(900)]
    public void Nn_RoundTripsThroughTheContainer(int n)
    {
        byte[] data = PrequentialTests.Text(n);
        var c = NeuralCompressors.Compressor("nn", 1);
        byte[] packed = Pack(c, data);
        Assert.Equal((byte)ModelId.Nn, packed[6]);
        Assert.Equal(data, Unpack(packed));
        if (n > 0)
        {
            // container + coder overhead over the model's ideal code length is small
            double ideal = c.CompressedBits(data);
            Assert.InRange(packed.Length * 8.0, ideal, ideal + 8 * (Header(packed).Length + 9 + 17 + 8));
        }
    }

    [Fact]
    public void Nn_ContainerRecordsTheModelConfiguration()
    {
        var p = NeuralModels.Decode(Header(Pack(NeuralCompressors.Compressor("nn", 2), PrequentialTests.Text(100))).Parameters);
        Assert.Equal(NeuralModels.Layout, p.Layout);
        Assert.Equal(NeuralCompressors.NnSpec(2), p.Spec);
        Assert.StartsWith("online-lstm:", p.Spec, StringComparison.Ordinal);
        Assert.Equal(NeuralCompressors.NnHorizon(2), p.Block);
        Assert.Empty(p.Inner);
    }

    [Fact]
    public void Parameters_EncodeDecode_RoundTrip_AndBadLayoutsAreRefused()
    {
        var q = NeuralModels.Decode(NeuralModels.Encode(300, [1, 2, 3], "order:k=2"));
        Assert.Equal((NeuralModels.Layout, 300, "order:k=2"), (q.Layout, q.Block, q.Spec));
        Assert.Equal([1, 2, 3], q.Inner);
        var r = NeuralModels.Decode(NeuralModels.Encode(20, [2, 24, 2], "order:k=1", NeuralModels.CmNnLayout));
        Assert.Equal((NeuralModels.CmNnLayout, 20, "order:k=1"), (r.Layout, r.Block, r.Spec));
        Assert.Throws<ArgumentOutOfRangeException>(() => NeuralModels.Encode(20, [], "order:k=1", NeuralModels.LegacyLayout));
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([4, 1, 0]));
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([3, 0]));
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([1, 7]));
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([2]));
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([2, 5, 9]));
    }

    private static string Golden(string name) => TestFiles.Path(Path.Combine("tests", "Golden", "neural", name));

    [Theory]
    [InlineData("xargs.1.nn1.kolmo", "xargs.1")]
    [InlineData("xargs.head.cmnn1.kolmo", "xargs.head")]
    public void FirstLayoutFiles_StillDecode(string packed, string original)
    {
        byte[] file = File.ReadAllBytes(Golden(packed));
        Assert.Equal(NeuralModels.LegacyLayout, NeuralModels.Decode(Header(file).Parameters).Layout);
        Assert.Equal(File.ReadAllBytes(Golden(original)), Unpack(file));
    }

    /// <summary>
    /// Golden files of the online LSTM (layout 2), written at commit e122004 (tests/Golden/neural/layout2/README.md): they
    /// decode on every machine, and the encoder still writes them byte for byte — so the network's arithmetic
    /// (kernels, own exp, Adam, quantisation) and cm+nn's mixers are the same everywhere and over time.
    /// </summary>
    [Theory]
    [InlineData("grammar.lsp.nn2.kolmo", "grammar.lsp", "nn", 2, false)]
    [InlineData("xargs.head.cmnn1.kolmo", "xargs.head", "cm+nn", 1, false)]
    [InlineData("xargs.head.nn1-primed.kolmo", "xargs.head", "nn", 1, true)]
    public void OnlineLstmGoldenFiles_DecodeAndAreReproducedByteForByte(string packed, string original, string model, int level, bool primed)
    {
        byte[] file = File.ReadAllBytes(Golden(Path.Combine("layout2", packed)));
        byte[] input = File.ReadAllBytes(Golden(original));
        Prior[] priors = primed ? [new DataPrior(File.ReadAllBytes(Golden("grammar.lsp")))] : [];
        Assert.Equal(NeuralModels.Layout, NeuralModels.Decode(Header(file).Parameters).Layout);
        Assert.Equal(input, Unpack(file, priors));
        // cm+nn files whose base is the first cm model (one-byte cm parameters) still decode (above); new files use the current cm.
        var inner = NeuralModels.Decode(Header(file).Parameters).Inner;
        if (model != "cm+nn" || inner.Length != 2)
        {
            Assert.Equal(file, Pack(NeuralCompressors.Compressor(model, level, primed ? priors[0] : null), input));
        }
    }

    /// <summary>
    /// cm+nn's second mixer design (layout 3; tests/Golden/neural/layout3/README.md): the file decodes and the encoder
    /// still writes it byte for byte; the layout-2 cm+nn file above still decodes with the first design.
    /// </summary>
    [Fact]
    public void CmNnSecondDesignGoldenFile_DecodesAndIsReproducedByteForByte()
    {
        byte[] file = File.ReadAllBytes(Golden(Path.Combine("layout3", "xargs.head.cmnn1-revision7.kolmo")));
        byte[] input = File.ReadAllBytes(Golden("xargs.head"));
        Assert.Equal(NeuralModels.CmNnLayout, NeuralModels.Decode(Header(file).Parameters).Layout);
        Assert.Equal(input, Unpack(file));
        Assert.Equal(file, Pack(NeuralCompressors.Compressor("cm+nn", 1), input));
    }

    /// <summary>The same design's files from cm model revisions 2–6: the cm parameters inside name the revision, so they still decode.</summary>
    [Theory]
    [InlineData("xargs.head.cmnn1.kolmo")]
    [InlineData("xargs.head.cmnn1-revision3.kolmo")]
    [InlineData("xargs.head.cmnn1-revision4.kolmo")]
    [InlineData("xargs.head.cmnn1-revision5.kolmo")]
    [InlineData("xargs.head.cmnn1-revision6.kolmo")]
    public void CmNnSecondDesignGoldenFile_OfAnOlderCmRevision_StillDecodes(string name)
    {
        byte[] file = File.ReadAllBytes(Golden(Path.Combine("layout3", name)));
        Assert.Equal(File.ReadAllBytes(Golden("xargs.head")), Unpack(file));
        Assert.NotEqual(file, Pack(NeuralCompressors.Compressor("cm+nn", 1), File.ReadAllBytes(Golden("xargs.head"))));
    }

    [Fact]
    public void CmNn_WritesTheSecondDesignsLayout_AndBothDesignsRoundTrip()
    {
        byte[] data = PrequentialTests.Text(700, 5);
        byte[] packed = Pack(NeuralCompressors.Compressor("cm+nn", 2), data);
        Assert.Equal(NeuralModels.CmNnLayout, NeuralModels.Decode(Header(packed).Parameters).Layout);
        Assert.Equal(data, Unpack(packed));
        // the layout chooses the mixer design: layout 3 the second, layout 2 (older files) the first
        var p = NeuralModels.Decode(Header(packed).Parameters);
        var entry = ModelCatalog.Get(ModelId.CmNn);
        var second = Assert.IsType<CmNnModel>(entry.Create(2, Header(packed).Parameters));
        Assert.Equal(CmNnOptions.Second, second.Options);
        byte[] layout2 = NeuralModels.Encode(p.Block, p.Inner, p.Spec, NeuralModels.Layout);
        Assert.Equal(CmNnOptions.First, Assert.IsType<CmNnModel>(entry.Create(2, layout2)).Options);
        Assert.NotEqual(CmNnOptions.First, CmNnOptions.Second);
    }

    [Fact]
    public void FirstLayoutPrimedFile_DecodesWithItsPriorOnly()
    {
        byte[] file = File.ReadAllBytes(Golden("xargs.head.nn1-primed.kolmo"));
        var prior = new DataPrior(File.ReadAllBytes(Golden("grammar.lsp")));
        Assert.Equal(File.ReadAllBytes(Golden("xargs.head")), Unpack(file, prior));
        var missing = Assert.Throws<InvalidDataException>(() => Unpack(file));
        Assert.Contains("--prime-data", missing.Message, StringComparison.Ordinal);
        var different = Assert.Throws<InvalidDataException>(() => Unpack(file, new DataPrior(File.ReadAllBytes(Golden("xargs.1")))));
        Assert.Contains("differs", different.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("order3", 3)]
    [InlineData("cm", 1)]
    [InlineData("nn", 1)]
    [InlineData("cm+nn", 1)]
    public void PrimeData_EveryModel_RoundTripsSavesBitsAndRefusesMissingOrDifferentPrior(string model, int level)
    {
        byte[] x = PrequentialTests.Text(3000, 11);
        byte[] y = PrequentialTests.Text(1000, 12);
        var prior = new DataPrior(x);
        byte[] primed = Pack(NeuralCompressors.Compressor(model, level, prior), y);
        byte[] plain = Pack(NeuralCompressors.Compressor(model, level), y);
        Assert.True(primed.Length < plain.Length * 0.9, $"{model}: primed {primed.Length} vs plain {plain.Length} bytes");
        var h = Header(primed);
        Assert.Equal((Prior.DataKind, prior.Hash), (h.PriorKind, h.PriorHash));
        Assert.Equal(KolmoContainer.FlagPrimed, primed[5]);
        Assert.Equal(y, Unpack(primed, prior));

        var missing = Assert.Throws<InvalidDataException>(() => Unpack(primed));
        Assert.Contains("--prime-data", missing.Message, StringComparison.Ordinal);
        byte[] other = (byte[])x.Clone();
        other[0] ^= 1;
        var different = Assert.Throws<InvalidDataException>(() => Unpack(primed, new DataPrior(other)));
        Assert.Contains("differs", different.Message, StringComparison.Ordinal);
        // C(y | x) measured without coding equals what the primed compressor spends, up to the coder's flush
        double bits = NeuralCompressors.Compressor(model, level, prior).CompressedBits(y);
        Assert.InRange(primed.Length * 8.0 - bits, 0, 8 * (h.Length + 9 + 17 + 8));
    }

    [Fact]
    public void PrimeModel_CheckpointStartsTheNetwork_RoundTrips_AndIsRecorded()
    {
        var net = new Kolmo.Neural.Lstm(new Kolmo.Neural.LstmConfig(256, 8, 1, 8), 5);
        var ms = new MemoryStream();
        net.Save(ms);
        var prior = new ModelPrior(ms.ToArray());
        byte[] y = PrequentialTests.Text(400, 4);
        byte[] packed = Pack(NeuralCompressors.Compressor("nn", 1, prior), y);
        var h = Header(packed);
        Assert.Equal((Prior.ModelKind, prior.Hash), (h.PriorKind, h.PriorHash));
        Assert.StartsWith("lstm:h=8,l=1,t=8,", NeuralModels.Decode(h.Parameters).Spec, StringComparison.Ordinal);
        Assert.Equal(y, Unpack(packed, prior));
        Assert.Contains("--prime-model", Assert.Throws<InvalidDataException>(() => Unpack(packed)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NeuralCompressors.Compressor("cm", 1, prior));
        Assert.Throws<InvalidDataException>(() => SequenceModels.LoadCheckpoint([1, 2, 3]));
    }

    [Fact]
    public void Lstm_PrequentialRangeCoder_RoundTrips()
    {
        byte[] data = PrequentialTests.Text(300, 6);
        var ms = new MemoryStream();
        double bits = PrequentialCoder.Encode(SequenceModels.Create("lstm:h=8,t=8"), data, ms, 8);
        ms.Position = 0;
        Assert.Equal(data, PrequentialCoder.Decode(SequenceModels.Create("lstm:h=8,t=8"), ms, ms.Length, data.Length, 8));
        Assert.InRange(ms.Length * 8.0, bits, bits + 48);
        Assert.True(bits < 8 * data.Length);
    }
}
