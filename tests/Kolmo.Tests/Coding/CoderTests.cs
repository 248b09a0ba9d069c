using Kolmo.Coding;
using Kolmo.Compression.Panel;

namespace Kolmo.Tests.Coding;

public class CoderTests
{
    [Fact]
    public void BinaryCoder_RoundTrip_WithinIdealPlusSmallOverhead()
    {
        var rng = new Random(7);
        int n = 200_000 * 8;
        var bits = new int[n];
        var probs = new int[n];
        for (int i = 0; i < n; i++)
        {
            int p = rng.Next(1, 65536);
            probs[i] = p;
            bits[i] = rng.Next(65536) < p ? 1 : 0;
        }
        var ms = new MemoryStream();
        var enc = new ArithmeticEncoder(ms);
        double ideal = 0;
        for (int i = 0; i < n; i++)
        {
            enc.Code(bits[i], probs[i]);
            ideal += Probability.CostBits(bits[i], probs[i]);
        }
        enc.Flush();
        var dec = new ArithmeticDecoder(ms.ToArray());
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(bits[i], dec.Code(0, probs[i]));
        }
        Assert.True(ms.Length <= ideal / 8 * 1.001 + 16, $"{ms.Length} vs ideal {ideal / 8}");
    }

    [Fact]
    public void RangeCoder_RoundTrip_WithinIdealPlusSmallOverhead()
    {
        var rng = new Random(3);
        int n = 100_000;
        var freqs = new uint[256];
        var ms = new MemoryStream();
        var enc = new RangeEncoder(ms);
        var probs = new float[256];
        var symbols = new int[n];
        double ideal = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 256; k++)
            {
                probs[k] = (float)Math.Exp(-((k - (i % 200)) * (k - (i % 200))) / 50.0);
            }
            FrequencyTable.FromProbabilities(probs, freqs);
            int s = (i % 200) + rng.Next(-3, 4);
            s = Math.Clamp(s, 0, 255);
            symbols[i] = s;
            enc.Code(s, freqs, RangeEncoder.MaxTotal);
            ideal += -Math.Log2(freqs[s] / (double)RangeEncoder.MaxTotal);
        }
        enc.Flush();
        var dec = new RangeDecoder(new MemoryStream(ms.ToArray()), ms.Length);
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 256; k++)
            {
                probs[k] = (float)Math.Exp(-((k - (i % 200)) * (k - (i % 200))) / 50.0);
            }
            FrequencyTable.FromProbabilities(probs, freqs);
            Assert.Equal(symbols[i], dec.Code(0, freqs, RangeEncoder.MaxTotal));
        }
        Assert.True(ms.Length <= ideal / 8 * 1.001 + 16, $"{ms.Length} vs ideal {ideal / 8}");
    }

    [Fact]
    public void Logistic_StretchInvertsSquash()
    {
        for (int p = 1; p < 4095; p++)
        {
            int d = Logistic.Stretch(p);
            Assert.InRange(Logistic.Squash(d), p - 0, p + 40);
        }
        Assert.Equal(2048, Logistic.Squash(0));
    }

    [Fact]
    public void Panel_RoundTrips()
    {
        var data = new byte[100_000];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)("the quick brown fox "[i % 20] ^ (i % 977 == 0 ? 1 : 0));
        }
        foreach (var c in StandardPanel.Create())
        {
            var z = new MemoryStream();
            c.Compress(new MemoryStream(data), z);
            Assert.Equal(z.Length * 8.0, c.CompressedBits(data));
            var back = new MemoryStream();
            c.Decompress(new MemoryStream(z.ToArray()), back);
            Assert.Equal(data, back.ToArray());
            Assert.True(z.Length < data.Length / 10, c.Name + " " + z.Length);
        }
    }
}
