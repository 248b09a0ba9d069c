using Kolmo.Coding;
using Kolmo.Compression.Neural;
using Kolmo.Modeling;

namespace Kolmo.Tests.NeuralCompression;

public class BitPredictorTests
{
    internal static (byte[] Packed, double Bits) EncodeBits(IByteModel model, byte[] data)
    {
        var ms = new MemoryStream();
        var enc = new ArithmeticEncoder(ms);
        double bits = 0;
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                int bit = (b >> k) & 1;
                int p = model.P();
                bits += Probability.CostBits(bit, p);
                enc.Code(bit, p);
                model.Update(bit);
            }
        }
        enc.Flush();
        return (ms.ToArray(), bits);
    }

    internal static byte[] DecodeBits(IByteModel model, byte[] packed, int n)
    {
        var dec = new ArithmeticDecoder(packed);
        var data = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int c = 0;
            for (int k = 0; k < 8; k++)
            {
                int bit = dec.Code(0, model.P());
                model.Update(bit);
                c = (c << 1) | bit;
            }
            data[i] = (byte)c;
        }
        return data;
    }

    [Fact]
    public void SequenceBitPredictor_RoundTrips_AtTheRangeCodersCost()
    {
        byte[] data = PrequentialTests.Text(3000);
        var (packed, bits) = EncodeBits(new SequenceBitPredictor(new CountSequenceModel(1), 16), data);
        Assert.Equal(data, DecodeBits(new SequenceBitPredictor(new CountSequenceModel(1), 16), packed, data.Length));
        double symbolBits = PrequentialCoder.Measure(new CountSequenceModel(1), data, 16);
        // the binary decomposition pays the same quantised byte probabilities, up to 16-bit rounding of each bit
        Assert.InRange(bits, symbolBits * 0.995, symbolBits * 1.01);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    public void SequenceBitPredictor_BitProbabilitiesMultiplyToByteProbability(int precision)
    {
        var sp = new SequenceBitPredictor(new CountSequenceModel(0), 4, precision);
        sp.Prime(PrequentialTests.Text(100));
        byte target = (byte)'e';
        double f = sp.FrequencyAtByteStart(target) / (double)(1 << precision);
        double product = 1;
        for (int k = 7; k >= 0; k--)
        {
            int bit = (target >> k) & 1;
            int p = sp.P();
            product *= bit == 1 ? p / 65536.0 : 1 - p / 65536.0;
            sp.Update(bit);
        }
        Assert.Equal(f, product, 4);
    }

    [Fact]
    public void SequenceBitPredictor_ExpectedByteIsTheMostLikelyStillPossible()
    {
        var sp = new SequenceBitPredictor(new CountSequenceModel(0), 4);
        sp.Prime(System.Text.Encoding.ASCII.GetBytes("eeeeeeeeeeaaaaaz"));
        Assert.Equal('e', sp.ExpectedByte);
        // Krichevsky–Trofimov: P(e) = (10 + 1/2) / (16 + 256/2) = 0.0729, on 16 bits 4779 (up to quantisation)
        Assert.InRange(sp.TopProbability16, 4770, 4790);
        // a first bit 1 rules out 'e' (0x65); the bytes 128…255 were never seen, so the tie goes to the smallest
        sp.Update(1);
        Assert.Equal(128, sp.ExpectedByte);
        Assert.InRange(sp.TopProbability16, 511, 513);   // 1/128 of the remaining mass
    }

    [Fact]
    public void SequenceBitPredictor_CloneIsIndependent()
    {
        var a = new SequenceBitPredictor(new CountSequenceModel(1), 8);
        a.Prime(PrequentialTests.Text(200));
        var b = a.Clone();
        byte[] y = PrequentialTests.Text(300, 5);
        Assert.Equal(EncodeBits(a, y).Bits, EncodeBits(b, y).Bits);
    }

    [Fact]
    public void Mixed_RoundTrips_AndIsNeverMuchWorseThanItsFirstModel()
    {
        byte[] data = PrequentialTests.Text(4000);
        IByteModel Make() => new MixedByteModel([new SequenceBitPredictor(new CountSequenceModel(0), 16), new SequenceBitPredictor(new CountSequenceModel(2), 16)]);
        var (packed, bits) = EncodeBits(Make(), data);
        Assert.Equal(data, DecodeBits(Make(), packed, data.Length));
        double first = EncodeBits(new SequenceBitPredictor(new CountSequenceModel(0), 16), data).Bits;
        double second = EncodeBits(new SequenceBitPredictor(new CountSequenceModel(2), 16), data).Bits;
        Assert.True(bits < first * 1.01, $"mix {bits} vs first {first}");
        // here the second model is much stronger, and the mixer learns to use it
        Assert.True(bits < Math.Min(first, second) * 1.05, $"mix {bits} vs first {first}, second {second}");
    }

    [Fact]
    public void CmNn_RoundTrips_StartsAsItsBase_AndLearnsToUseTheNetwork()
    {
        byte[] data = PrequentialTests.Text(6000, 3);
        IByteModel Make() => new CmNnModel(new SequenceBitPredictor(new CountSequenceModel(0), 16), new SequenceBitPredictor(new CountSequenceModel(2), 16));
        var (packed, bits) = EncodeBits(Make(), data);
        Assert.Equal(data, DecodeBits(Make(), packed, data.Length));
        double baseBits = EncodeBits(new SequenceBitPredictor(new CountSequenceModel(0), 16), data).Bits;
        double netBits = EncodeBits(new SequenceBitPredictor(new CountSequenceModel(2), 16), data).Bits;
        Assert.True(netBits < baseBits * 0.8, $"the second model should be much stronger here: {netBits} vs {baseBits}");
        Assert.True(bits < netBits * 1.05, $"mix {bits} vs base {baseBits}, network {netBits}");
        // the first bits cost what the base model's cost
        var head = data[..40];
        Assert.InRange(EncodeBits(Make(), head).Bits, EncodeBits(new SequenceBitPredictor(new CountSequenceModel(0), 16), head).Bits - 8, EncodeBits(new SequenceBitPredictor(new CountSequenceModel(0), 16), head).Bits + 16);
    }
}
