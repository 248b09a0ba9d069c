using Kolmo.Compression.Neural;

namespace Kolmo.Tests.NeuralCompression;

public class NeuralCompressorTests
{
    private static byte[] Compress(NeuralCompressor c, byte[] data)
    {
        var o = new MemoryStream();
        c.Compress(new MemoryStream(data), o);
        return o.ToArray();
    }

    private static byte[] Decompress(NeuralCompressor c, byte[] packed)
    {
        var o = new MemoryStream();
        c.Decompress(new MemoryStream(packed), o);
        return o.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(777)]
    public void RoundTrip_CountModel(int n)
    {
        byte[] data = PrequentialTests.Text(n);
        var c = new NeuralCompressor("order:k=1", 16);
        byte[] packed = Compress(c, data);
        Assert.Equal(data, Decompress(new NeuralCompressor("order:k=2", 1), packed));   // the payload carries spec and block
        if (n > 0)
        {
            Assert.InRange(packed.Length * 8.0, c.CompressedBits(data), c.CompressedBits(data) + 8 * 32);
        }
    }

    [Fact]
    public void PrimeData_SavesBits_AndRoundTrips()
    {
        byte[] x = PrequentialTests.Text(5000, 1);
        byte[] y = PrequentialTests.Text(1000, 2);
        var plain = new NeuralCompressor("order:k=1", 16);
        var primed = new NeuralCompressor("order:k=1", 16, new DataPrior(x));
        byte[] packed = Compress(primed, y);
        Assert.True(packed.Length < Compress(plain, y).Length * 0.8);
        Assert.Equal(y, Decompress(new NeuralCompressor("order:k=1", 16, new DataPrior(x)), packed));
    }

    [Fact]
    public void Decompress_MissingOrDifferentPrior_IsRefused()
    {
        byte[] x = PrequentialTests.Text(500, 1);
        byte[] y = PrequentialTests.Text(300, 2);
        byte[] packed = Compress(new NeuralCompressor("order:k=1", 16, new DataPrior(x)), y);
        var missing = Assert.Throws<InvalidDataException>(() => Decompress(new NeuralCompressor("order:k=1"), packed));
        Assert.Contains("--prime-data", missing.Message, StringComparison.Ordinal);
        x[10] ^= 1;
        var different = Assert.Throws<InvalidDataException>(() => Decompress(new NeuralCompressor("order:k=1", 16, new DataPrior(x)), packed));
        Assert.Contains("differs", different.Message, StringComparison.Ordinal);
        byte[] plainPacked = Compress(new NeuralCompressor("order:k=1"), y);
        Assert.Throws<InvalidDataException>(() => Decompress(new NeuralCompressor("order:k=1", 16, new DataPrior(x)), plainPacked));
    }

    [Fact]
    public void Decompress_CorruptHeaders_ThrowInvalidData()
    {
        var c = new NeuralCompressor("order:k=1");
        byte[] packed = Compress(c, PrequentialTests.Text(200));
        Assert.Throws<InvalidDataException>(() => Decompress(c, []));
        Assert.Throws<InvalidDataException>(() => Decompress(c, [9, 1, 2]));
        Assert.Throws<InvalidDataException>(() => Decompress(c, packed[..3]));
        var bad = (byte[])packed.Clone();
        bad[4] = (byte)'X';   // spec "order…" → unknown kind
        Assert.Throws<InvalidDataException>(() => Decompress(c, bad));
    }
}
