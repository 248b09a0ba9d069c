using Kolmo.Coding;

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
        int wrong = 0;
        for (int i = 0; i < n; i++)
        {
            wrong += bits[i] != dec.Code(0, probs[i]) ? 1 : 0;
        }
        Assert.Equal(0, wrong);
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
        // 200 distinct distributions (a Gaussian bump centred at i % 200), quantised once.
        var tables = new uint[200][];
        for (int c = 0; c < 200; c++)
        {
            for (int k = 0; k < 256; k++)
            {
                probs[k] = (float)Math.Exp(-((k - c) * (k - c)) / 50.0);
            }
            tables[c] = new uint[256];
            FrequencyTable.FromProbabilities(probs, tables[c]);
        }
        for (int i = 0; i < n; i++)
        {
            freqs = tables[i % 200];
            int s = (i % 200) + rng.Next(-3, 4);
            s = Math.Clamp(s, 0, 255);
            symbols[i] = s;
            enc.Code(s, freqs, RangeEncoder.MaxTotal);
            ideal += -Math.Log2(freqs[s] / (double)RangeEncoder.MaxTotal);
        }
        enc.Flush();
        var dec = new RangeDecoder(new MemoryStream(ms.ToArray()), ms.Length);
        int wrong = 0;
        for (int i = 0; i < n; i++)
        {
            wrong += symbols[i] != dec.Code(0, tables[i % 200], RangeEncoder.MaxTotal) ? 1 : 0;
        }
        Assert.Equal(0, wrong);
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
}
