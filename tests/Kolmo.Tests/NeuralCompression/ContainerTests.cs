using Kolmo.Compression;
using Kolmo.Compression.Neural;

namespace Kolmo.Tests.NeuralCompression;

public class ContainerTests
{
    internal static byte[] Pack(ICompressor c, byte[] data)
    {
        var o = new MemoryStream();
        c.Compress(new MemoryStream(data), o);
        return o.ToArray();
    }

    internal static byte[] Unpack(byte[] packed)
    {
        var o = new MemoryStream();
        ModelCompressor.Decompress(new MemoryStream(packed), o, null);
        return o.ToArray();
    }

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
            Assert.InRange(packed.Length * 8.0, ideal, ideal + 8 * 120);
        }
    }

    [Fact]
    public void Nn_ContainerRecordsTheModelConfiguration()
    {
        byte[] packed = Pack(NeuralCompressors.Compressor("nn", 1), PrequentialTests.Text(100));
        var header = KolmoContainer.ReadHeader(new ContainerReader(new MemoryStream(packed)));
        var p = NeuralModels.Decode(header.Parameters);
        Assert.Equal(NeuralCompressors.NnSpec(1), p.Spec);
        Assert.Equal(NeuralCompressors.NnWindow(1), p.Block);
        Assert.Equal(0, p.PriorKind);
    }

    [Fact]
    public void Parameters_EncodeDecode_RoundTrip()
    {
        var p = new NeuralModels.Parameters(1, 0x0123456789ABCDEFUL, 300, [1, 2, 3], "order:k=2");
        var q = NeuralModels.Decode(NeuralModels.Encode(p));
        Assert.Equal(p.PriorHash, q.PriorHash);
        Assert.Equal(p.Block, q.Block);
        Assert.Equal(p.CmParameters, q.CmParameters);
        Assert.Equal(p.Spec, q.Spec);
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([2, 0]));
        Assert.Throws<InvalidDataException>(() => NeuralModels.Decode([1, 7]));
    }

    [Fact]
    public void PrimedNn_RoundTrips_SavesBits_AndRefusesMissingOrDifferentPrior()
    {
        // a prior unique to this test, so no other test can have registered it
        byte[] x = PrequentialTests.Text(3000, Guid.NewGuid().GetHashCode());
        byte[] y = PrequentialTests.Text(1000, 2);
        var prior = new DataPrior(x);
        var missing = Assert.Throws<InvalidDataException>(() => PriorRegistry.Resolve(1, prior.Hash));
        Assert.Contains("--prime-data", missing.Message, StringComparison.Ordinal);

        byte[] primed = Pack(NeuralCompressors.Compressor("nn", 1, prior), y);
        byte[] plain = Pack(NeuralCompressors.Compressor("nn", 1), y);
        Assert.True(primed.Length < plain.Length * 0.9, $"{primed.Length} vs {plain.Length}");
        Assert.Equal(y, Unpack(primed));

        byte[] other = (byte[])x.Clone();
        other[0] ^= 1;
        PriorRegistry.Register(new DataPrior(other));
        var p = NeuralModels.Decode(KolmoContainer.ReadHeader(new ContainerReader(new MemoryStream(primed))).Parameters);
        Assert.Equal(prior.Hash, p.PriorHash);
        var different = Assert.Throws<InvalidDataException>(() => PriorRegistry.Resolve(1, p.PriorHash ^ 1));
        Assert.Contains("differs", different.Message, StringComparison.Ordinal);
    }
}

public class PrimeModelTests
{
    [Fact]
    public void PrimeModel_CheckpointStartsTheNetwork_RoundTrips_AndIsRecorded()
    {
        var net = new Kolmo.Neural.Lstm(new Kolmo.Neural.LstmConfig(256, 8, 1, 8), (ulong)Environment.TickCount64);
        var ms = new MemoryStream();
        net.Save(ms);
        byte[] checkpoint = ms.ToArray();
        var prior = new ModelPrior(checkpoint, SequenceModels.LoadCheckpoint);
        byte[] y = PrequentialTests.Text(400, 4);
        byte[] packed = ContainerTests.Pack(NeuralCompressors.Compressor("nn", 1, prior), y);
        var p = NeuralModels.Decode(KolmoContainer.ReadHeader(new ContainerReader(new MemoryStream(packed))).Parameters);
        Assert.Equal(2, p.PriorKind);
        Assert.StartsWith("lstm:h=8,l=1,t=8,", p.Spec, StringComparison.Ordinal);
        Assert.Equal(y, ContainerTests.Unpack(packed));
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
