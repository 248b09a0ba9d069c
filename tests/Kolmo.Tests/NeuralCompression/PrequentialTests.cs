using Kolmo.Compression.Neural;

namespace Kolmo.Tests.NeuralCompression;

public class PrequentialTests
{
    internal static byte[] Text(int n, int seed = 1)
    {
        // Small English-like text generated in the test: words drawn from a fixed list.
        string[] words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "a", "compression", "is", "prediction"];
        var rng = new Random(seed);
        var sb = new System.Text.StringBuilder();
        while (sb.Length < n)
        {
            sb.Append(words[rng.Next(words.Length)]).Append(rng.Next(8) == 0 ? ". " : " ");
        }
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString(0, n));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1, 16)]
    [InlineData(2, 64)]
    public void EncodeDecode_RoundTrips_AndCostsIdealBits(int order, int block)
    {
        byte[] data = Text(3000);
        var ms = new MemoryStream();
        double bits = PrequentialCoder.Encode(new CountSequenceModel(order), data, ms, block);
        ms.Position = 0;
        byte[] back = PrequentialCoder.Decode(new CountSequenceModel(order), ms, ms.Length, data.Length, block);
        Assert.Equal(data, back);
        Assert.InRange(ms.Length * 8.0, bits, bits + 48);
    }

    [Fact]
    public void PrequentialTotal_IsSumOfPerSymbolCodeLengths()
    {
        byte[] data = Text(2000);
        var per = new double[data.Length];
        double total = PrequentialCoder.Measure(new CountSequenceModel(1), data, 8, per);
        Assert.Equal(total, per.Sum(), 6);
        // the first byte is coded by an untrained model: (0 + 1/2) / (256 · 1/2) quantised → close to 8 bits
        Assert.InRange(per[0], 7.99, 8.01);
        // learning makes later bytes cheaper than the uniform code
        Assert.True(per[^500..].Average() < 4, $"late bytes cost {per[^500..].Average()} bits");
    }

    [Fact]
    public void Measure_EqualsEncodedPayload()
    {
        byte[] data = Text(1500, 3);
        double measured = PrequentialCoder.Measure(new CountSequenceModel(1), data, 32);
        double encoded = PrequentialCoder.Encode(new CountSequenceModel(1), data, new MemoryStream(), 32);
        Assert.Equal(measured, encoded);
    }

    [Fact]
    public void Learning_OnlyAtBlockBoundaries()
    {
        // With a block longer than the data the model never learns: every byte costs the untrained price.
        byte[] data = Text(300);
        var per = new double[data.Length];
        PrequentialCoder.Measure(new CountSequenceModel(0), data, 1000, per);
        Assert.All(per, b => Assert.Equal(per[0], b));
    }

    [Fact]
    public void Decode_TruncatedPayload_ThrowsInvalidData()
    {
        byte[] data = Text(2000);
        var ms = new MemoryStream();
        PrequentialCoder.Encode(new CountSequenceModel(1), data, ms, 16);
        var cut = new MemoryStream(ms.ToArray()[..(int)(ms.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => PrequentialCoder.Decode(new CountSequenceModel(1), cut, ms.Length, data.Length, 16));
    }

    [Fact]
    public void SequenceModels_ParsesSpec_AndRejectsUnknown()
    {
        Assert.Equal("order:k=2", SequenceModels.Create("order:k=2").Spec);
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("nosuch:k=1"));
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("order:k"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceModels.Create("order:k=9"));
    }
}
